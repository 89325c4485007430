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

/** The machine's CPU ticks from /proc/stat's first line: busy (all but idle and iowait) and all. */
export function parseCpuTotals(procStat: string): { busy: number; total: number } | null {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return null;
  const n = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (n.length < 5 || n.some((x) => !Number.isFinite(x))) return null;
  const total = n.reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

/** The machine's busy share between two readings, as % of one core (0 … cores × 100). */
export function machineBusyPct(
  a: { busy: number; total: number },
  b: { busy: number; total: number },
  cores: number,
): number | null {
  const total = b.total - a.total;
  if (total <= 0) return null;
  return Math.round(((b.busy - a.busy) / total) * cores * 1000) / 10;
}

export interface Bound {
  /** Sum of the groups, % of one core. */
  readonly totalPct: number;
  /** The whole machine (/proc/stat), % of one core; null: not measured. */
  readonly machinePct: number | null;
  /** What the machine did besides the measured processes (other work), % of one core. */
  readonly otherPct: number | null;
  /** The machine's capacity, % of one core (cores × 100). */
  readonly capacityPct: number;
  /** CPU-bound: the groups used ≥ `share` of the machine. */
  readonly cpuBound: boolean;
  /** The group using the most CPU (null: nothing measured). */
  readonly top: ProcessGroup | null;
  readonly text: string;
}

/**
 * Is the run CPU-bound (the machine was ≥ 85 % busy: all cores, measured from /proc/stat when
 * given, else the measured groups' sum), and which process uses the most? On a saturated
 * machine that process is the one to make cheaper — unless other work took most of it.
 */
export function cpuBound(
  cpu: Readonly<Record<ProcessGroup, number | null>>,
  cores: number,
  machinePct: number | null = null,
  share = 0.85,
): Bound {
  const entries = (Object.entries(cpu) as [ProcessGroup, number | null][]).flatMap(([g, v]) =>
    v === null ? [] : [[g, v] as const],
  );
  const totalPct = Math.round(entries.reduce((n, [, v]) => n + v, 0) * 10) / 10;
  const capacityPct = cores * 100;
  const sorted = [...entries].sort((a, b) => b[1] - a[1]);
  const top = sorted[0]?.[0] ?? null;
  const busy = machinePct ?? totalPct;
  const otherPct =
    machinePct === null ? null : Math.max(0, Math.round((machinePct - totalPct) * 10) / 10);
  const bound = busy >= capacityPct * share;
  const parts = sorted.map(([g, v]) => `${ROLE[g]} ${v} %`).join(', ');
  const others = otherPct === null ? '' : `, other work on the machine ${otherPct} %`;
  const largest =
    otherPct !== null && top !== null && otherPct > (cpu[top] ?? 0)
      ? 'other work on the machine (not this run)'
      : top === null
        ? ''
        : ROLE[top];
  const text =
    top === null
      ? 'no CPU measured'
      : `${bound ? 'CPU-bound' : 'not CPU-bound'}: ${busy} % of ${capacityPct} % (${cores} cores) busy; ${parts}${others}${bound ? `; the largest share is ${largest}` : ''}`;
  return { totalPct, machinePct, otherPct, capacityPct, cpuBound: bound, top, text };
}
