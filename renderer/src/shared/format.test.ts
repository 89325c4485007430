import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFps,
  formatLatency,
  formatMegabytesPerSecond,
  formatTimeRange,
  formatTimestamp,
} from './format.js';

describe('format', () => {
  it('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1536)).toBe('1.54 KB');
    expect(formatBytes(52_000)).toBe('52.0 KB');
    expect(formatBytes(121_000_000)).toBe('121 MB');
    expect(formatBytes(-1)).toBe('—');
  });
  it('rates, durations, fps, counts, latency', () => {
    expect(formatMegabytesPerSecond(2_450_000)).toBe('2.45 MB/s');
    expect(formatDuration(65_432)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(0)).toBe('0:00');
    expect(formatFps(29.97)).toBe('30');
    expect(formatFps(4.96)).toBe('5.0');
    expect(formatCount(12_345_678)).toBe('12,345,678');
    expect(formatCount(90)).toBe('90');
    expect(formatLatency(null)).toBe('—');
    expect(formatLatency(41.6)).toBe('42 ms');
    expect(formatLatency(1300)).toBe('1.3 s');
  });
  it('timestamps and ranges (local time)', () => {
    const t = new Date(2025, 10, 25, 14, 3, 9).getTime();
    expect(formatTimestamp(t)).toBe('2025-11-25 14:03:09');
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimeRange(null, null)).toBe('—');
    expect(formatTimeRange(t, t)).toBe('2025-11-25 14:03:09');
    expect(formatTimeRange(t, t + 60_000)).toBe('2025-11-25 14:03:09 → 14:04:09');
    expect(formatTimeRange(t, t + 86_400_000)).toBe('2025-11-25 14:03:09 → 2025-11-26 14:03:09');
  });
});
