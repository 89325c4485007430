/** The issue's targets, the JSON result and the readable table. */
import type { Baseline } from './baseline.js';
import type { FirstFrame, Realtime } from './browser-runs.js';
import type { Machine } from './machine.js';
import type { ExportRun } from './export-run.js';
import type { MaxRate } from './max-rate.js';
import type { Seek } from './seek-run.js';
import type { TimelineSeek, TimelineSeekMode } from './timeline-seek-run.js';
import { ratio } from './stats.js';
import type { GridRun } from './grid-run.js';

export interface Results {
  readonly machine: Machine;
  /** os.loadavg() (1, 5, 15 min) when the bench started and when its runs ended. */
  readonly loadAverage: {
    readonly start: number[];
    readonly end: number[];
    /** 1-minute load average when each run began and ended. */
    readonly byStage: ReadonlyArray<{ stage: string; start: number; end: number }>;
  };
  readonly quick: boolean;
  readonly rt720: Realtime | null;
  /** The same run with the page's "Recorded speed" off: what live pacing costs. */
  readonly rt720Unpaced: Realtime | null;
  readonly max720: MaxRate | null;
  readonly max360: MaxRate | null;
  readonly firstFrame: FirstFrame | null;
  /** H.264 in real time, drawn live (h264-runs.ts). */
  readonly rt720h264: Realtime | null;
  readonly rt1080h264: Realtime | null;
  /** A new viewer started at a time in a long H.264 topic → first target frame drawn (seek-run.ts). */
  readonly seek: Seek | null;
  /** A click on the timeline's scrub bar (the same viewer seeks) → first target frame drawn. */
  readonly timelineSeek: TimelineSeek | null;
  /** Export of 60 s of 720p H.264 to MP4 (export-run.ts). */
  readonly exportRun: ExportRun | null;
  /** Four 720p30 H.264 streams live into one topic, drawn in a 2×2 grid (grid-run.ts). */
  readonly grid?: GridRun | null;
  readonly baseline: Baseline | null;
  readonly notes: string[];
}

interface Target {
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  readonly op: '>=' | '<=';
  readonly limit: number;
}

export function targets(r: Results): Target[] {
  return [
    { name: '720p30 fps drawn', value: r.rt720?.fps ?? null, unit: 'fps', op: '>=', limit: 29.5 },
    { name: '720p30 dropped', value: r.rt720?.droppedPct ?? null, unit: '%', op: '<=', limit: 0.5 },
    {
      name: '720p30 latency p50',
      value: r.rt720?.latencyMs.p50 ?? null,
      unit: 'ms',
      op: '<=',
      limit: 20,
    },
    {
      name: '720p30 latency p95',
      value: r.rt720?.latencyMs.p95 ?? null,
      unit: 'ms',
      op: '<=',
      limit: 40,
    },
    { name: 'first frame', value: r.firstFrame?.ms ?? null, unit: 'ms', op: '<=', limit: 500 },
    {
      name: 'app CPU (720p30)',
      value: r.rt720?.cpuPct.app ?? null,
      unit: '% of a core',
      op: '<=',
      limit: 35,
    },
    {
      name: 'max-rate 720p end to end',
      value: r.max720?.fps ?? null,
      unit: 'fps',
      op: '>=',
      limit: 150,
    },
    ...h264Targets(r),
    {
      name: 'grid 4×720p30 fps (worst tile)',
      value: r.grid?.minFps ?? null,
      unit: 'fps',
      op: '>=',
      limit: 29,
    },
    {
      name: 'grid 4×720p30 p95 (worst)',
      value: r.grid?.maxP95Ms ?? null,
      unit: 'ms',
      op: '<=',
      limit: 80,
    },
  ];
}

/** 1 MB: no message of a 1080p stream above it. */
export const ONE_MB = 1_000_000;

