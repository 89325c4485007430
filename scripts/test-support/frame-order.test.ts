import { describe, expect, it } from 'vitest';
import { frameOrder } from './frame-order.js';

describe('frame order in a topic', () => {
  it('no repeats', () => {
    expect(frameOrder([0, 1, 2, 3])).toEqual({ firsts: [0, 1, 2, 3], repeats: 0, problem: null });
  });

  it('a batch written twice, back to back, is a re-send', () => {
    expect(frameOrder([0, 1, 2, 3, 2, 3, 4])).toEqual({
      firsts: [0, 1, 2, 3, 4],
      repeats: 2,
      problem: null,
    });
  });

  it('an old frame after newer ones, or a partial repeat, is not', () => {
    expect(frameOrder([0, 1, 2, 3, 1, 4]).problem).toMatch(
      /frame 4 where a re-sent batch 1…3 would have 2/,
    );
    expect(frameOrder([0, 1, 2, 0, 1]).problem).toMatch(/would have 2/);
  });

  it('a missing frame shows in the firsts', () => {
    expect(frameOrder([0, 2, 3]).firsts).toEqual([0, 2, 3]);
  });
});
