/**
 * `npm run soak [-- --minutes 10] [--json] [--bootstrap host:port] [--interval 10]`: does a long
 * looped 720p stream keep the app services' memory flat?
 *
 * Starts a fresh local KRaft broker of its own (instance `soak-<pid>`, a free port; stopped and
 * its data removed at the end, also on errors and Ctrl-C) unless --bootstrap is given. Then, in
 * this Node process: createAppServices (temp user-data folder), connect, open a cached 720p30 testsrc2
 * video, `watch:start` live with a simulated page that acks every frame packet, and
 * `produce:start` real time + loop. Every --interval seconds (default 10) it forces a full GC and
 * samples RSS (process.memoryUsage() and /proc/self/status), heap, external and array buffers,
 * the frame counters, and the RSS of the ffmpeg child.
 *
 * At the end: the curve as a table, the least-squares slope of RSS over the second half (MB/min),
 * and a verdict — "flat" when the second half's slope and growth are under the thresholds in
 * analysis.ts. Exit code 0 when flat, 1 otherwise (growing, interrupted, frames stalled, failed).
 * Progress goes to stderr; with --json the last stdout line is one JSON object.
 *
 * Run with `node --expose-gc --import tsx` (npm run soak does) so the heap figures are after a real
 * collection; without the flag it turns it on at run time (see memory.ts). RSS is as measured.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '../../electron/core/kafka/client.js';
import { createTopic } from '../../electron/core/kafka/topics.js';
import { createAppServices, type AppServices } from '../../electron/services/app-services.js';
import { call } from '../test-support/service-calls.js';
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
  WatchStatsEvent,
} from '../../electron/shared/contract.js';
import { startFreshBroker, stopBroker } from '../local-kafka/index.js';
import { testVideo } from '../bench/videos.js';
import {
  FLAT_MAX_GROWTH_MB,
  FLAT_MAX_SLOPE_MB_PER_MIN,
  formatTable,
  secondHalf,
  trendOfSecondHalf,
  verdictOf,
  type Trend,
  type Verdict,
} from './analysis.js';
import { ffmpegChildrenRss, gcExposed, mb, readMemory } from './memory.js';
import { attachPage, type SimulatedPage } from './page.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';

const VIDEO = { width: 1280, height: 720, seconds: 20, fps: 30 } as const;
/**
 * The soak topic keeps little: 720p JPEGs at 30 fps are ~4 MB/s, so 10 minutes would be ~2–3 GB
 * on disk with the app's default topic config. (The broker checks retention every 5 minutes.)
 */
const TOPIC_CONFIG = {
  'retention.bytes': String(256 * 1024 * 1024),
  'segment.bytes': String(32 * 1024 * 1024),
  'retention.ms': String(5 * 60 * 1000),
};

export interface Args {
  minutes: number;
  intervalS: number;
  json: boolean;
  bootstrap: string | null;
}

const USAGE =
  'Usage: npm run soak [-- --minutes 10] [--json] [--bootstrap host:port] [--interval 10]';

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { minutes: 10, intervalS: 10, json: false, bootstrap: null };
  const value = (name: string, v: string | undefined): string => {
    if (v === undefined || v === '' || v.startsWith('--'))
      throw new Error(`${name} needs a value. ${USAGE}`);
    return v;
  };
  const positive = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`${name} must be a positive number, got "${v}".`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const next = (): string => value(name, inline ?? argv[++i]);
    if (name === '--json' && inline === undefined) a.json = true;
    else if (name === '--minutes') a.minutes = positive(name, next());
    else if (name === '--interval') a.intervalS = positive(name, next());
    else if (name === '--bootstrap') a.bootstrap = next();
    else throw new Error(`Unknown option ${arg}. ${USAGE}`);
  }
  return a;
}

export interface Sample {
  /** Seconds since the measurement started (frames were flowing). */
  readonly t: number;
  /** process.memoryUsage().rss, MB. */
  readonly rssMb: number;
  /** VmRSS of /proc/self/status, MB. */
  readonly vmRssMb: number | null;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
  /** Frames the producer handed to Kafka, and of them acknowledged by the broker. */
  readonly produced: number;
  readonly kafkaAcked: number;
  /** Frames the viewer consumed, and frame packets the simulated page received and acked. */
  readonly viewerFrames: number;
  readonly pageFrames: number;
  readonly pageAcks: number;
  /** Frames the app services' newest-wins gate replaced (the page fell behind). */
  readonly dropped: number;
  /** RSS of the live ffmpeg children (the running loop pass), MB. */
  readonly ffmpegRssMb: number | null;
  /** process.getActiveResourcesInfo().length: handles and requests keeping the loop alive. */
  readonly activeResources: number;
}

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

