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
 *
 * This file runs the soak; the command line is args.ts, a sample sampling.ts, the printed report
 * report.ts.
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
import { startFreshBroker, stopBroker } from '../local-kafka/index.js';
import { testVideo } from '../bench/videos.js';
import {
  FLAT_MAX_GROWTH_MB,
  FLAT_MAX_SLOPE_MB_PER_MIN,
  secondHalf,
  trendOfSecondHalf,
  verdictOf,
  type Verdict,
} from './analysis.js';
import { parseArgs } from './args.js';
import { gcExposed } from './memory.js';
import { attachPage } from './page.js';
import { report, type SoakResult } from './report.js';
import { Latest, takeSample, type Sample } from './sampling.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';

export { parseArgs, type Args } from './args.js';
export { report, type SoakResult } from './report.js';
export { type Sample } from './sampling.js';

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

const log = (line: string): void => void process.stderr.write(`soak: ${line}\n`);

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
