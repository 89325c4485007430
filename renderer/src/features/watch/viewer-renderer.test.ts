import { describe, expect, it } from 'vitest';
import {
  decodeFramePacket,
  encodeFramePacket,
  type DecodedFrame,
  type FramePacketHeader,
} from '../../../../electron/shared/frame-packet.js';
import { FakeDecoders, type FakeFrame } from './h264-fake-decoder.js';
import { ViewerRenderer, type Picture } from './viewer-renderer.js';

/** Like an ImageBitmap: 0×0 once closed. */
class Pic implements Picture {
  private open = true;
  constructor(
    readonly id: number,
    private readonly w: number,
    private readonly h: number,
  ) {}
  get width() {
    return this.open ? this.w : 0;
  }
  get height() {
    return this.open ? this.h : 0;
  }
  close() {
    this.open = false;
  }
}

/** A frame as the transport's inbox hands it over (encoded, then decoded once). */
function packet(h: Partial<FramePacketHeader>, image = [0xff, 0xd8, 0xff, 9]): DecodedFrame {
  const header: FramePacketHeader = {
    viewerId: 'v1',
    seq: 0,
    ptsMs: 0,
    capturedAt: null,
    receivedAt: 1000,
    timestamp: 1000,
    width: 4,
    height: 3,
    type: 'image/jpeg',
    streamId: null,
    codec: null,
    keyframe: true,
    dropped: 0,
    ...h,
  };
  const decoded = decodeFramePacket(encodeFramePacket(header, new Uint8Array(image)));
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded;
}

function harness() {
  let clock = 1100;
  const acks: string[] = [];
  const drawn: number[] = [];
  const closed: number[] = [];
  const decodes: Array<{
    resolve: (p: Pic) => void;
    reject: (e: unknown) => void;
    image: Uint8Array;
  }> = [];
  let next = 1;
  const r = new ViewerRenderer<Pic>({
    decode: (image) =>
      new Promise<Pic>((resolve, reject) => {
        decodes.push({ resolve, reject, image });
      }),
    draw: (p) => drawn.push(p.id),
    close: (p) => {
      p.close();
      closed.push(p.id);
    },
    ack: (id) => acks.push(id),
    now: () => clock,
    log: { warn: () => undefined },
  });
  const settle = () => new Promise((res) => setTimeout(res, 0));
  const finish = async () => {
    const d = decodes.shift();
    if (!d) throw new Error('nothing decoding');
    d.resolve(new Pic(next++, 4, 3));
    await settle();
  };
  return { r, acks, drawn, closed, decodes, finish, setClock: (t: number) => (clock = t), settle };
}

