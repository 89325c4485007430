import { describe, expect, it } from 'vitest';
import type { DecodedFrame, FramePacketHeader } from '../../../../electron/shared/frame-packet.js';
import { FakeDecoders, type FakeFrame } from './h264-fake-decoder.js';
import { H264Streams } from './h264-streams.js';

const CODEC = 'avc1.42E01F';

/** An H.264 frame as the inbox hands it over; `seq` doubles as the frame index (33 ms apart). */
function au(
  seq: number,
  keyframe: boolean,
  h: Partial<FramePacketHeader> = {},
  bytes = [0, 0, 0, 1, 9, 0xf0],
): DecodedFrame {
  return {
    header: {
      viewerId: 'v1',
      seq,
      ptsMs: seq * 33,
      capturedAt: null,
      receivedAt: 1000,
      timestamp: 1000,
      width: 4,
      height: 3,
      type: 'video/h264',
      streamId: 'cam',
      codec: keyframe ? CODEC : null,
      keyframe,
      dropped: 0,
      ...h,
    },
    image: new Uint8Array(bytes),
  };
}

const settle = () => new Promise((res) => setTimeout(res, 0));

function harness(queueLimit = 3, answer?: () => Promise<unknown>) {
  const decoders = new FakeDecoders();
  const acks: string[] = [];
  const drawn: Array<{ ts: number; seq: number | null }> = [];
  const unsupported: Array<[string, string | null, string]> = [];
  const streams = new H264Streams<FakeFrame>({
    decoders,
    draw: (frame, info) => {
      expect(frame.closed).toBe(false);
      drawn.push({ ts: frame.timestamp, seq: info?.header.seq ?? null });
    },
    ack: (id) => acks.push(id),
    now: () => 0,
    unsupported: (...a) => {
      unsupported.push(a);
      return answer?.();
    },
    queueLimit,
  });
  /** Push frames; the first keyframe waits for `supports`, so settle after each push. */
  const push = async (...frames: DecodedFrame[]) => {
    for (const f of frames) {
      streams.push(f);
      await settle();
    }
  };
  return { decoders, acks, drawn, unsupported, streams, push };
}

