import { describe, expect, it } from 'vitest';
import {
  formatTable,
  leastSquaresSlope,
  secondHalf,
  trendOfSecondHalf,
  verdictOf,
  type Point,
} from './analysis.js';

const line = (slopePerS: number, noise: (i: number) => number = () => 0): Point[] =>
  Array.from({ length: 61 }, (_, i) => ({ t: i * 10, y: 100 + slopePerS * i * 10 + noise(i) }));

describe('soak analysis', () => {
  it('least squares recovers the slope of a line and of a noisy one', () => {
    expect(leastSquaresSlope(line(0.5))).toBeCloseTo(0.5, 10);
    expect(leastSquaresSlope(line(0.01, (i) => (i % 2 === 0 ? 3 : -3)))).toBeCloseTo(0.01, 2);
    expect(leastSquaresSlope([{ t: 1, y: 1 }])).toBeNull();
    expect(
      leastSquaresSlope([
        { t: 1, y: 1 },
        { t: 1, y: 2 },
      ]),
    ).toBeNull();
  });

  it('the second half starts at half of the last time', () => {
    const half = secondHalf(line(0));
    expect(half[0]?.t).toBe(300);
    expect(half).toHaveLength(31);
    expect(secondHalf([])).toEqual([]);
  });

  it('flat: a warm-up in the first half, then level', () => {
    const points = line(0).map((p) => ({
      t: p.t,
      y: p.t < 200 ? 50 + p.t / 4 : 100 + (p.t % 20 === 0 ? 1 : 0),
    }));
    const trend = trendOfSecondHalf(points);
    expect(trend.fromS).toBe(300);
    expect(Math.abs(trend.slopeMbPerMin ?? 99)).toBeLessThan(0.5);
    expect(verdictOf(trend)).toBe('flat');
  });

  it('growing: 2 MB/min, or a 25 MB step, or too few points to say', () => {
    expect(verdictOf(trendOfSecondHalf(line(2 / 60)))).toBe('growing');
    const step = line(0).map((p) => ({ t: p.t, y: p.t > 550 ? 125 : 100 }));
    expect(verdictOf(trendOfSecondHalf(step))).toBe('growing');
    expect(verdictOf(trendOfSecondHalf(line(0).slice(0, 2)))).toBe('unknown');
  });

  it('formats a right-aligned table', () => {
    expect(
      formatTable(
        ['t', 'MB'],
        [
          [0, 1.5],
          [10, null],
        ],
      ),
    ).toBe([' t   MB', '--  ---', ' 0  1.5', '10    –'].join('\n'));
  });
});