function h264Targets(r: Results): Target[] {
  const a = r.rt720h264;
  const b = r.rt1080h264;
  return [
    { name: 'H.264 720p30 fps drawn', value: a?.fps ?? null, unit: 'fps', op: '>=', limit: 29.5 },
    { name: 'H.264 720p30 dropped', value: a?.droppedPct ?? null, unit: '%', op: '<=', limit: 0.1 },
    {
      name: 'H.264 720p30 latency p50',
      value: a?.latencyMs.p50 ?? null,
      unit: 'ms',
      op: '<=',
      limit: 20,
    },
    {
      name: 'H.264 720p30 latency p95',
      value: a?.latencyMs.p95 ?? null,
      unit: 'ms',
      op: '<=',
      limit: 40,
    },
    { name: 'H.264 1080p30 fps drawn', value: b?.fps ?? null, unit: 'fps', op: '>=', limit: 29.5 },
    {
      name: 'H.264 1080p30 latency p95',
      value: b?.latencyMs.p95 ?? null,
      unit: 'ms',
      op: '<=',
      limit: 60,
    },
    {
      name: 'H.264 720p30 bitrate',
      value: a?.mbitPerSec ?? null,
      unit: 'Mbit/s',
      op: '<=',
      limit: 2,
    },
    {
      name: 'H.264 1080p30 largest message',
      value: b?.largestMessageBytes ?? null,
      unit: 'B',
      op: '<=',
      limit: ONE_MB,
    },
    {
      name: 'H.264 timeline seek, playing (max)',
      value: r.timelineSeek?.playing.clickToDrawnMs.max ?? null,
      unit: 'ms',
      op: '<=',
      limit: 300,
    },
    {
      name: 'H.264 timeline seek, paused (max)',
      value: r.timelineSeek?.paused.clickToDrawnMs.max ?? null,
      unit: 'ms',
      op: '<=',
      limit: 300,
    },
    {
      name: 'H.264 export 720p',
      value: r.exportRun?.timesRealTime ?? null,
      unit: '× real time',
      op: '>=',
      limit: 20,
    },
  ];
}

/** What a real-time run put on the topic. */
function bandwidth(x: Realtime | null): Record<string, unknown> | null {
  return x
    ? {
        codec: x.codec,
        bytesPerSec: x.bytesPerSec,
        mbitPerSec: x.mbitPerSec,
        largestMessageBytes: x.largestMessageBytes,
        meanFrameBytes: x.meanFrameBytes,
      }
    : null;
}

export function met(t: Target): boolean | null {
  if (t.value === null) return null;
  return t.op === '>=' ? t.value >= t.limit : t.value <= t.limit;
}

function baselineOk(b: Baseline | null): Exclude<Baseline, { skipped: string }> | null {
  return b && !('skipped' in b) ? b : null;
}

export function ratios(r: Results): Record<string, number | null> {
  const b = baselineOk(r.baseline);
  return {
    /** our max-rate 720p end to end / the baseline's fps (both as fast as they go, same video) */
    fps: ratio(r.max720?.fps, b?.fps),
    /** our latency to the screen (720p30 real time) / the baseline's latency to receipt */
    latencyP50: ratio(r.rt720?.latencyMs.p50, b?.latencyMs.p50),
    latencyP95: ratio(r.rt720?.latencyMs.p95, b?.latencyMs.p95),
  };
}

export function toJson(r: Results): Record<string, unknown> {
  const m = r.machine;
  const b = r.baseline;
  return {
    machine: `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB, ${m.os}, Node ${m.node}, Chromium ${m.chromium ?? '?'}, Kafka ${m.kafka ?? '?'}`,
    rt720: r.rt720 ? { ...r.rt720 } : null,
    rt720Unpaced: r.rt720Unpaced,
    max720: r.max720,
    max360: r.max360,
    firstFrameMs: r.firstFrame?.ms ?? null,
    firstFrameTriesMs: r.firstFrame?.tries ?? [],
    rt720h264: r.rt720h264,
    rt1080h264: r.rt1080h264,
    bandwidth: {
      rt720Jpeg: bandwidth(r.rt720),
      rt720h264: bandwidth(r.rt720h264),
      rt1080h264: bandwidth(r.rt1080h264),
    },
    /** a new viewer started at a time (watch:start) — what a fresh start costs */
    seekNewViewer: r.seek,
    /** a click on the timeline (watch:control seek on the same viewer) */
    timelineSeek: r.timelineSeek,
    export: r.exportRun,
    grid: r.grid ?? null,
    baseline: b,
    ratios: ratios(r),
    targets: Object.fromEntries(
      targets(r).map((t) => [
        t.name,
        { value: t.value, target: `${t.op} ${t.limit}`, met: met(t) },
      ]),
    ),
    quick: r.quick,
    loadAverage: r.loadAverage,
    notes: r.notes,
  };
}

const fmt = (n: number | null | undefined, unit = ''): string =>
  n === null || n === undefined ? '—' : `${n}${unit}`;

