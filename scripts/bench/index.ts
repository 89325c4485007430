/**
 * `npm run bench [-- --json] [--quick] [--only seek|grid] [--grid-screenshot <png>] [--bootstrap <list>]`: fps, latency and CPU from file to
 * screen, beside the tutorial's Python pipeline, in one run. See docs/BENCHMARKS.md.
 *
 * Starts a fresh local KRaft broker (stopped at the end, also on errors and Ctrl-C) unless
 * --bootstrap is given; makes the test videos; then runs, one after the other (2 cores: nothing
 * runs beside a measurement but what it measures):
 *   rt720       720p30 produced in real time, drawn live by the app in headless Chromium
 *   firstFrame  press Start (from the beginning) → first frame drawn
 *   rt720h264 / rt1080h264  the same as rt720 with H.264 (720p30, 1080p30)
 *   seek        a long H.264 topic stamped as in real time; open the page at a time → first frame
 *               ("new viewer at a time": what a fresh start costs)
 *   timelineSeek the same topic and points: a click on the timeline's scrub bar (the same viewer
 *               seeks), playing and paused → the target's first frame drawn
 *   export      60 s of that topic to an MP4 (core exportStream) → × real time
 *   grid        four 720p30 H.264 streams produced live into one 4-partition topic, drawn in the
 *               page's 2×2 grid: per-tile fps and p95 latency, CPU per process (grid-run.ts);
 *               --grid-screenshot saves a PNG of it playing
 *   max720/360  produce as fast as possible + core viewer in this process, end to end
 *   baseline    baseline_producer.py / baseline_consumer.py (kafka-python + OpenCV)
 * `--only seek`: only the seek topic and the two seek runs (and the export of that topic).
 * `--only grid`: only the grid run.
 * Progress goes to stderr; with --json the last stdout line is one JSON object.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { launchChromium } from '../test-support/chromium.js';
import { startServer, type RunningServer } from '../../electron/browser/browser-server.js';
import { createKafka } from '../../electron/core/kafka/client.js';
import { startFreshBroker, stopBroker } from '../local-kafka/index.js';
import { runBaseline, type Baseline } from './baseline.js';
import {
  runFirstFrame,
  runRealtime,
  type BenchContext,
  type FirstFrame,
  type Realtime,
} from './browser-runs.js';
import { runExport, type ExportRun } from './export-run.js';
import { runH264Realtime } from './h264-runs.js';
import { describeMachine } from './machine.js';
import { runMaxRate, type MaxRate } from './max-rate.js';
import { toJson, toTable, type Results } from './report.js';
import { runSeek, type Seek } from './seek-run.js';
import { runTimelineSeek, type TimelineSeek } from './timeline-seek-run.js';
import { runGrid, type GridRun } from './grid-run.js';
import { h264Stream, writeStampedTopic, type StampedTopic } from './seek-topic.js';
import { testVideo } from './videos.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Parts that can be run alone (`--only`). */
const ONLY = ['seek', 'grid'] as const;
type Only = (typeof ONLY)[number];

interface Args {
  json: boolean;
  quick: boolean;
  only: Only | null;
  bootstrap: string | null;
  gridScreenshot: string | null;
}

const USAGE =
  'Usage: npm run bench [-- --json] [--quick] [--only seek|grid] [--grid-screenshot <png>] [--bootstrap <list>]';

