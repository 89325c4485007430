import { describe, expect, it } from 'vitest';
import { FpsMeter } from './fps-meter.js';

describe('FpsMeter', () => {
  it('counts frames over the last second', () => {
    const m = new FpsMeter();
    for (let t = 0; t < 2000; t += 1000 / 30) m.record(t);
    expect(m.rate(2000)).toBeCloseTo(30, 0);
  });
  it('estimates from spacing before a full second of history', () => {
    const m = new FpsMeter();
    m.record(0);
    m.record(100);
    m.record(200);
    expect(m.rate(200)).toBeCloseTo(10, 5);
  });
  it('falls to 0 when frames stop', () => {
    const m = new FpsMeter();
    m.record(0);
    m.record(40);
    expect(m.rate(5000)).toBe(0);
  });
});