export function toTable(r: Results): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(
    `Kafka Video Studio benchmark${r.quick ? ' (--quick: short videos, numbers are indicative only)' : ''}`,
  );
  lines.push(
    `machine: ${m.cpu}; ${m.cores} cores; ${m.ramGiB} GiB; ${m.os}; Node ${m.node}; Chromium ${m.chromium ?? '?'}; Kafka ${m.kafka ?? '?'}`,
  );
  lines.push(
    `load average (1/5/15 min): ${r.loadAverage.start.join(' ')} at the start, ${r.loadAverage.end.join(' ')} at the end`,
  );
  lines.push(
    `load average (1 min) per run, start → end: ${r.loadAverage.byStage.map((x) => `${x.stage.split(' (')[0]} ${x.start} → ${x.end}`).join('; ')}`,
  );
  lines.push('');
  lines.push('target                          value                target       met');
  for (const t of targets(r)) {
    const ok = met(t);
    lines.push(
      `${t.name.padEnd(32)}${fmt(t.value, ` ${t.unit}`).padEnd(21)}${`${t.op} ${t.limit}`.padEnd(13)}${ok === null ? 'n/a' : ok ? 'yes' : 'NO'}`,
    );
  }
  lines.push('');
  for (const [label, x] of [
    ['720p30 real time (page defaults, Recorded speed on)', r.rt720],
    ['720p30 real time, Recorded speed off', r.rt720Unpaced],
    ['H.264 720p30 real time', r.rt720h264],
    ['H.264 1080p30 real time', r.rt1080h264],
  ] as const) {
    if (!x) continue;
    lines.push(
      `${label}: ${x.fps ?? '—'} fps, ${x.drawn}/${x.produced} frames drawn over ${(x.windowMs / 1000).toFixed(1)} s; latency p50/p95/p99 ${fmt(x.latencyMs.p50)}/${fmt(x.latencyMs.p95)}/${fmt(x.latencyMs.p99)} ms`,
    );
    const sp = x.latencySplitMs;
    lines.push(
      `  latency split p50/p95: ffmpeg→services consumer ${fmt(sp.toServices.p50)}/${fmt(sp.toServices.p95)} ms, services→drawn ${fmt(sp.servicesToScreen.p50)}/${fmt(sp.servicesToScreen.p95)} ms`,
    );
    lines.push(
      `  dropped ${fmt(x.droppedPct, ' %')} (page counters: services ${fmt(x.servicesDropped)}, page ${fmt(x.pageDropped)})`,
    );
    lines.push(
      `  on the topic (${x.codec}): ${fmt(x.bytesPerSec && Math.round(x.bytesPerSec / 1024), ' KiB/s')} = ${fmt(x.mbitPerSec, ' Mbit/s')}, mean frame ${fmt(x.meanFrameBytes, ' B')}, largest ${fmt(x.largestMessageBytes, ' B')}${x.rateLowered ? `; rate lowered: ${x.rateLowered}` : ''}`,
    );
    lines.push(
      `  CPU % of one core: app+harness ${fmt(x.cpuPct.app)}, ffmpeg ${fmt(x.cpuPct.ffmpeg)}, browser ${fmt(x.cpuPct.browser)}, broker ${fmt(x.cpuPct.broker)}`,
    );
    const pp = x.pageProfile;
    const types = Object.entries(pp.chromiumCpuPct)
      .sort((a, b) => b[1] - a[1])
      .map(([t, v]) => `${t} ${v}`)
      .join(', ');
    const mt = pp.mainThreadPct;
    lines.push(
      `  page profile: Chromium CPU by process: ${types || '—'}; renderer main thread busy ${mt ? `${mt.task} % (script ${mt.script}, layout ${mt.layout}, style ${mt.style})` : '—'}`,
    );
  }
  for (const [name, x] of [
    ['720p', r.max720],
    ['360p', r.max360],
  ] as const)
    if (x)
      lines.push(
        `max-rate ${name}: ${fmt(x.fps)} fps end to end (${x.received}/${x.produced} frames; producer alone ${fmt(x.produceFps)} fps); CPU app ${fmt(x.cpuPct.app)}, ffmpeg ${fmt(x.cpuPct.ffmpeg)}, broker ${fmt(x.cpuPct.broker)}`,
      );
  if (r.firstFrame)
    lines.push(
      `first frame: median ${fmt(r.firstFrame.ms)} ms (tries: ${r.firstFrame.tries.join(', ')} ms)`,
    );
  const sk = r.seek;
  if (sk)
    lines.push(
      `new viewer at a time (${sk.topicSeconds} s H.264 topic, keyframe every ${sk.keyframeIntervalFrames} frames): first target frame drawn median ${fmt(sk.fromStartMs.median)} / max ${fmt(sk.fromStartMs.max)} ms from watch:start (from navigation ${fmt(sk.fromNavigationMs.median)} / ${fmt(sk.fromNavigationMs.max)} ms); tries ${sk.tries.map((t) => `${t.fromStartMs ?? '—'}${t.exact ? '' : '?'} (reply ${t.split.startToReplyMs ?? '—'}, 1st packet ${t.split.startToFirstPacketMs ?? '—'})`).join(', ')} ms`,
    );
  const ts = r.timelineSeek;
  if (ts)
    for (const [label, m] of [
      ['playing', ts.playing],
      ['paused', ts.paused],
    ] as const)
      lines.push(timelineLine(label, ts, m));
  const ex = r.exportRun;
  if (ex)
    lines.push(
      `export ${ex.seconds} s of 720p H.264 to MP4: ${fmt(ex.timesRealTime, '×')} real time (${ex.wallMs} ms; ${ex.frames} frames written, ffprobe counts ${fmt(ex.probedFrames)} of ${ex.expectedFrames}; ${ex.remuxed ? 'remuxed' : 'encoded'}, ${ex.fileBytes} B)`,
    );
  const g = r.grid;
  if (g) {
    lines.push(
      `grid 2×2, 4 × 720p30 H.264 live into one topic (${g.windowMs} ms window): ${g.tiles.map((t) => `tile ${t.tile + 1} ${fmt(t.fps)} fps, p50/p95 ${fmt(t.latencyMs.p50)}/${fmt(t.latencyMs.p95)} ms`).join('; ')}; produced ${g.produced.join('/')} frames`,
    );
    const types = Object.entries(g.chromiumCpuPct)
      .sort((a, b) => b[1] - a[1])
      .map(([t, v]) => `${t} ${v}`)
      .join(', ');
    lines.push(`  ${g.bound.text}; Chromium by process: ${types || '—'}`);
    if (g.screenshot) lines.push(`  screenshot: ${g.screenshot}`);
  }
  const b = r.baseline;
  if (b && 'skipped' in b)
    lines.push(`baseline (tutorial, kafka-python + OpenCV): skipped — ${b.skipped}`);
  else if (b) {
    lines.push(
      `baseline (tutorial, kafka-python + OpenCV, no sleep): ${fmt(b.fps)} fps end to end (${b.received}/${b.frames} frames; producer ${fmt(b.produceFps)} fps, mean frame ${fmt(b.meanFrameBytes, ' B')}); latency to receipt p50/p95 ${fmt(b.latencyMs.p50)}/${fmt(b.latencyMs.p95)} ms`,
    );
    const q = ratios(r);
    lines.push(
      `ratios ours/baseline: fps ${fmt(q.fps, '×')} (max-rate 720p vs baseline), latency p50 ${fmt(q.latencyP50, '×')}, p95 ${fmt(q.latencyP95, '×')} (ours to the screen at 30 fps vs theirs to receipt at max rate)`,
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function timelineLine(label: string, ts: TimelineSeek, m: TimelineSeekMode): string {
  const tries = m.tries
    .map((t) =>
      t.error !== null
        ? 'failed'
        : `frame ${fmt(t.frame)} (+${fmt(t.intoGop)}) ${fmt(t.clickToDrawnMs)}${t.exact ? '' : '?'} [reply ${fmt(t.split.replyMs)}, 1st packet ${fmt(t.split.firstPacketMs)}, target packet ${fmt(t.split.targetPacketMs)}]`,
    )
    .join('; ');
  return `timeline seek, ${label} (${ts.topicSeconds} s H.264 topic, keyframe every ${ts.keyframeIntervalFrames} frames): click → target drawn median ${fmt(m.clickToDrawnMs.median)} / max ${fmt(m.clickToDrawnMs.max)} ms (reply ${fmt(m.replyMs.median)}/${fmt(m.replyMs.max)}, 1st packet ${fmt(m.firstPacketMs.median)}/${fmt(m.firstPacketMs.max)}, target packet ${fmt(m.targetPacketMs.median)}/${fmt(m.targetPacketMs.max)}); ${tries}`;
}