describe('ViewerRenderer', () => {
  it('draws, closes and acks each frame; counts frames drawn', async () => {
    const h = harness();
    h.r.push(packet({ seq: 0 }));
    expect(Array.from(h.decodes[0]?.image ?? [])).toEqual([0xff, 0xd8, 0xff, 9]);
    await h.finish();
    h.r.push(packet({ seq: 1 }));
    await h.finish();
    expect(h.drawn).toEqual([1, 2]);
    expect(h.closed).toEqual([1, 2]);
    expect(h.acks).toEqual(['v1', 'v1']);
    const s = h.r.snapshot();
    expect(s).toMatchObject({
      drawn: 2,
      width: 4,
      height: 3,
      frameBytes: 4,
      lastSeq: 1,
      localDropped: 0,
    });
  });

  it('latency: drawn time minus capturedAt when present, else minus receivedAt', async () => {
    const h = harness();
    h.r.push(packet({ capturedAt: 900, receivedAt: 1000 }));
    h.setClock(1150);
    await h.finish();
    expect(h.r.snapshot()).toMatchObject({ latencyMs: 250, latencyKind: 'capture' });
    h.r.push(packet({ capturedAt: null, receivedAt: 1100 }));
    h.setClock(1130);
    await h.finish();
    expect(h.r.snapshot()).toMatchObject({ latencyMs: 30, latencyKind: 'service' });
  });

  it('drops stale frames locally (newest wins), still acking each exactly once', async () => {
    const h = harness();
    h.r.push(packet({ seq: 0 }));
    h.r.push(packet({ seq: 1 }));
    h.r.push(packet({ seq: 2, dropped: 5 }));
    await h.settle();
    expect(h.acks).toEqual(['v1']); // seq 1 replaced by seq 2
    await h.finish();
    await h.finish();
    expect(h.acks).toHaveLength(3);
    expect(h.r.snapshot()).toMatchObject({
      drawn: 2,
      localDropped: 1,
      servicesDropped: 5,
      lastSeq: 2,
    });
  });

  it('counts undecodable images without stopping', async () => {
    const h = harness();
    h.r.push(packet({ seq: 0 }));
    h.decodes.shift()?.reject(new Error('not an image'));
    await h.settle();
    await h.settle();
    h.r.push(packet({ seq: 1 }));
    await h.finish();
    expect(h.r.snapshot()).toMatchObject({ drawn: 1, failed: 1 });
    expect(h.acks).toEqual(['v1', 'v1']);
  });

  it('stop() discards the frame in progress; reset() zeroes the numbers', async () => {
    const h = harness();
    h.r.push(packet({}));
    await h.finish();
    h.r.push(packet({}));
    h.r.stop();
    await h.finish();
    expect(h.drawn).toEqual([1]);
    expect(h.closed).toEqual([1, 2]);
    h.r.reset();
    expect(h.r.snapshot()).toMatchObject({ drawn: 0, latencyMs: null, fps: 0 });
  });

  it('a seek (showFromEpoch): frames from before it are acked, not drawn — also the ones it forgot — and the new ones drawn', async () => {
    const h = harness();
    h.r.push(packet({ seq: 0 })); // decoding
    h.r.push(packet({ seq: 1 })); // waiting
    h.r.showFromEpoch(1);
    await h.settle();
    expect(h.acks).toHaveLength(1); // the waiting one, forgotten by the seek
    await h.finish(); // the one being decoded comes out after the seek: released and acked
    expect(h.drawn).toEqual([]);
    expect(h.acks).toHaveLength(2);
    h.r.push(packet({ seq: 2 })); // from before the seek, still on its way
    await h.settle();
    expect(h.decodes).toHaveLength(0);
    expect(h.acks).toHaveLength(3);
    h.r.push(packet({ seq: 40, epoch: 1, partition: 0, offset: '40', timestamp: 5000 }));
    await h.finish();
    expect(h.drawn).toEqual([2]);
    expect(h.acks).toHaveLength(4);
    expect(h.r.snapshot().lastFrame).toEqual({
      timestamp: 5000,
      seq: 40,
      streamId: null,
      streamName: null,
      partition: 0,
      offset: '40',
      epoch: 1,
      // when it was drawn (the fake clock): a stopped stream's tile says when
      drawnAt: 1100,
    });
    // a number not above the current one changes nothing
    h.r.showFromEpoch(1);
    expect(h.r.snapshot().drawn).toBe(1);
  });

  it('a frame handed over synchronously on ack does not replace the one waiting (no needless drops)', async () => {
    // Like the transport's FrameInbox: at most 2 frames un-acked, the next one handed over on each ack.
    let clock = 0;
    const backlog = Array.from({ length: 20 }, (_, i) => packet({ seq: i }));
    let unacked = 0;
    let drawn = 0;
    const feed = () => {
      while (unacked < 2 && backlog.length > 0) {
        const p = backlog.shift();
        if (!p) break;
        unacked++;
        r.push(p);
      }
    };
    const r = new ViewerRenderer<Pic>({
      decode: () => new Promise<Pic>((res) => setTimeout(() => res(new Pic(drawn, 4, 3)), 1)),
      draw: () => {
        drawn++;
      },
      close: (p) => p.close(),
      ack: () => {
        unacked--;
        feed();
      },
      now: () => (clock += 10),
    });
    feed();
    await new Promise((res) => setTimeout(res, 200));
    expect(r.snapshot()).toMatchObject({ drawn: 20, localDropped: 0, lastSeq: 19 });
  });

  it('plays JPEG and H.264 streams of one topic side by side: both drawn and counted, every packet acked once', async () => {
    const decoders = new FakeDecoders();
    const acks: string[] = [];
    const drawnPictures: number[] = [];
    const drawnFrames: number[] = [];
    let pics = 0;
    const r = new ViewerRenderer<Pic, FakeFrame>({
      decode: () => Promise.resolve(new Pic(++pics, 4, 3)),
      draw: (p) => drawnPictures.push(p.id),
      close: (p) => p.close(),
      ack: (id) => acks.push(id),
      now: () => 2000,
      video: { decoders, draw: (f) => drawnFrames.push(f.timestamp) },
    });
    const h264 = (seq: number, keyframe: boolean) =>
      packet(
        {
          seq,
          ptsMs: seq * 40,
          type: 'video/h264',
          streamId: 'cam-h264',
          codec: keyframe ? 'avc1.42E01F' : null,
          keyframe,
        },
        [0, 0, 0, 1, 9, 0xf0, seq],
      );
    r.push(h264(0, true));
    r.push(packet({ seq: 0, streamId: 'cam-jpeg' }));
    await new Promise((res) => setTimeout(res, 0));
    r.push(h264(1, false));
    r.push(packet({ seq: 1, streamId: 'cam-jpeg' }));
    await new Promise((res) => setTimeout(res, 0));
    decoders.last.take(2);
    await new Promise((res) => setTimeout(res, 0));
    expect(drawnPictures).toEqual([1, 2]);
    expect(drawnFrames).toEqual([0, 40_000]);
    expect(decoders.frames.every((f) => f.closed)).toBe(true);
    expect(acks).toHaveLength(4);
    expect(r.snapshot()).toMatchObject({
      drawn: 4,
      h264: { skipped: 0, decodeErrors: 0, waiting: [], unsupported: [] },
    });
  });

  it('without a video decoder, H.264 frames are acked and the viewer says the codec cannot be decoded; JPEG frames keep h264 null', async () => {
    const h = harness();
    expect(h.r.snapshot().h264).toBeNull();
    const heard: string[] = [];
    h.r.setUnsupportedListener((viewerId, streamId, codec) => {
      heard.push(`${viewerId}/${streamId}/${codec}`);
    });
    h.r.push(
      packet(
        { type: 'video/h264', streamId: 's', codec: 'avc1.42E01F', keyframe: true },
        [0, 0, 1],
      ),
    );
    await h.settle();
    await h.settle();
    expect(heard).toEqual(['v1/s/avc1.42E01F']);
    expect(h.acks).toEqual(['v1']);
    expect(h.r.snapshot().h264).toMatchObject({
      undecodable: 1,
      unsupported: [{ streamId: 's', codec: 'avc1.42E01F' }],
    });
  });
});