describe('H264Streams', () => {
  it('decodes catch-up frames (a live start or a seek from the keyframe before it) without drawing them', async () => {
    const h = harness();
    await h.push(au(0, true, { catchUp: true }), au(1, false, { catchUp: true }), au(2, false));
    h.decoders.last.take(3);
    expect(h.drawn.map((x) => x.seq)).toEqual([2]);
    expect(h.decoders.frames).toHaveLength(3);
    expect(h.decoders.frames.every((f) => f.closed)).toBe(true);
    expect(h.acks).toHaveLength(3);
  });

  it('decodes from the first keyframe: configured from its codec, key/delta chunks, µs timestamps, frames drawn and closed', async () => {
    const h = harness();
    await h.push(au(0, true), au(1, false), au(2, false));
    expect(h.decoders.asked).toEqual([CODEC]);
    const d = h.decoders.last;
    expect(d.codec).toBe(CODEC);
    expect(d.queue.map((c) => [c.type, c.timestamp])).toEqual([
      ['key', 0],
      ['delta', 33_000],
      ['delta', 66_000],
    ]);
    d.take(3);
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 1, 2]);
    expect(h.decoders.frames.every((f) => f.closed)).toBe(true);
    expect(h.acks).toHaveLength(3);
    expect(h.streams.snapshot()).toMatchObject({ skipped: 0, decodeErrors: 0, waiting: [] });
  });

  it('a stream that starts with delta frames skips them (acked, counted) and says it waits for a keyframe', async () => {
    const h = harness();
    await h.push(au(10, false), au(11, false));
    expect(h.decoders.decoders).toHaveLength(0);
    expect(h.acks).toEqual(['v1', 'v1']);
    expect(h.streams.snapshot()).toMatchObject({
      skipped: 2,
      waiting: [{ streamId: 'cam', reason: 'start' }],
    });
    await h.push(au(12, true), au(13, false));
    h.decoders.last.take(2);
    expect(h.drawn.map((x) => x.seq)).toEqual([12, 13]);
    expect(h.streams.snapshot()).toMatchObject({ skipped: 2, waiting: [] });
    expect(h.acks).toHaveLength(4);
  });

  it('acks a chunk once it has gone into the codec, so a decoder that holds frames back cannot stall the flow', async () => {
    const h = harness();
    await h.push(au(0, true), au(1, false));
    expect(h.acks).toHaveLength(0); // both still queued
    const d = h.decoders.last;
    d.take(1, false); // taken, no frame out yet (held back)
    expect(h.acks).toHaveLength(1);
    d.take(1, false);
    expect(h.acks).toHaveLength(2);
    d.emit(0);
    d.emit(33_000);
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 1]);
    expect(h.acks).toHaveLength(2); // never twice
  });

  it('falls behind: with the queue full a delta is not decoded alone — the stream skips to the next keyframe, counting every frame it did not draw', async () => {
    const h = harness(3);
    await h.push(au(0, true), au(1, false), au(2, false)); // queue: 3 = the limit
    const first = h.decoders.last;
    await h.push(au(3, false), au(4, false));
    expect(first.queueSize).toBe(3);
    expect(h.streams.snapshot()).toMatchObject({
      skipped: 2,
      waiting: [{ streamId: 'cam', reason: 'behind' }],
    });
    expect(h.acks).toHaveLength(2);
    // the next keyframe finds the queue still full: a fresh decoder starts there
    await h.push(au(5, true), au(6, false));
    expect(first.closed).toBe(true);
    const second = h.decoders.last;
    expect(second).not.toBe(first);
    expect(second.queue.map((c) => c.type)).toEqual(['key', 'delta']);
    expect(h.streams.snapshot()).toMatchObject({ skipped: 5, waiting: [] });
    expect(h.acks).toHaveLength(5); // 2 skipped + 3 dropped with the old decoder
    second.take(2);
    expect(h.drawn.map((x) => x.seq)).toEqual([5, 6]);
    expect(h.acks).toHaveLength(7); // every packet exactly once
  });

  it('behind, but the queue drained before the keyframe: the queued frames are drawn and the same decoder goes on', async () => {
    const h = harness(2);
    await h.push(au(0, true), au(1, false), au(2, false));
    const d = h.decoders.last;
    expect(h.streams.snapshot()?.waiting).toEqual([{ streamId: 'cam', reason: 'behind' }]);
    d.take(2);
    await h.push(au(3, false), au(4, true));
    expect(h.decoders.decoders).toHaveLength(1);
    d.take(1);
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 1, 4]);
    expect(h.streams.snapshot()).toMatchObject({ skipped: 2, waiting: [] });
    expect(h.acks).toHaveLength(5);
  });

  it('a gap in the sequence (frames dropped on the way) waits for the next keyframe', async () => {
    const h = harness();
    await h.push(au(0, true), au(1, false), au(4, false), au(5, false));
    h.decoders.last.take(5);
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 1]);
    expect(h.streams.snapshot()).toMatchObject({
      skipped: 2,
      waiting: [{ streamId: 'cam', reason: 'gap' }],
    });
    await h.push(au(6, true));
    h.decoders.last.take();
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 1, 6]);
    expect(h.acks).toHaveLength(5);
  });

  it('without sequence numbers, a rise in the service’s dropped count is a gap', async () => {
    const h = harness();
    await h.push(
      au(0, true, { seq: null }),
      au(1, false, { seq: null }),
      au(2, false, { seq: null, dropped: 1 }),
    );
    h.decoders.last.take(3);
    expect(h.drawn).toHaveLength(2);
    expect(h.streams.snapshot()?.waiting).toEqual([{ streamId: 'cam', reason: 'gap' }]);
  });

  it('a decoder error is counted, the decoder is replaced, and the stream recovers at the next keyframe', async () => {
    const h = harness();
    await h.push(au(0, true), au(1, false));
    const first = h.decoders.last;
    first.take(1);
    first.fail(); // the corrupt access unit 1
    expect(h.streams.snapshot()).toMatchObject({
      decodeErrors: 1,
      skipped: 1,
      waiting: [{ streamId: 'cam', reason: 'error' }],
    });
    await h.push(au(2, false), au(3, false));
    expect(h.decoders.decoders).toHaveLength(1);
    await h.push(au(4, true), au(5, false));
    const second = h.decoders.last;
    expect(second).not.toBe(first);
    expect(second.codec).toBe(CODEC);
    second.take(2);
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 4, 5]);
    expect(h.streams.snapshot()).toMatchObject({ decodeErrors: 1, skipped: 3, waiting: [] });
    expect(h.acks).toHaveLength(6);
    expect(h.decoders.asked).toEqual([CODEC]); // the answer is kept
  });

  it('a decode call that throws is a decoder error too', async () => {
    const h = harness();
    await h.push(au(0, true));
    const d = h.decoders.last;
    d.decode = () => {
      throw new Error('EncodingError');
    };
    await h.push(au(1, false), au(2, false));
    expect(d.closed).toBe(true);
    // 1 (it failed), 0 (still queued in the dropped decoder), 2 (waiting for a keyframe)
    expect(h.streams.snapshot()).toMatchObject({ decodeErrors: 1, skipped: 3 });
    expect(h.acks).toHaveLength(3);
  });

  it('stop acks what the decoder still held (once); frames that come out after it are closed, not drawn, not acked', async () => {
    const h = harness();
    await h.push(au(0, true), au(1, false));
    const d = h.decoders.last;
    d.take(1);
    const before = h.acks.length;
    h.streams.stop();
    expect(d.closed).toBe(true);
    // frame 1 was still in the decoder: acked now (a seek goes on with the same viewer)
    const acked = h.acks.length;
    expect(acked).toBe(before + 1);
    // a decoder that still delivered (it should not after close): the frame is closed
    d.closed = false;
    d.emit(33_000);
    expect(h.drawn).toHaveLength(1);
    expect(h.decoders.frames.every((f) => f.closed)).toBe(true);
    expect(h.acks).toHaveLength(acked);
    expect(h.streams.snapshot()?.waiting).toEqual([]);
  });

  it('frames wait (un-acked) while isConfigSupported answers, then go through in order', async () => {
    const h = harness();
    let open = () => undefined as void;
    h.decoders.gate = new Promise<void>((res) => (open = res));
    h.streams.push(au(0, true));
    h.streams.push(au(1, false));
    await settle();
    expect(h.acks).toHaveLength(0);
    expect(h.decoders.decoders).toHaveLength(0);
    open();
    await settle();
    expect(h.decoders.last.queue.map((c) => c.type)).toEqual(['key', 'delta']);
  });

  it('a codec this page cannot decode: the listener hears it once, frames are acked and counted, no decoder', async () => {
    const h = harness();
    h.decoders.supported = new Set(['avc1.42E01F']);
    await h.push(
      au(0, true, { codec: 'avc1.640033' }),
      au(1, false),
      au(2, true, { codec: 'avc1.640033' }),
    );
    expect(h.decoders.decoders).toHaveLength(0);
    expect(h.unsupported).toEqual([['v1', 'cam', 'avc1.640033']]);
    expect(h.acks).toHaveLength(3);
    expect(h.streams.snapshot()).toMatchObject({
      undecodable: 3,
      unsupported: [{ streamId: 'cam', codec: 'avc1.640033' }],
      waiting: [],
    });
    // the stream changes to a codec that works
    await h.push(au(3, true));
    h.decoders.last.take();
    expect(h.drawn.map((x) => x.seq)).toEqual([3]);
    expect(h.streams.snapshot()?.unsupported).toEqual([]);
  });

  it('the service decodes a stream this page cannot: asking, then on, then drawing its JPEGs; undecodable stops growing', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const h = harness(3, () => new Promise((res) => (answer = res)));
    h.decoders.supported = new Set<string>();
    await h.push(au(0, true, { codec: 'avc1.8A001E' }));
    const service = () => h.streams.snapshot()?.unsupported.map((u) => u.service);
    expect(service()).toEqual([{ state: 'asking' }]);
    answer({});
    await settle();
    expect(service()).toEqual([{ state: 'on' }]);
    // the JPEGs the service makes take the image path: the renderer tells the streams
    h.streams.decodedOnService('cam');
    expect(service()).toEqual([{ state: 'drawing' }]);
    expect(h.streams.snapshot()?.undecodable).toBe(1);
    expect(h.unsupported).toEqual([['v1', 'cam', 'avc1.8A001E']]);
    // a new session forgets it
    h.streams.reset();
    expect(h.streams.snapshot()).toBeNull();
  });

  it('the service could not decode the stream either: the note says why', async () => {
    const h = harness(3, () => Promise.reject(new Error('ffmpeg could not be started')));
    h.decoders.supported = new Set<string>();
    await h.push(au(0, true, { codec: 'avc1.8A001E' }));
    await settle();
    expect(h.streams.snapshot()?.unsupported).toEqual([
      {
        streamId: 'cam',
        codec: 'avc1.8A001E',
        service: { state: 'failed', message: 'ffmpeg could not be started' },
      },
    ]);
  });

  it('streams are kept apart: one decoder each; one waiting or failing does not touch the other', async () => {
    const h = harness();
    const a = (seq: number, key: boolean) => au(seq, key, { streamId: 'a' });
    const b = (seq: number, key: boolean) => au(seq, key, { streamId: 'b' });
    await h.push(a(0, true), b(7, false), a(1, false), b(8, true), a(2, false), b(9, false));
    expect(h.decoders.decoders).toHaveLength(2);
    const [da, db] = h.decoders.decoders;
    da?.take(1);
    da?.fail();
    db?.take(2);
    expect(h.drawn.map((x) => x.seq)).toEqual([0, 8, 9]);
    expect(h.streams.snapshot()).toMatchObject({
      decodeErrors: 1,
      waiting: [{ streamId: 'a', reason: 'error' }],
    });
    expect(h.acks).toHaveLength(6);
  });
});
