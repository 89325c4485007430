import { describe, expect, it } from 'vitest';
import { invoke } from '../../../electron/shared/contract.js';
import { newViewerId } from './viewer-id.js';

/** The contract's id alphabet (contract.ts `Id`, WatchRequest.viewerId). */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

describe('newViewerId', () => {
  it("is in the contract's id alphabet, and watch:start accepts it", () => {
    for (let i = 0; i < 100; i++) {
      const id = newViewerId();
      expect(id).toMatch(ID);
      expect(
        invoke['watch:start'].args.safeParse({
          viewerId: id,
          topic: 'cams',
          from: { kind: 'live' },
          pace: false,
        }).success,
      ).toBe(true);
      expect(invoke['watch:stop'].args.safeParse({ viewerId: id }).success).toBe(true);
    }
  });

  it('is distinct every time', () => {
    const ids = Array.from({ length: 2000 }, () => newViewerId());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries 128 random bits: v and 32 hex digits, whatever the bytes', () => {
    expect(newViewerId((b) => b.fill(0))).toBe(`v${'0'.repeat(32)}`);
    expect(newViewerId((b) => b.fill(0xff))).toBe(`v${'f'.repeat(32)}`);
    expect(newViewerId((b) => b.forEach((_, i) => (b[i] = i)))).toBe(
      'v000102030405060708090a0b0c0d0e0f',
    );
    const asked: number[] = [];
    newViewerId((b) => void asked.push(b.length));
    expect(asked).toEqual([16]);
  });
});
