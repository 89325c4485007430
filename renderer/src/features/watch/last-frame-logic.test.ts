import { describe, expect, it } from 'vitest';
import { agoText, clockSeconds, lastFrameNote, STALE_AFTER_MS } from './last-frame-logic.js';

describe('last frame note', () => {
  const at = new Date(2026, 0, 2, 12, 3, 4, 500).getTime();

  it('says nothing while frames come, before the first, or when paused', () => {
    expect(
      lastFrameNote({ waiting: true, lastDrawnAt: at, now: at + STALE_AFTER_MS - 1 }),
    ).toBeNull();
    expect(lastFrameNote({ waiting: true, lastDrawnAt: null, now: at })).toBeNull();
    expect(lastFrameNote({ waiting: false, lastDrawnAt: at, now: at + 60_000 })).toBeNull();
  });

  it('says when the last frame came, and how long ago, as time goes on', () => {
    expect(lastFrameNote({ waiting: true, lastDrawnAt: at, now: at + 8000 })).toBe(
      'last frame 12:03:04, 8 s ago',
    );
    expect(lastFrameNote({ waiting: true, lastDrawnAt: at, now: at + 9000 })).toBe(
      'last frame 12:03:04, 9 s ago',
    );
    expect(clockSeconds(at)).toBe('12:03:04');
  });

  it('reads long times in minutes and hours', () => {
    expect(agoText(125_000)).toBe('2 min 5 s ago');
    expect(agoText(3_780_000)).toBe('1 h 3 min ago');
    expect(agoText(-5)).toBe('0 s ago');
  });
});
