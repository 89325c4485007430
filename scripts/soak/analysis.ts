/**
 * The soak's arithmetic: least-squares slope, the "flat" verdict, and the curve as a table.
 * Pure functions, tested in analysis.test.ts.
 */

/**
 * The verdict's thresholds, applied to the second half of the run only (the first half is warm-up:
 * V8 sizing its heap, the JIT, kafkajs and glibc growing their buffer pools / malloc arenas to
 * their steady state, the broker's first log segments).
 *
 * - Slope below 1 MB/min: a leak of anything per frame that matters shows up far above it — one
 *   720p JPEG (~100–200 kB) kept per frame is ~200+ MB/min at 30 fps, and even ~0.5 kB kept per
 *   frame is ~1 MB/min; one retained ffmpeg pass (a new process every 20 s of video) that keeps
 *   ~300 kB of buffers/listeners is ~1 MB/min. RSS noise (allocator arenas, V8 heap resizing,
 *   socket buffers) on a 5-minute half sampled every 10 s stays well below it when nothing leaks.
 * - Growth below 20 MB from the first to the last sample of the second half: catches a step or a
 *   burst that a slope over noisy points understates, while leaving room for one V8 heap
 *   resize (semi-space / old-space growth happens in steps of a few MB) and RSS jitter.
 */
export const FLAT_MAX_SLOPE_MB_PER_MIN = 1;
export const FLAT_MAX_GROWTH_MB = 20;

export interface Point {
  /** Seconds since the start of the measurement. */
  readonly t: number;
  readonly y: number;
}

/** Least-squares slope dy/dt of the points; null with fewer than 2 distinct times. */
export function leastSquaresSlope(points: readonly Point[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  const meanT = points.reduce((s, p) => s + p.t, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - meanT) * (p.y - meanY);
    den += (p.t - meanT) ** 2;
  }
  return den === 0 ? null : num / den;
}

/** The points from the middle of the run on (t ≥ half of the last t). */
export function secondHalf<T extends { readonly t: number }>(points: readonly T[]): T[] {
  const last = points.at(-1);
  if (last === undefined) return [];
  return points.filter((p) => p.t >= last.t / 2);
}

export interface Trend {
  /** From this time (s) to the end. */
  readonly fromS: number;
  readonly points: number;
  /** Least squares, MB per minute; null when there are too few points. */
  readonly slopeMbPerMin: number | null;
  /** Last point minus first point of the window, MB. */
  readonly growthMb: number | null;
}

/** Trend of a series given in MB over the second half of the run. */
export function trendOfSecondHalf(points: readonly Point[]): Trend {
  const half = secondHalf(points);
  const slope = leastSquaresSlope(half);
  const first = half[0];
  const last = half.at(-1);
  return {
    fromS: first?.t ?? 0,
    points: half.length,
    slopeMbPerMin: slope === null ? null : slope * 60,
    growthMb:
      first === undefined || last === undefined || half.length < 2 ? null : last.y - first.y,
  };
}

export type Verdict = 'flat' | 'growing' | 'unknown';

/** 'flat' when both the slope and the growth of the second half are under the thresholds. */
export function verdictOf(
  trend: Trend,
  limits = { slopeMbPerMin: FLAT_MAX_SLOPE_MB_PER_MIN, growthMb: FLAT_MAX_GROWTH_MB },
): Verdict {
  // at least 3 points (20 s of a 10 s cadence), else a slope means nothing
  if (trend.slopeMbPerMin === null || trend.growthMb === null || trend.points < 3) return 'unknown';
  return trend.slopeMbPerMin < limits.slopeMbPerMin && trend.growthMb < limits.growthMb
    ? 'flat'
    : 'growing';
}

/** A plain-text table: right-aligned columns, a header and a rule. */
export function formatTable(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '–' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
