import { describe, expect, it } from 'vitest';
import { BENCH_CAP, benchRecorder, type BenchTarget } from './bench-hook.js';

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
});
