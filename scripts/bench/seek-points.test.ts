import { describe, expect, it } from 'vitest';
import {
  firstTargetFrame,
  frameAtOrAfter,
  messageTime,
  scrubX,
  seekPoints,
} from './seek-points.js';

describe('messageTime', () => {
  it('stamps frames as produced in real time', () => {
    expect(messageTime(1000, 0, 30)).toBe(1000);
    expect(messageTime(1000, 1, 30)).toBe(1033);
    expect(messageTime(1000, 18_000, 30)).toBe(601_000);
  });
});

describe('seekPoints', () => {
  it('spreads the points over the stream, never on a keyframe, each just before its frame', () => {
    const pts = seekPoints(0, 18_000, 30, 30, 5);
    expect(pts.map((p) => p.frame)).toEqual([1815, 5429, 9007, 12621, 16225]);
    for (const p of pts) {
      expect(p.frame % 30).not.toBe(0);
      expect(p.intoGop).toBe(p.frame % 30);
      expect(p.targetMs).toBeLessThan(messageTime(0, p.frame, 30));
      expect(p.targetMs).toBeGreaterThan(messageTime(0, p.frame - 1, 30));
    }
  });
  it('stays inside a short stream', () => {
    const pts = seekPoints(0, 60, 30, 30, 3);
    expect(pts.every((p) => p.frame > 0 && p.frame < 60 && p.frame % 30 !== 0)).toBe(true);
  });
});

describe('firstTargetFrame', () => {
  const s = (capturedAt: number | null, drawnAt: number) => ({
    seq: null,
    capturedAt,
    receivedAt: 0,
    drawnAt,
  });
  it('finds the first drawn frame at or after the target and counts those before it', () => {
    expect(firstTargetFrame([s(990, 1), s(1000, 2), s(1033, 3)], 995)).toEqual({
      sample: s(1000, 2),
      drawnBefore: 1,
    });
    expect(firstTargetFrame([s(null, 1)], 995)).toEqual({ sample: null, drawnBefore: 1 });
  });
});

describe('frameAtOrAfter', () => {
  it('is the first frame whose message time is at or after the time', () => {
    expect(frameAtOrAfter(1000, 100, 30, 1000)).toBe(0);
    expect(frameAtOrAfter(1000, 100, 30, 1001)).toBe(1);
    expect(frameAtOrAfter(1000, 100, 30, 1033)).toBe(1);
    expect(frameAtOrAfter(1000, 100, 30, 1034)).toBe(2);
    expect(frameAtOrAfter(1000, 100, 30, 999_999)).toBe(100);
    for (const p of seekPoints(0, 18_000, 30, 30, 5))
      expect(frameAtOrAfter(0, 18_000, 30, p.targetMs)).toBe(p.frame);
  });
});

describe('scrubX', () => {
  it('maps a time linearly onto the bar', () => {
    expect(scrubX({ firstMs: 1000, lastMs: 2000 }, 500, 1500)).toBe(250);
    expect(scrubX({ firstMs: 1000, lastMs: 2000 }, 500, 1000)).toBe(0);
    expect(scrubX({ firstMs: 1000, lastMs: 1000 }, 500, 1000)).toBe(500);
  });
});
