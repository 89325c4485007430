import { describe, expect, it } from 'vitest';
import { LatestCall } from './latest-call.js';

describe('LatestCall', () => {
  it('only the newest ticket counts; cancel drops them all', () => {
    const latest = new LatestCall();
    const a = latest.next();
    expect(latest.isCurrent(a)).toBe(true);
    const b = latest.next();
    expect(latest.isCurrent(a)).toBe(false);
    expect(latest.isCurrent(b)).toBe(true);
    latest.cancel();
    expect(latest.isCurrent(b)).toBe(false);
    expect(latest.isCurrent(latest.next())).toBe(true);
  });
});
