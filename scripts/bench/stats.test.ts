import { describe, expect, it } from 'vitest';
import {
  mbitPerSec,
  percentile,
  percentiles,
  rateOver,
  ratio,
  round,
  timesRealTime,
} from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(v, 50)).toBe(5);
    expect(percentile(v, 95)).toBe(10);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(10);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNull();
  });
  it('gives p50/p95/p99 of 1..100', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(v)).toEqual({ p50: 50, p95: 95, p99: 99 });
  });
});

describe('rate, ratio, round', () => {
  it('counts intervals over the span', () => {
    expect(rateOver([0, 100, 200, 300])).toBe(10);
    expect(rateOver([5])).toBeNull();
  });
  it('divides and rounds', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 1)).toBeNull();
    expect(round(1.26, 1)).toBe(1.3);
    expect(round(Number.NaN)).toBeNull();
  });
});

describe('mbitPerSec and timesRealTime', () => {
  it('turns bytes/s into Mbit/s (10^6 bits)', () => {
    expect(mbitPerSec(250_000)).toBe(2);
    expect(mbitPerSec(207_375)).toBe(1.66);
    expect(mbitPerSec(null)).toBeNull();
  });
  it('gives media time over wall time', () => {
    expect(timesRealTime(60_000, 2_000)).toBe(30);
    expect(timesRealTime(60_000, 0)).toBeNull();
    expect(timesRealTime(0, 1000)).toBeNull();
  });
});