const log = (line: string): void => void process.stderr.write(`soak: ${line}\n`);

/**
 * The latest progress / stats / ended event per job and viewer id (the soak has one of each, so
 * this stays tiny: the soak itself must not grow). Events of a call can come before its reply
 * gives the id, so everything is kept by id and read by id.
 */
class Latest {
  private readonly progress = new Map<string, ProduceProgressEvent>();
  private readonly stats = new Map<string, WatchStatsEvent>();
  private readonly ended = new Map<string, ProduceEndedEvent>();
  readonly off: () => void;

  constructor(services: AppServices) {
    this.off = services.onEvent((channel, payload) => {
      if (channel === 'produce:progress') this.progress.set(payload.jobId, payload);
      else if (channel === 'produce:ended') this.ended.set(payload.jobId, payload);
      else if (channel === 'watch:stats') this.stats.set(payload.viewerId, payload);
    });
  }

  progressOf(jobId: string | null): ProduceProgressEvent | null {
    return jobId === null ? null : (this.progress.get(jobId) ?? null);
  }

  endedOf(jobId: string | null): ProduceEndedEvent | null {
    return jobId === null ? null : (this.ended.get(jobId) ?? null);
  }

  statsOf(viewerId: string | null): WatchStatsEvent | null {
    return viewerId === null ? null : (this.stats.get(viewerId) ?? null);
  }
}

