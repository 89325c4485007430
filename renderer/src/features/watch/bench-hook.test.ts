import { describe, expect, it } from 'vitest';
import {
  decodeFramePacket,
  encodeFramePacket,
  type DecodedFrame,
  type FramePacketHeader,
} from '../../../../electron/shared/frame-packet.js';
import { BENCH_CAP, benchRecorder, type BenchTarget } from './bench-hook.js';
import { FakeDecoders, type FakeFrame } from './h264-fake-decoder.js';
import { ViewerRenderer, type Picture } from './viewer-renderer.js';

describe('benchRecorder', () => {
  it('is absent when the flag is off', () => {
    const target: BenchTarget = {};
    expect(benchRecorder(false, target)).toBeUndefined();
    expect(target.__kvsBench).toBeUndefined();
  });
  it('records drawn frames into window.__kvsBench, bounded', () => {
    const target: BenchTarget = {};
    const rec = benchRecorder(true, target);
    expect(target.__kvsBench).toEqual([]);
    rec?.(7, 1000, 1004, 1012);
    expect(target.__kvsBench).toEqual([
      { seq: 7, capturedAt: 1000, receivedAt: 1004, drawnAt: 1012 },
    ]);
    target.__kvsBench = [];
    for (let i = 0; i < BENCH_CAP + 5; i++) rec?.(i, null, i, i);
    expect(target.__kvsBench.length).toBe(BENCH_CAP);
  });
  it('tells grid tiles apart', () => {
    const target: BenchTarget = {};
    let index: number | undefined = undefined;
    const rec = benchRecorder(true, target, () => index);
    rec?.(1, 10, 11, 12);
    index = 0; // the viewer became the grid's first tile
    rec?.(2, 20, 21, 22);
    benchRecorder(true, target, () => 3)?.(1, 20, 21, 22);
    expect(target.__kvsBench?.map((s) => s.tile)).toEqual([undefined, 0, 3]);
  });
});

describe('benchRecorder with the viewer renderer', () => {
  it('records H.264 frames drawn from the decoder, not catch-up frames (decoded, not drawn)', async () => {
    const target: BenchTarget = {};
    const decoders = new FakeDecoders();
    const r = new ViewerRenderer<Picture & { close(): void }, FakeFrame>({
      decode: () => Promise.reject(new Error('no JPEG here')),
      draw: () => undefined,
      close: () => undefined,
      ack: () => undefined,
      now: () => 5000,
      onDrawn: benchRecorder(true, target),
      video: { decoders, draw: () => undefined },
    });
    const unit = (seq: number, keyframe: boolean, catchUp: boolean): DecodedFrame => {
      const header: FramePacketHeader = {
        viewerId: 'v1',
        seq,
        ptsMs: seq * 33,
        capturedAt: 1000 + seq * 33,
        receivedAt: 1010 + seq * 33,
        timestamp: 1000 + seq * 33,
        width: 1280,
        height: 720,
        type: 'video/h264',
        streamId: 's',
        codec: keyframe ? 'avc1.64001F' : null,
        keyframe,
        ...(catchUp ? { catchUp: true } : {}),
        dropped: 0,
      };
      const d = decodeFramePacket(encodeFramePacket(header, new Uint8Array([0, 0, 0, 1, 9, seq])));
      if (!d.ok) throw new Error(d.error);
      return d;
    };
    r.push(unit(0, true, true));
    await new Promise((res) => setTimeout(res, 0)); // isConfigSupported answers
    for (const [seq, catchUp] of [
      [1, true],
      [2, false],
      [3, false],
    ] as const) {
      r.push(unit(seq, false, catchUp));
      decoders.last.take(2);
    }
    expect(target.__kvsBench).toEqual([
      { seq: 2, capturedAt: 1066, receivedAt: 1076, drawnAt: 5000 },
      { seq: 3, capturedAt: 1099, receivedAt: 1109, drawnAt: 5000 },
    ]);
  });
});
