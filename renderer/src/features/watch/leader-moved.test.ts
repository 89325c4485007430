import { describe, expect, it } from 'vitest';
import { clockTime, leaderMovedText, leaderMovedTitle } from './leader-moved.js';

describe('leaderMovedText', () => {
  it('says nothing until a move was seen', () => {
    expect(leaderMovedText(null)).toBeNull();
    expect(leaderMovedText(undefined)).toBeNull();
    expect(leaderMovedText({ partition: 0, nodeId: 2, previous: null, movedAt: null })).toBeNull();
  });

  it('names the old and the new broker and the time of the move', () => {
    const at = new Date(2026, 11, 5, 12, 3, 4).getTime();
    const leader = { partition: 0, nodeId: 2, previous: 1, movedAt: at };
    expect(leaderMovedText(leader)).toBe('Leader moved: broker 1 → 2 (12:03:04)');
    expect(leaderMovedText(leader, () => 'then')).toBe('Leader moved: broker 1 → 2 (then)');
    expect(leaderMovedTitle(leader)).toContain('Partition 0 is now led by broker 2');
  });

  it('pads the clock', () => {
    expect(clockTime(new Date(2026, 0, 1, 1, 2, 3).getTime())).toBe('01:02:03');
  });
});
