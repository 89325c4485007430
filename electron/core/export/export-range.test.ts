import { describe, expect, it } from 'vitest';
import { checkRange, RangeCut, type RangeFrame } from './export-range.js';

const h264 = (
  streamId: string | null,
  timestamp: number,
  keyframe: boolean,
  catchUp = false,
): RangeFrame => ({ streamId, type: 'video/h264', keyframe, timestamp, catchUp });
const jpeg = (streamId: string | null, timestamp: number): RangeFrame => ({
  streamId,
  type: 'image/jpeg',
  keyframe: true,
  timestamp,
  catchUp: false,
});

describe('checkRange', () => {
  it('accepts an open or a forward range', () => {
    expect(checkRange({})).toEqual({});
    expect(checkRange({ fromMs: 1000, toMs: 2000 })).toEqual({ fromMs: 1000, toMs: 2000 });
  });
  it('refuses --to at or before --from, and non-times', () => {
    expect(() => checkRange({ fromMs: 2000, toMs: 2000 })).toThrow(/must be after/);
    expect(() => checkRange({ fromMs: 2000, toMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => checkRange({ fromMs: Number.NaN })).toThrow(/not a valid time/);
    expect(() => checkRange({ toMs: -1 })).toThrow(/not a valid time/);
  });
});

describe('RangeCut', () => {
  it('takes the first stream seen and skips the others', () => {
    const cut = new RangeCut({});
    expect(cut.decide(jpeg('a', 1))).toBe('take');
    expect(cut.decide(jpeg('b', 2))).toBe('skip');
    expect(cut.decide(jpeg('a', 3))).toBe('take');
    expect(cut.stream).toEqual({ id: 'a', type: 'image/jpeg' });
    expect(cut.counts.otherStreams).toBe(1);
  });

  it('takes only the stream asked for', () => {
    const cut = new RangeCut({}, 'b');
    expect(cut.decide(jpeg('a', 1))).toBe('skip');
    expect(cut.decide(jpeg('b', 2))).toBe('take');
    expect(cut.stream?.id).toBe('b');
  });

  it('stops at the first frame of the stream at or after --to (T2 excluded)', () => {
    const cut = new RangeCut({ toMs: 100 });
    expect(cut.decide(jpeg('a', 99))).toBe('take');
    expect(cut.decide(jpeg('b', 150))).toBe('skip'); // another stream does not end the range
    expect(cut.decide(jpeg('a', 100))).toBe('stop');
  });

  it('H.264: skips delta frames until the first keyframe, then takes every frame', () => {
    const cut = new RangeCut({});
    expect(cut.decide(h264('cam', 1, false))).toBe('skip');
    expect(cut.decide(h264('cam', 2, false))).toBe('skip');
    expect(cut.decide(h264('cam', 3, true))).toBe('take');
    expect(cut.decide(h264('cam', 4, false))).toBe('take');
    expect(cut.counts.beforeKeyframe).toBe(2);
  });

  it('H.264 from a time: takes the catch-up group before T1 (starts at its keyframe)', () => {
    const cut = new RangeCut({ fromMs: 1000, toMs: 1100 });
    expect(cut.decide(h264('cam', 900, true, true))).toBe('take');
    expect(cut.decide(h264('cam', 950, false, true))).toBe('take');
    expect(cut.decide(h264('cam', 1000, false))).toBe('take');
    expect(cut.decide(h264('cam', 1100, true))).toBe('stop');
  });

  it('skips frames of the stream in another format than its first', () => {
    const cut = new RangeCut({});
    expect(cut.decide(h264('cam', 1, true))).toBe('take');
    expect(cut.decide(jpeg('cam', 2))).toBe('skip');
    expect(cut.counts.otherType).toBe(1);
  });
});
