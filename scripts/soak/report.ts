// The soak's result and the report it prints: the curve as a table, the trends and the verdict.
import path from 'node:path';
import { formatTable, type Trend, type Verdict } from './analysis.js';
import { type Sample } from './sampling.js';

export interface SoakResult {
  readonly minutes: number;
  readonly intervalS: number;
  readonly bootstrap: string;
  readonly brokerStarted: boolean;
  readonly video: string;
  readonly gcExposed: boolean;
  readonly samples: readonly Sample[];
  readonly rss: Trend;
  readonly heap: Trend;
  readonly thresholds: { readonly slopeMbPerMin: number; readonly growthMb: number };
  readonly framesKeptFlowing: boolean;
  readonly interrupted: boolean;
  readonly failure: string | null;
  readonly verdict: Verdict;
  readonly notes: readonly string[];
}

function fmtSigned(n: number | null, digits: number): string {
  if (n === null) return '–';
  return `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
}

export function report(r: SoakResult): string {
  const table = formatTable(
    [
      't (s)',
      'RSS MB',
      'VmRSS MB',
      'heap MB',
      'ext MB',
      'ab MB',
      'produced',
      'acked',
      'page frames',
      'dropped',
      'ffmpeg MB',
      'handles',
    ],
    r.samples.map((s) => [
      s.t,
      s.rssMb.toFixed(1),
      s.vmRssMb === null ? null : s.vmRssMb.toFixed(1),
      s.heapUsedMb.toFixed(1),
      s.externalMb.toFixed(1),
      s.arrayBuffersMb.toFixed(1),
      s.produced,
      s.kafkaAcked,
      s.pageFrames,
      s.dropped,
      s.ffmpegRssMb === null ? null : s.ffmpegRssMb.toFixed(1),
      s.activeResources,
    ]),
  );
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const fps =
    first !== undefined && last !== undefined && last.t > first.t
      ? ((last.pageFrames - first.pageFrames) / (last.t - first.t)).toFixed(1)
      : '–';
  const lines = [
    `Soak: ${r.minutes} min of ${path.basename(r.video)} produced in real time (loop) and watched live, page acking every frame; broker ${r.bootstrap}${r.brokerStarted ? ' (started for this run)' : ''}.`,
    `Samples every ${r.intervalS} s after a full GC${r.gcExposed ? '' : ' (gc turned on at run time)'}; "ab" = arrayBuffers, "handles" = active resources.`,
    '',
    table,
    '',
    `page: ${last?.pageFrames ?? 0} frames (${fps} fps), ${last?.pageAcks ?? 0} acks; producer: ${last?.produced ?? 0} frames, ${last?.kafkaAcked ?? 0} acked by Kafka`,
    `RSS over the second half (from ${r.rss.fromS} s, ${r.rss.points} samples): slope ${fmtSigned(r.rss.slopeMbPerMin, 2)} MB/min (least squares), growth ${fmtSigned(r.rss.growthMb, 1)} MB (last − first)`,
    `heap used after GC, second half: slope ${fmtSigned(r.heap.slopeMbPerMin, 2)} MB/min, growth ${fmtSigned(r.heap.growthMb, 1)} MB`,
    `verdict: ${r.verdict.toUpperCase()} (flat = slope < ${r.thresholds.slopeMbPerMin} MB/min and growth < ${r.thresholds.growthMb} MB over the second half${r.framesKeptFlowing ? '' : '; frames did NOT keep flowing, so no verdict'})`,
    ...r.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