function onlyValue(v: string | undefined): Only {
  const hit = ONLY.find((o) => o === v);
  if (hit === undefined) throw new Error(`--only takes one of: ${ONLY.join(', ')}. ${USAGE}`);
  return hit;
}

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { json: false, quick: false, only: null, bootstrap: null, gridScreenshot: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--json') a.json = true;
    else if (v === '--quick') a.quick = true;
    else if (v === '--only') a.only = onlyValue(argv[++i]);
    else if (v?.startsWith('--only=')) a.only = onlyValue(v.slice('--only='.length));
    else if (v === '--bootstrap') {
      const next = argv[++i];
      if (!next) throw new Error('--bootstrap needs a value, e.g. --bootstrap 127.0.0.1:9092');
      a.bootstrap = next;
    } else if (v?.startsWith('--bootstrap=')) a.bootstrap = v.slice('--bootstrap='.length);
    else if (v === '--grid-screenshot') {
      const next = argv[++i];
      if (!next) throw new Error('--grid-screenshot needs a file, e.g. docs/grid.png');
      a.gridScreenshot = path.resolve(next);
    } else throw new Error(`Unknown option ${v}. ${USAGE}`);
  }
  return a;
}

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd: root, maxBuffer: 64 << 20 }, (err, _o, stderr) =>
      err
        ? reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).slice(-2000)}`))
        : resolve(),
    ),
  );
}

const load1 = (): number => Math.round((os.loadavg()[0] ?? 0) * 100) / 100;

/** The 1-minute load average when each run began and ended (other work on the machine shows here). */
const stageLoads: Array<{ stage: string; start: number; end: number }> = [];

async function stage<T>(name: string, notes: string[], fn: () => Promise<T>): Promise<T | null> {
  const t0 = performance.now();
  const start = load1();
  try {
    log(`${name}… (load average ${start})`);
    const out = await fn();
    const end = load1();
    stageLoads.push({ stage: name, start, end });
    log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${end})`);
    return out;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log(`${name} failed: ${msg}`);
    notes.push(`${name} failed: ${msg.split('\n')[0]}`);
    process.exitCode = 1;
    return null;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const stop = new AbortController();
  const onSignal = (): void => {
    log('interrupted: cleaning up…');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const machine = describeMachine();
  const notes: string[] = [];
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const load = loadAtStart[0] ?? 0;
  if (load > 0.5)
    notes.push(
      `load average was ${load.toFixed(2)} at the start: other work on this machine adds noise`,
    );
  const brokerName = `bench-${process.pid}`;
  let startedBroker = false;
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'kvs-bench-user-'));
  const pageDir = await mkdtemp(path.join(os.tmpdir(), 'kvs-bench-page-'));
  let results: Results | null = null;
  try {
    const builtDir = path.join(root, 'out/renderer');
    if (!existsSync(path.join(builtDir, 'index.html'))) {
      log('the page is not built: running `npx electron-vite build`…');
      await run('npx', ['electron-vite', 'build']);
    }
    // serve a copy: a build elsewhere in this tree (a test run) replaces out/ mid-run otherwise
    await cp(builtDir, pageDir, { recursive: true });
    const staticDir = pageDir;

    // videos first (their making is not measured)
    const rtSeconds = args.quick ? 4 : 60;
    const maxSeconds = args.quick ? 2 : 20;
    log('making the test videos (cached after the first run)…');
    const all = args.only === null;
    const v720rt = all ? await testVideo(1280, 720, rtSeconds) : '';
    const v720max = all ? await testVideo(1280, 720, maxSeconds) : '';
    const v360max = all ? await testVideo(640, 360, maxSeconds) : '';
    const v1080rt = all ? await testVideo(1920, 1080, rtSeconds) : '';
    const doGrid = all || args.only === 'grid';
    const gridWindowSeconds = args.quick ? 4 : 30;
    // the grid's streams: warm-up (~10 s: tiles pick their streams and start) + the window + slack
    const vGrid = doGrid ? await testVideo(1280, 720, gridWindowSeconds + 20) : '';
    const doSeek = all || args.only === 'seek';
    // the seek topic's stream: 10 minutes (--quick: 20 s), 720p30 H.264, made once (~2 min)
    const seekSeconds = args.quick ? 20 : 600;
    const seekStream = doSeek ? await h264Stream(1280, 720, seekSeconds) : null;

    let bootstrap = args.bootstrap;
    let brokerPid: number | null = null;
    if (bootstrap === null) {
      log('starting a fresh local Kafka broker (KRaft)…');
      startedBroker = true;
      const b = await startFreshBroker(brokerName);
      bootstrap = b.bootstrap;
      brokerPid = b.pids.broker ?? null;
      machine.kafka = `${b.kafkaVersion} (KRaft, local, 1 broker)`;
      log(`Kafka ${b.kafkaVersion} is up at ${bootstrap} (pid ${brokerPid ?? '?'})`);
    } else {
      machine.kafka = `external (${bootstrap})`;
      notes.push('--bootstrap given: the broker is not ours, so its CPU is not measured');
    }
    if (stop.signal.aborted) throw new Error('interrupted');

    const handle = createKafka({ bootstrap });
    server = await startServer({ host: '127.0.0.1', port: 0, staticDir, userDataDir });
    browser = await launchChromium();
    machine.chromium = browser.version();
    const ctx: BenchContext = {
      handle,
      server,
      browser,
      bootstrap,
      brokerPid,
      signal: stop.signal,
      log,
    };

    if (!all) notes.push(`--only ${args.only}: the other runs were skipped`);
    const rt720: Realtime | null = !all
      ? null
      : await stage('rt720 (720p30 real time, drawn in Chromium)', notes, () =>
          runRealtime(ctx, v720rt),
        );
    // --quick (CI's smoke test) skips the second real-time run to stay short
    const rt720Unpaced: Realtime | null =
      stop.signal.aborted || args.quick || !all
        ? null
        : await stage('rt720 again with "Recorded speed" off (live, not paced)', notes, () =>
            runRealtime(ctx, v720rt, { pace: false }),
          );
    const firstFrame: FirstFrame | null =
      rt720 && !stop.signal.aborted
        ? await stage('time to first frame', notes, () => runFirstFrame(ctx, rt720.topic))
        : null;
    const rt720h264: Realtime | null =
      stop.signal.aborted || !all
        ? null
        : await stage('rt720h264 (720p30 H.264 real time, drawn in Chromium)', notes, () =>
            runH264Realtime(ctx, v720rt, 'rt720h264'),
          );
    const rt1080h264: Realtime | null =
      stop.signal.aborted || !all
        ? null
        : await stage('rt1080h264 (1080p30 H.264 real time, drawn in Chromium)', notes, () =>
            runH264Realtime(ctx, v1080rt, 'rt1080h264'),
          );
    const seekTopic: StampedTopic | null =
      stop.signal.aborted || seekStream === null
        ? null
        : await stage(`writing a ${seekSeconds} s H.264 topic stamped as in real time`, notes, () =>
            writeStampedTopic(handle, seekStream, {
              topic: `bench-seek-${Date.now().toString(36)}`,
              width: 1280,
              height: 720,
              fps: 30,
              frames: seekSeconds * 30,
            }),
          );
    const seek: Seek | null =
      seekTopic && !stop.signal.aborted
        ? await stage(
            'seek by opening a new viewer at a time → first target frame drawn',
            notes,
            () => runSeek(ctx, seekTopic, args.quick ? 3 : 5),
          )
        : null;
    const timelineSeek: TimelineSeek | null =
      seekTopic && !stop.signal.aborted
        ? await stage('seek on the timeline (click) → first target frame drawn', notes, () =>
            runTimelineSeek(ctx, seekTopic, args.quick ? 3 : 5),
          )
        : null;
    const grid: GridRun | null =
      stop.signal.aborted || !doGrid
        ? null
        : await stage('grid (4 × 720p30 H.264 live, one topic, 2×2 grid in Chromium)', notes, () =>
            runGrid(ctx, {
              video: vGrid,
              windowSeconds: gridWindowSeconds,
              cores: machine.cores,
              screenshot: args.gridScreenshot,
            }),
          );
    await browser.close();
    browser = null;
    const exportRun: ExportRun | null =
      seekTopic && !stop.signal.aborted
        ? await stage('export 720p H.264 to MP4', notes, () =>
            runExport(handle, seekTopic, args.quick ? 10 : 60, stop.signal),
          )
        : null;
    const max720: MaxRate | null =
      stop.signal.aborted || !all
        ? null
        : await stage('max720 (as fast as possible)', notes, () =>
            runMaxRate(handle, v720max, 'max720', brokerPid, stop.signal),
          );
    const max360: MaxRate | null =
      stop.signal.aborted || !all
        ? null
        : await stage('max360 (as fast as possible)', notes, () =>
            runMaxRate(handle, v360max, 'max360', brokerPid, stop.signal),
          );
    const baseline: Baseline | null =
      stop.signal.aborted || !all
        ? null
        : await stage('baseline (tutorial pipeline, kafka-python + OpenCV)', notes, () =>
            runBaseline(handle, bootstrap, v720rt, rtSeconds * 30, stop.signal),
          );
    if (stop.signal.aborted) notes.push('interrupted: the figures are partial');
    notes.push(
      'app CPU is this Node process: the app services (kvs serve, kafkajs) and the benchmark harness itself',
    );
    notes.push(
      'ffmpeg CPU includes ffprobe and any other child of this process that ended during the window',
    );
    results = {
      machine,
      loadAverage: {
        start: loadAtStart,
        end: os.loadavg().map((x) => Math.round(x * 100) / 100),
        byStage: stageLoads,
      },
      quick: args.quick,
      rt720,
      rt720Unpaced,
      max720,
      max360,
      firstFrame,
      rt720h264,
      rt1080h264,
      seek,
      timelineSeek,
      exportRun,
      grid,
      baseline,
      notes,
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    if (startedBroker) {
      log('stopping the broker…');
      await stopBroker({ name: brokerName, removeData: true }).catch((e: unknown) =>
        log(`could not stop the broker: ${String(e)}`),
      );
    }
    await rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
    await rm(pageDir, { recursive: true, force: true }).catch(() => undefined);
  }
  if (results) {
    if (args.json) {
      process.stderr.write(`${toTable(results)}\n`);
      process.stdout.write(`${JSON.stringify(toJson(results))}\n`);
    } else process.stdout.write(`${toTable(results)}\n`);
  }
}

main()
  .then(() => process.exit())
  .catch((e: unknown) => {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
