/** Pure number helpers for the benchmark (tested in stats.test.ts). */

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank - 1, 0), sorted.length - 1)] ?? null;
}

export interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

/** Round for the report (null stays null). */
export function round(n: number | null | undefined, digits = 1): number | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round(a / b, 2);
}

/** Frames per second over a span of draw/receive times: (n − 1) intervals / span. */
export function rateOver(times: readonly number[]): number | null {
  if (times.length < 2) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const t of times) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return max > min ? ((times.length - 1) * 1000) / (max - min) : null;
}

/** Bytes per second as Mbit/s (10^6 bits), 2 decimals; null stays null. */
export function mbitPerSec(bytesPerSec: number | null | undefined): number | null {
  return bytesPerSec === null || bytesPerSec === undefined
    ? null
    : round((bytesPerSec * 8) / 1_000_000, 2);
}

/** Media seconds handled per wall-clock second (e.g. 60 s exported in 2 s → 30); 1 decimal. */
export function timesRealTime(mediaMs: number, wallMs: number): number | null {
  return wallMs > 0 && mediaMs > 0 ? round(mediaMs / wallMs, 1) : null;
}