function takeSample(
  t: number,
  latest: Latest,
  ids: { jobId: string; viewerId: string },
  page: SimulatedPage,
): Sample {
  const m = readMemory({ gc: true });
  const progress = latest.progressOf(ids.jobId);
  const stats = latest.statsOf(ids.viewerId);
  const ff = ffmpegChildrenRss();
  return {
    t,
    rssMb: mb(m.rss),
    vmRssMb: m.vmRss === null ? null : mb(m.vmRss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    produced: progress?.frames ?? 0,
    kafkaAcked: progress?.acked ?? 0,
    viewerFrames: stats?.frames ?? 0,
    pageFrames: page.total.frames,
    pageAcks: page.total.acks,
    dropped: stats?.dropped ?? 0,
    ffmpegRssMb: ff.rss === null ? null : mb(ff.rss),
    activeResources: process.getActiveResourcesInfo().length,
  };
}

/** Resolves after `ms`, or early (false) when `signal` aborts. */
async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (signal.aborted) throw new Error('interrupted');
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await wait(100, signal);
  }
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

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      log(`${sig}: stopping, cleaning up (the broker is stopped and its data removed)…`);
      stop.abort();
    } else if (signals === 2) log('still cleaning up; press Ctrl-C once more to quit at once');
    else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const notes: string[] = [];
  const load = os.loadavg()[0] ?? 0;
  if (load > 1)
    notes.push(`load average was ${load.toFixed(2)} at the start (other work on this machine)`);
  if (!gcExposed()) notes.push('run without --expose-gc: gc was turned on at run time');
  const brokerName = `soak-${process.pid}`;
  let brokerStarted = false;
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'kvs-soak-user-'));
  let services: AppServices | null = null;
  let failure: string | null = null;
  const samples: Sample[] = [];
  let bootstrap = args.bootstrap ?? '';
  let video = '';
  try {
    log(`making / finding the ${VIDEO.width}x${VIDEO.height} test video (cached)…`);
    video = await testVideo(VIDEO.width, VIDEO.height, VIDEO.seconds, VIDEO.fps);
    if (args.bootstrap === null) {
      log(`starting a fresh local Kafka broker (KRaft, instance ${brokerName})…`);
      brokerStarted = true;
      const b = await startFreshBroker(brokerName);
      bootstrap = b.bootstrap;
      log(`Kafka ${b.kafkaVersion} is up at ${bootstrap}`);
    }
    if (stop.signal.aborted) throw new Error('interrupted');

    const topic = `soak-${process.pid}-${randomBytes(3).toString('hex')}`;
    await createTopic(createKafka({ bootstrap }), topic, { config: TOPIC_CONFIG });

    services = createAppServices({ userDataDir, allowOpenPath: true });
    const latest = new Latest(services);
    const page = attachPage(services, { ack: true });
    await call(services, 'connection:connect', { bootstrap });
    const { videoId } = await call(services, 'video:open-path', { path: video });
    const { viewerId } = await call(services, 'watch:start', {
      viewerId: newViewerId(),
      topic,
      from: { kind: 'live' },
      pace: false,
    });
    // the live viewer starts at the end of the topic once it has joined: wait for that first
    await waitUntil(
      () => latest.statsOf(viewerId)?.state === 'playing',
      'the viewer to join',
      30_000,
      stop.signal,
    );
    const { jobId } = await call(services, 'produce:start', {
      videoId,
      topic,
      realtime: true,
      loop: true,
      format: 'kvs',
    });
    await waitUntil(
      () => page.total.frames > 0,
      'the first frame on the page',
      60_000,
      stop.signal,
    );
    log(`frames are flowing; sampling every ${args.intervalS} s for ${args.minutes} min`);

    const durationMs = args.minutes * 60_000;
    const t0 = performance.now();
    for (let i = 0; ; i++) {
      const due = i * args.intervalS * 1000;
      if (due > durationMs + 1) break;
      if (!(await wait(t0 + due - performance.now(), stop.signal))) break;
      const s = takeSample(Math.round(due / 1000), latest, { jobId, viewerId }, page);
      samples.push(s);
      log(
        `t=${s.t}s rss=${s.rssMb.toFixed(1)} MB heap=${s.heapUsedMb.toFixed(1)} MB ext=${s.externalMb.toFixed(1)} MB page=${s.pageFrames} acked=${s.kafkaAcked} dropped=${s.dropped} ffmpeg=${s.ffmpegRssMb ?? '–'} MB`,
      );
      const ended = latest.endedOf(jobId);
      if (ended !== null) {
        failure = `the produce job ended: ${JSON.stringify(ended)}`;
        break;
      }
      const stats = latest.statsOf(viewerId);
      if (stats?.state === 'failed' || stats?.state === 'stopped') {
        failure = `the viewer is ${stats.state}: ${JSON.stringify(stats.error)}`;
        break;
      }
    }
    if (failure !== null) log(failure);

    log('stopping the job and the viewer…');
    await call(services, 'produce:stop', { jobId });
    await call(services, 'watch:stop', { viewerId });
    await call(services, 'topics:delete', { topic }).catch((e: unknown) =>
      notes.push(`could not delete topic ${topic}: ${String(e)}`),
    );
    page.off();
    latest.off();
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    log(`failed: ${failure}`);
  } finally {
    await services?.dispose().catch(() => undefined);
    if (brokerStarted) {
      log('stopping the broker and removing its data…');
      await stopBroker({ name: brokerName, removeData: true }).catch((e: unknown) =>
        log(`could not stop the broker: ${String(e)}`),
      );
    }
    await rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const interrupted = stop.signal.aborted;
  if (interrupted) notes.push('interrupted: the curve is partial');
  const half = secondHalf(samples);
  // frames must have kept coming through the whole second half, or a flat curve proves nothing
  const framesKeptFlowing =
    half.length >= 2 &&
    half.every((s, i) => i === 0 || s.pageFrames > (half[i - 1]?.pageFrames ?? 0));
  const rss = trendOfSecondHalf(samples.map((s) => ({ t: s.t, y: s.rssMb })));
  const heap = trendOfSecondHalf(samples.map((s) => ({ t: s.t, y: s.heapUsedMb })));
  const verdict: Verdict = framesKeptFlowing && failure === null ? verdictOf(rss) : 'unknown';
  const result: SoakResult = {
    minutes: args.minutes,
    intervalS: args.intervalS,
    bootstrap,
    brokerStarted,
    video,
    gcExposed: gcExposed(),
    samples,
    rss,
    heap,
    thresholds: { slopeMbPerMin: FLAT_MAX_SLOPE_MB_PER_MIN, growthMb: FLAT_MAX_GROWTH_MB },
    framesKeptFlowing,
    interrupted,
    failure,
    verdict,
    notes,
  };
  const text = report(result);
  if (args.json) {
    process.stderr.write(`${text}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else process.stdout.write(`${text}\n`);
  return verdict === 'flat' && !interrupted ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
