import { describe, expect, it } from 'vitest';
import type { Frame } from '../frame.js';
import { PageFrameSource, type PageFrame } from './page-frame-source.js';

const frame = (seq: number, over: Partial<PageFrame> = {}): PageFrame => ({
  seq,
  ptsMs: seq * 33,
  capturedAt: 1000,
  width: 320,
  height: 240,
  keyframe: seq % 5 === 0,
  codec: 'avc1.42E01F',
  data: Buffer.from([seq & 0xff, 1, 2, 3]),
  ...over,
});

async function drain(src: PageFrameSource): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of src) out.push(f);
  return out;
}

describe('PageFrameSource', () => {
  it('hands frames out in order, each once, and ends after end() once the queue is empty', async () => {
    const src = new PageFrameSource({ now: () => 5000, wallNow: () => 1200 });
    const reading = drain(src);
    for (let i = 0; i < 5; i++) expect(src.push(frame(i))).toBe('queued');
    src.end();
    const got = await reading;
    expect(got.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(got.map((f) => f.ptsMs)).toEqual([0, 33, 66, 99, 132]);
    expect(got[0]).toMatchObject({ keyframe: true, codec: 'avc1.42E01F', width: 320, height: 240 });
    // captured 200 ms before "now" on the wall clock: 200 ms back on the monotonic clock
    expect(got[0]?.producedAt).toBe(4800);
    expect(src.push(frame(9))).toBe('ended');
  });

  it('never holds more than maxFrames: the overflow is dropped and counted, H.264 until the next keyframe', async () => {
    const src = new PageFrameSource({ maxFrames: 3 });
    const results = Array.from({ length: 11 }, (_, i) => src.push(frame(i)));
    // 0,1,2 queued; 3 dropped (full); 4 a delta after a drop: dropped; 5 a keyframe, still full: dropped; …
    expect(results.slice(0, 3)).toEqual(['queued', 'queued', 'queued']);
    expect(src.waiting).toBe(3);
    expect(src.dropped).toBe(8);
    src.end();
    const got = await drain(src);
    expect(got.map((f) => f.index)).toEqual([0, 1, 2]);
    // room again: a delta still waits for its keyframe, the keyframe goes in, and what follows it
    const src2 = new PageFrameSource({ maxFrames: 2 });
    src2.push(frame(0));
    src2.push(frame(1));
    expect(src2.push(frame(2))).toBe('dropped');
    const it2 = src2[Symbol.asyncIterator]();
    await it2.next();
    await it2.next();
    expect(src2.push(frame(3))).toBe('dropped'); // a delta after the drop
    expect(src2.push(frame(5))).toBe('queued'); // the keyframe
    expect(src2.push(frame(6))).toBe('queued');
    expect(src2.dropped).toBe(2);
  });

  it('drops a JPEG alone when full (the next one goes in as soon as there is room)', async () => {
    const src = new PageFrameSource({ maxFrames: 1 });
    const jpeg = (seq: number) => frame(seq, { codec: null, keyframe: true });
    expect(src.push(jpeg(0))).toBe('queued');
    expect(src.push(jpeg(1))).toBe('dropped');
    await src[Symbol.asyncIterator]().next();
    expect(src.push(jpeg(2))).toBe('queued');
    expect(src.dropped).toBe(1);
  });

  it('bounds the bytes waiting too', () => {
    const src = new PageFrameSource({ maxBytes: 10 });
    expect(src.push(frame(0, { data: Buffer.alloc(8) }))).toBe('queued');
    expect(src.push(frame(1, { data: Buffer.alloc(8), keyframe: true }))).toBe('dropped');
  });

  it('refuses a repeated or older seq', () => {
    const src = new PageFrameSource();
    expect(src.push(frame(3))).toBe('queued');
    expect(src.push(frame(3))).toBe('out-of-order');
    expect(src.push(frame(1))).toBe('out-of-order');
    expect(src.push(frame(4))).toBe('queued');
    expect(src.outOfOrder).toBe(2);
  });

  it('close() ends the iteration at once, frames waiting or not', async () => {
    const src = new PageFrameSource();
    src.push(frame(0));
    src.push(frame(1));
    const it = src[Symbol.asyncIterator]();
    await it.next();
    src.close();
    expect((await it.next()).done).toBe(true);
  });
});
