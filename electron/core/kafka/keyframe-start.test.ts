/** Starting at the last keyframe (live, or from a time): what is held, and when it is handed over. */
import { describe, expect, it } from 'vitest';
import { KeyframeStart } from './keyframe-start.js';
import type { DecodedMessage } from './wire-format.js';

const h264 = (stream: string, keyframe: boolean, bytes = 10): DecodedMessage => ({
  kind: 'frame',
  type: 'video/h264',
  image: Buffer.alloc(bytes),
  keyframe,
  meta: { streamId: stream, seq: null },
});
const jpeg = (stream: string): DecodedMessage => ({
  kind: 'frame',
  type: 'image/jpeg',
  image: Buffer.alloc(10),
  keyframe: true,
  meta: { streamId: stream, seq: null },
});
const eos = (stream: string): DecodedMessage => ({
  kind: 'eos',
  streamId: stream,
  seq: null,
  totalFrames: null,
});

describe('KeyframeStart', () => {
  it('reads a short way back, and not before the first offset', () => {
    const l = KeyframeStart.forLive<number>(
      [
        { partition: 0, low: 0, high: 1000 },
        { partition: 1, low: 950, high: 1000 },
        { partition: 2, low: 7, high: 7 },
      ],
      300,
    );
    expect(l.starts).toEqual([
      { partition: 0, offset: '700' },
      { partition: 1, offset: '950' },
      { partition: 2, offset: '7' },
    ]);
    expect(l.isHistory(0, 999)).toBe(true);
    expect(l.isHistory(0, 1000)).toBe(false);
    expect(l.isHistory(2, 7)).toBe(false); // an empty partition has no history
  });

  it('holds each H.264 stream from its last keyframe and hands the groups over, in order, at the live edge', () => {
    const l = KeyframeStart.forLive<string>([{ partition: 0, low: 0, high: 9 }]);
    const msgs: Array<[DecodedMessage, string]> = [
      [h264('a', false), 'a-delta-before-any-key'],
      [h264('a', true), 'a-key1'],
      [h264('a', false), 'a-d1'],
      [jpeg('j'), 'jpeg'],
      [h264('b', true), 'b-key'],
      [h264('a', true), 'a-key2'],
      [h264('b', false), 'b-d1'],
      [h264('a', false), 'a-d2'],
    ];
    msgs.forEach(([d, name], offset) => {
      expect(l.isHistory(0, offset)).toBe(true);
      l.hold(0, d, name);
      expect(l.reached(0, offset + 1)).toEqual([]);
    });
    l.hold(0, h264('a', false), 'a-d3');
    expect(l.reached(0, 9)).toEqual(['b-key', 'a-key2', 'b-d1', 'a-d2', 'a-d3']);
    expect(l.reached(0, 10)).toEqual([]);
    expect(l.isHistory(0, 5)).toBe(false); // past the edge, nothing is history any more
    expect(l.heldBytes).toBe(0);
  });

  it('drops a stream that ended, and a group larger than the limit', () => {
    const l = KeyframeStart.forLive<string>([{ partition: 0, low: 0, high: 100 }], 300, 25);
    l.hold(0, h264('a', true), 'a-key');
    l.hold(0, eos('a'), 'a-eos');
    l.hold(0, h264('b', true), 'b-key');
    l.hold(0, h264('b', false), 'b-d1');
    l.hold(0, h264('b', false), 'b-d2'); // 30 bytes > 25: the group is dropped
    l.hold(0, h264('c', true), 'c-key');
    expect(l.reached(0, 100)).toEqual(['c-key']);
  });

  it('keeps partitions apart', () => {
    const l = KeyframeStart.forLive<string>([
      { partition: 0, low: 0, high: 5 },
      { partition: 1, low: 0, high: 5 },
    ]);
    l.hold(0, h264('a', true), 'p0');
    l.hold(1, h264('a', true), 'p1');
    expect(l.reached(1, 5)).toEqual(['p1']);
    expect(l.reached(0, 4)).toEqual([]);
    expect(l.reached(0, 5)).toEqual(['p0']);
  });

  it('from a time: reads from the earlier offset, shows from the first message at the time', () => {
    const k = KeyframeStart.forTime<string>([
      { partition: 0, before: 40, at: 70 },
      { partition: 1, before: 5, at: 5 }, // nothing earlier: no history
    ]);
    expect(k.starts).toEqual([
      { partition: 0, offset: '40' },
      { partition: 1, offset: '5' },
    ]);
    expect(k.isHistory(0, 69)).toBe(true);
    expect(k.isHistory(0, 70)).toBe(false);
    expect(k.isHistory(1, 5)).toBe(false);
    k.hold(0, h264('a', true), 'key');
    k.hold(0, h264('a', false), 'd1');
    expect(k.reached(0, 70)).toEqual(['key', 'd1']);
  });
});
