/**
 * The grid bench's arithmetic (grid-run.ts), pure: per-tile drawn fps and capture → drawn latency
 * from the page's bench samples (each tagged with its tile), and which process bounds the run when
 * the machine's CPU is used up.
 */
import { percentiles, rateOver, round, type Percentiles } from './stats.js';
import type { ProcessGroup } from './proc.js';

export interface TileSample {
  readonly tile?: number;
  readonly seq: number | null;
  readonly capturedAt: number | null;
  readonly drawnAt: number;
}

export interface TileFigures {
  readonly tile: number;
  readonly drawn: number;
  /** Distinct sequence numbers drawn (a stream's frames). */
  readonly distinctSeqs: number;
  readonly fps: number | null;
  readonly latencyMs: Percentiles;
}

/** Figures per tile 0…tiles−1 over the samples drawn in [fromMs, toMs]. */
export function tileFigures(
  samples: readonly TileSample[],
  tiles: number,
  fromMs = -Infinity,
  toMs = Infinity,
): TileFigures[] {
  return Array.from({ length: tiles }, (_, tile) => {
    const mine = samples.filter((s) => s.tile === tile && s.drawnAt >= fromMs && s.drawnAt <= toMs);
    return {
      tile,
      drawn: mine.length,
      distinctSeqs: new Set(mine.map((s) => s.seq)).size,
      fps: round(rateOver(mine.map((s) => s.drawnAt)), 2),
      latencyMs: percentiles(
        mine.flatMap((s) => (s.capturedAt === null ? [] : [s.drawnAt - s.capturedAt])),
      ),
    };
  });
}

/** What a process group is, in the words of the issue. */
export const ROLE: Record<ProcessGroup, string> = {
  ffmpeg: 'encode (ffmpeg)',
  broker: 'broker (java)',
  browser: 'page (Chromium renderer/GPU processes)',
  app: 'host (node: app services + bench harness)',
};

export interface Bound {
  /** Sum of the groups, % of one core. */
  readonly totalPct: number;
  /** The machine's capacity, % of one core (cores × 100). */
  readonly capacityPct: number;
  /** CPU-bound: the groups used ≥ `share` of the machine. */
  readonly cpuBound: boolean;
  /** The group using the most CPU (null: nothing measured). */
  readonly top: ProcessGroup | null;
  readonly text: string;
}

/**
 * Is the run CPU-bound (the measured groups used ≥ 85 % of all cores), and which process uses
 * the most? On a saturated machine that process is the one to make cheaper.
 */
export function cpuBound(
  cpu: Readonly<Record<ProcessGroup, number | null>>,
  cores: number,
  share = 0.85,
): Bound {
  const entries = (Object.entries(cpu) as [ProcessGroup, number | null][]).flatMap(([g, v]) =>
    v === null ? [] : [[g, v] as const],
  );
  const totalPct = Math.round(entries.reduce((n, [, v]) => n + v, 0) * 10) / 10;
  const capacityPct = cores * 100;
  const sorted = [...entries].sort((a, b) => b[1] - a[1]);
  const top = sorted[0]?.[0] ?? null;
  const bound = totalPct >= capacityPct * share;
  const parts = sorted.map(([g, v]) => `${ROLE[g]} ${v} %`).join(', ');
  const text =
    top === null
      ? 'no CPU measured'
      : `${bound ? 'CPU-bound' : 'not CPU-bound'}: ${totalPct} % of ${capacityPct} % (${cores} cores) used; ${parts}${bound ? `; the largest share is ${ROLE[top]}` : ''}`;
  return { totalPct, capacityPct, cpuBound: bound, top, text };
}
