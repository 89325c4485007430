import { describe, expect, it } from 'vitest';
import {
  errorText,
  formatSeconds,
  progressValue,
  rangeText,
  resultText,
} from './export-panel-logic.js';

describe('export panel logic', () => {
  it('says the range and the stream in words', () => {
    expect(rangeText(null, null)).toBe(
      'The whole topic (the first stream), from its first frame to its last.',
    );
    const from = new Date(2026, 0, 2, 3, 4, 5).getTime();
    expect(rangeText({ fromMs: from, toMs: from + 1500 }, 'cam')).toBe(
      '2026-01-02 03:04:05 → 03:04:06 (1.5 s) of stream "cam".',
    );
  });

  it('the result line: name, frames, duration, size', () => {
    expect(
      resultText({
        exportId: 'x',
        ok: true,
        cancelled: false,
        fileName: 'cams.mp4',
        frames: 1234,
        durationMs: 41_133,
        bytes: 1_500_000,
        error: null,
        download: null,
      }),
    ).toBe('cams.mp4 — 1,234 frames, 41.13 s, 1.50 MB');
  });

  it('seconds, errors, progress', () => {
    expect(formatSeconds(3000)).toBe('3 s');
    expect(errorText('EXPORT_EMPTY', 'Nothing to export.')).toBe(
      'Nothing to export. (EXPORT_EMPTY)',
    );
    expect(progressValue(0, 0.5)).toBeUndefined();
    expect(progressValue(3, 0.456)).toBe(46);
    expect(progressValue(3, 7)).toBe(100);
  });
});
