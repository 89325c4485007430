import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatSpan,
  fractionOf,
  keyAction,
  markedRange,
  timeAt,
  widen,
  type TimeRange,
} from './timeline-model.js';

const range: TimeRange = { firstMs: 10_000, lastMs: 20_000 };

describe('where times sit on the scrub bar', () => {
  it('maps times to 0…1 and back, clamped to the range', () => {
    expect(fractionOf(range, 15_000)).toBe(0.5);
    expect(fractionOf(range, 0)).toBe(0);
    expect(fractionOf(range, 99_000)).toBe(1);
    expect(timeAt(range, 0.25)).toBe(12_500);
    expect(timeAt(range, -1)).toBe(10_000);
    expect(timeAt(range, 2)).toBe(20_000);
    expect(fractionOf({ firstMs: 5, lastMs: 5 }, 5)).toBe(1);
  });

  it('widens to hold a time seen since it was read', () => {
    expect(widen(range, 15_000)).toBe(range);
    expect(widen(range, 25_000)).toEqual({ firstMs: 10_000, lastMs: 25_000 });
    expect(widen(range, 5_000)).toEqual({ firstMs: 5_000, lastMs: 20_000 });
    expect(widen(null, 7)).toEqual({ firstMs: 7, lastMs: 7 });
    expect(widen(range, null)).toBe(range);
    expect(widen(null, Number.NaN)).toBeNull();
  });
});

describe('how times read', () => {
  it('a clock to the millisecond', () => {
    const t = new Date(2026, 11, 4, 9, 5, 7, 25).getTime();
    expect(formatClock(t)).toBe('09:05:07.025');
  });

  it('a span to the tenth', () => {
    expect(formatSpan(7_240)).toBe('0:07.2');
    expect(formatSpan(723_000)).toBe('12:03.0');
    expect(formatSpan(3_723_000)).toBe('1:02:03.0');
    expect(formatSpan(-5)).toBe('0:00.0');
  });
});

describe('keys', () => {
  const playing = { paused: false, positionMs: 15_000, range };
  const paused = { ...playing, paused: true };

  it('space plays or pauses', () => {
    expect(keyAction(' ', playing)).toEqual({ kind: 'toggle' });
  });

  it('arrows step one frame when paused, jump 5 s when playing', () => {
    expect(keyAction('ArrowLeft', paused)).toEqual({ kind: 'step', dir: -1 });
    expect(keyAction('ArrowRight', paused)).toEqual({ kind: 'step', dir: 1 });
    expect(keyAction('ArrowLeft', playing)).toEqual({ kind: 'seek', ms: 10_000 });
    expect(keyAction('ArrowLeft', { ...playing, positionMs: 12_000 })).toEqual({
      kind: 'seek',
      ms: 10_000,
    });
    // past the newest frame: live
    expect(keyAction('ArrowRight', playing)).toEqual({ kind: 'live' });
    expect(keyAction('ArrowRight', { ...playing, positionMs: 11_000 })).toEqual({
      kind: 'seek',
      ms: 16_000,
    });
    expect(keyAction('ArrowRight', { ...playing, positionMs: null })).toBeNull();
  });

  it('Home goes to the oldest frame, End to live; other keys are not the timeline’s', () => {
    expect(keyAction('Home', playing)).toEqual({ kind: 'seek', ms: 10_000 });
    expect(keyAction('Home', { ...playing, range: null })).toBeNull();
    expect(keyAction('End', playing)).toEqual({ kind: 'live' });
    expect(keyAction('a', playing)).toBeNull();
  });
});

describe('the range marked for export', () => {
  it('takes in and out in either order, and needs both', () => {
    expect(markedRange(2, 9)).toEqual({ fromMs: 2, toMs: 9 });
    expect(markedRange(9, 2)).toEqual({ fromMs: 2, toMs: 9 });
    expect(markedRange(null, 2)).toBeNull();
    expect(markedRange(3, 3)).toBeNull();
  });
});
