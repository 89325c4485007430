import { describe, expect, it } from 'vitest';
import { partitionForKey } from './stream-partition.js';

describe('partitionForKey', () => {
  it("is the Java client's murmur2 partition of the key (known values)", () => {
    // Kafka's Utils.murmur2 test vectors, through toPositive(h) % n
    expect(partitionForKey('21', 1000)).toBe((-973932308 & 0x7fffffff) % 1000);
    expect(partitionForKey('foobar', 1000)).toBe((-790332482 & 0x7fffffff) % 1000);
    expect(partitionForKey('a-little-bit-long-string', 1000)).toBe(
      (-985981536 & 0x7fffffff) % 1000,
    );
  });

  it('stays in range and is stable; one partition takes everything', () => {
    for (const key of ['cam-1', 'cam-2', 'kvs-0a1b2c3d', '']) {
      const p = partitionForKey(key, 4);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(4);
      expect(partitionForKey(key, 4)).toBe(p);
      expect(partitionForKey(key, 1)).toBe(0);
    }
    expect(() => partitionForKey('x', 0)).toThrow(RangeError);
  });
});
