/**
 * `kvs` — the command line over the Electron-free core: produce a video into a
 * topic, consume it back, list topics. Thin: parse arguments, call the core,
 * print. Exit 0 on success; otherwise one line `kvs: <message>` on stderr and
 * exit 1 (2 for a usage error).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KvsError, toKvsError } from '../shared/errors.js';
import { createKafka } from '../core/kafka/client.js';
import { createTopic, deleteTopic, listTopics } from '../core/kafka/topics.js';
import { startViewer, type StartFrom, type ViewerFrame } from '../core/kafka/viewer.js';
import { produceFile } from '../core/produce-file.js';
import { formatBytes, undeliveredError } from '../core/kafka/producer.js';
import {
  BOOTSTRAP_OPTION,
  HelpRequested,
  intOption,
  numberOption,
  parseCommand,
  requireOption,
  timeOption,
  type CommandSpec,
  type DocumentedOptions,
} from './args.js';
import { processIo, type CliIo } from './cli-io.js';
import { doctorCommand } from './doctor-command.js';
import { serveCommand } from './serve.js';
import { serverCommand, setupCommand } from './setup-command.js';

const defaultIo: CliIo = processIo;

const USAGE = `Kafka Video Studio command line

Usage:
  kvs produce <file> --bootstrap <list> --topic <name> [--fps N] [--width W] [--height H]
              [--quality Q] [--realtime|--max-rate] [--loop] [--raw] [--no-create]
              [--refuse-oversize] [--stream-id ID] [--retry-budget-ms 20000] [--json]
  kvs consume --bootstrap <list> --topic <name> [--from-beginning|--from-time <ISO or ms>]
              [--max-frames N] [--timeout-ms T] [--until-eos] [--pace] [--out <dir>] [--json]
  kvs topics --bootstrap <list> [--json]
  kvs topics create <name> --bootstrap <list> [--partitions N]
  kvs topics delete <name> --bootstrap <list>
  kvs serve [--host 127.0.0.1] [--port N] [--open-path]
              the app in a browser: prints http://127.0.0.1:PORT/?token=… (Ctrl-C stops it)
  kvs setup --host <ip> --user <name> [--ssh-port 22] [--key <file>|--password-stdin]
              [--sudo-password-stdin] [--mode kraft|zookeeper] [--kafka-version V]
              [--kafka-tarball <file>|--kafka-url <mirror>] [--advertise <ip>]
              [--zookeeper auto|zookeeperd|bundled] [--install-dir /opt/kafka]
              [--accept-new-host-key|--host-key SHA256:…]
              [--known-hosts <file>] [--dry-run] [--json]
              install Kafka on a server over SSH (passwords: stdin lines, SSH first)
  kvs server start|stop|status|uninstall --host <ip> --user <name> [login options]
              [--install-dir /opt/kafka] [--remove-data] [--json]

  kvs doctor --bootstrap <list> [--topic <name> --frame-bytes N] [--json]
              why a broker cannot be used from here, and the exact fix (exit 2: problems found)

--bootstrap is the broker address from its advertised.listeners, e.g. 10.0.0.5:9092.
kvs <command> --help lists one command's options.
`;

// ---- the commands' options (their --help is generated from these) -----------------------------------

export const PRODUCE = {
  usage: 'kvs produce <file> --bootstrap <list> --topic <name>',
  summary: 'Stream a video file into a Kafka topic, one JPEG message per frame.',
  maxPositionals: 1,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    topic: {
      type: 'string',
      value: '<name>',
      help: 'the topic (created when missing, unless --no-create) (required)',
    },
    fps: {
      type: 'string',
      value: 'N',
      help: "frames per second (default: the video's own, at most 240)",
    },
    width: {
      type: 'string',
      value: 'W',
      help: 'fit frames inside this width (keeps the aspect ratio)',
    },
    height: { type: 'string', value: 'H', help: 'fit frames inside this height' },
    quality: { type: 'string', value: 'Q', help: 'JPEG quality 1–100 (default 85)' },
    realtime: { type: 'boolean', help: "send at the video's own pace" },
    'max-rate': { type: 'boolean', help: 'send as fast as possible (the default)' },
    loop: { type: 'boolean', help: 'start again at the end, until Ctrl-C' },
    raw: { type: 'boolean', help: "bare JPEG values, no key or headers (the tutorial's format)" },
    'no-create': {
      type: 'boolean',
      help: 'fail when the topic does not exist instead of creating it',
    },
    'refuse-oversize': {
      type: 'boolean',
      help: "stop on a frame over the topic's max.message.bytes instead of shrinking it",
    },
    'stream-id': {
      type: 'string',
      value: 'ID',
      help: "the stream id (the messages' key; default: a new one)",
    },
    'retry-budget-ms': {
      type: 'string',
      value: 'MS',
      help: 'how long to retry while the broker is gone (default 20000)',
    },
    json: { type: 'boolean', help: 'end with one JSON line of counts on stdout' },
  },
} as const satisfies CommandSpec<DocumentedOptions>;

export const CONSUME = {
  usage: 'kvs consume --bootstrap <list> --topic <name>',
  summary: 'Read a video stream from a topic: live (default), from the beginning or from a time.',
  maxPositionals: 0,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    topic: { type: 'string', value: '<name>', help: 'the topic (required)' },
    'from-beginning': { type: 'boolean', help: 'start at the oldest message' },
    'from-time': { type: 'string', value: '<ISO or ms>', help: 'start at this time' },
    'max-frames': { type: 'string', value: 'N', help: 'stop after N frames' },
    'timeout-ms': {
      type: 'string',
      value: 'T',
      help: 'stop when nothing new came for T ms (default 10000 when not live)',
    },
    'until-eos': { type: 'boolean', help: 'stop at the first end-of-stream marker' },
    pace: { type: 'boolean', help: 'at the recorded speed' },
    out: { type: 'string', value: '<dir>', help: 'write each frame as frame-000001.jpg, …' },
    json: { type: 'boolean', help: 'end with one JSON line of counts on stdout' },
  },
} as const satisfies CommandSpec<DocumentedOptions>;

export const TOPICS = {
  usage: 'kvs topics [create <name> | delete <name>] --bootstrap <list>',
  summary: 'List the topics (partitions, messages, time range), or create or delete one.',
  maxPositionals: 2,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    partitions: { type: 'string', value: 'N', help: 'partitions of a topic to create (default 1)' },
    internal: {
      type: 'boolean',
      help: "also list Kafka's internal topics (__consumer_offsets, …)",
    },
    json: { type: 'boolean', help: 'print JSON' },
  },
} as const satisfies CommandSpec<DocumentedOptions>;

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    switch (command) {
      case 'produce':
        return await produceCommand(rest, io, controller.signal);
      case 'consume':
        return await consumeCommand(rest, io, controller.signal);
      case 'topics':
        return await topicsCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io, controller.signal);
      case 'setup':
        return await setupCommand(rest, io, controller.signal);
      case 'server':
        return await serverCommand(rest, io, controller.signal);
      case 'doctor':
        return await doctorCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.err(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new KvsError('INVALID_ARGUMENT', `Unknown command "${command}". Try: kvs help`);
    }
  } catch (e) {
    if (e instanceof HelpRequested) {
      for (const line of e.text.trimEnd().split('\n')) io.out(line);
      return 0;
    }
    const err = toKvsError(e);
    io.err(`kvs: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (process.env.KVS_DEBUG && err.detail) io.err(`${err.detail}\n`);
    return err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function produceCommand(argv: string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommand(PRODUCE, argv);
  const file = positionals[0];
  if (!file)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Name the video file to produce, e.g. kvs produce video.mp4 --bootstrap 10.0.0.5:9092 --topic demo.',
    );
  if (values.realtime && values['max-rate'])
    throw new KvsError('INVALID_ARGUMENT', 'Choose either --realtime or --max-rate, not both.');
  const bootstrap = requireOption(values.bootstrap, 'bootstrap', '10.0.0.5:9092');
  const topic = requireOption(values.topic, 'topic', 'demo');
  const handle = createKafka({ bootstrap });
  const progressLine = makeProgressLine(io);
  const result = await produceFile(handle, file, {
    topic,
    fps: numberOption(values.fps, 'fps', 0.1, 240),
    maxWidth: intOption(values.width, 'width', 16, 8192),
    maxHeight: intOption(values.height, 'height', 16, 8192),
    quality: intOption(values.quality, 'quality', 1, 100),
    realtime: values.realtime === true,
    loop: values.loop === true,
    format: values.raw ? 'raw' : 'kvs',
    createTopic: values['no-create'] !== true,
    oversize: values['refuse-oversize'] ? 'refuse' : 'shrink',
    ...(values['stream-id'] ? { streamId: values['stream-id'] } : {}),
    retryBudgetMs: intOption(values['retry-budget-ms'], 'retry-budget-ms', 0, 3_600_000),
    signal,
    onWarning: (w) => progressLine.note(`warning: ${w.message}`),
    onBrokerState: (state, err) =>
      progressLine.note(
        state === 'connected'
          ? 'Kafka answers again; sending resumed.'
          : state === 'reconnecting'
            ? `warning: Kafka is not answering (${err?.message ?? 'no answer'}); retrying, frames wait.`
            : 'warning: Kafka is still unreachable after the retry budget; frames are counted as not delivered until it is back.',
      ),
    onProgress: (p, total) =>
      progressLine.update(
        `sent ${p.acked}${total ? `/${total}` : ''} frames, ${p.failed} failed, ${p.fps.toFixed(1)} fps, ${(p.bytesPerSec / 1e6).toFixed(2)} MB/s`,
      ),
  });
  progressLine.done(
    `${result.cancelled ? 'Stopped' : 'Done'}: ${result.acked} of ${result.frames} frames acknowledged on "${result.topic}" (stream ${result.streamId}), ` +
      `${formatBytes(result.bytes)} in ${(result.durationMs / 1000).toFixed(1)} s${result.shrunk ? `, ${result.shrunk} re-encoded smaller to fit` : ''}.`,
  );
  if (values.json)
    io.out(
      JSON.stringify({
        frames: result.frames,
        acked: result.acked,
        failed: result.failed,
        bytes: result.bytes,
        durationMs: result.durationMs,
        topic: result.topic,
        streamId: result.streamId,
        longestOutageMs: result.longestOutageMs,
      }),
    );
  const undelivered = undeliveredError(result);
  if (undelivered) throw undelivered;
  return 0;
}

async function consumeCommand(argv: string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const { values } = parseCommand(CONSUME, argv);
  if (values['from-beginning'] && values['from-time'] !== undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Choose either --from-beginning or --from-time, not both.',
    );
  const bootstrap = requireOption(values.bootstrap, 'bootstrap', '10.0.0.5:9092');
  const topic = requireOption(values.topic, 'topic', 'demo');
  const maxFrames = intOption(values['max-frames'], 'max-frames', 1, Number.MAX_SAFE_INTEGER);
  const fromTime = timeOption(values['from-time']);
  const from: StartFrom = values['from-beginning']
    ? { kind: 'beginning' }
    : fromTime !== undefined
      ? { kind: 'timestamp', ms: fromTime }
      : { kind: 'live' };
  // Idle limit: stop when nothing has arrived for this long (live viewing waits forever by default).
  const idleMs =
    intOption(values['timeout-ms'], 'timeout-ms', 1, 24 * 3600 * 1000) ??
    (from.kind === 'live' ? undefined : 10_000);
  const outDir = values.out;
  if (outDir) await mkdir(outDir, { recursive: true });
  const handle = createKafka({ bootstrap });
  const progressLine = makeProgressLine(io);

  let written = 0;
  let lastArrival = Date.now();
  let stopReason = 'stopped';
  const viewer = await startViewer(handle, {
    topic,
    from,
    pace: values.pace === true,
    onFrame: async (f: ViewerFrame) => {
      lastArrival = Date.now();
      if (outDir) {
        written++;
        const ext = f.type === 'image/png' ? 'png' : 'jpg';
        await writeFile(
          path.join(outDir, `frame-${String(written).padStart(6, '0')}.${ext}`),
          f.image,
        );
      }
      progressLine.update(
        `received ${viewer.stats.frames} frames, ${viewer.stats.skipped} skipped, ${viewer.stats.gaps} missing`,
      );
      if (maxFrames !== undefined && viewer.stats.frames >= maxFrames) {
        stopReason = `reached --max-frames ${maxFrames}`;
        void viewer.stop();
      }
    },
    onSkip: () => {
      lastArrival = Date.now();
    },
    onEndOfStream: () => {
      lastArrival = Date.now();
      if (values['until-eos']) {
        stopReason = 'end of stream';
        void viewer.stop();
      }
    },
    onState: (state, err) => {
      if (err && state !== 'failed') progressLine.note(`warning: ${err.message}`);
    },
  });
  const idleTimer =
    idleMs === undefined
      ? undefined
      : setInterval(
          () => {
            if (Date.now() - lastArrival >= idleMs) {
              stopReason = `nothing new for ${idleMs} ms`;
              void viewer.stop();
            }
          },
          Math.min(250, idleMs),
        );
  const onAbort = (): void => void viewer.stop();
  signal.addEventListener('abort', onAbort);
  const stats = await viewer.done;
  signal.removeEventListener('abort', onAbort);
  if (idleTimer) clearInterval(idleTimer);
  progressLine.done(
    `Received ${stats.frames} frames from "${topic}" (${stopReason}); ${stats.skipped} skipped, ${stats.gaps} missing, ${formatBytes(stats.bytes)}${outDir ? `; written to ${outDir}` : ''}.`,
  );
  if (values.json)
    io.out(
      JSON.stringify({
        frames: stats.frames,
        skipped: stats.skipped,
        gaps: stats.gaps,
        repeats: stats.repeats,
        bytes: stats.bytes,
        firstSeq: stats.firstSeq,
        lastSeq: stats.lastSeq,
      }),
    );
  if (viewer.state === 'failed')
    throw new KvsError(
      'KAFKA_ERROR',
      `The viewer stopped on an error after ${stats.frames} frames.`,
    );
  return 0;
}

async function topicsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(TOPICS, argv);
  const bootstrap = requireOption(values.bootstrap, 'bootstrap', '10.0.0.5:9092');
  const handle = createKafka({ bootstrap });
  const [action, name] = positionals;
  if (action === 'create' || action === 'delete') {
    if (!name)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `Name the topic to ${action}, e.g. kvs topics ${action} demo --bootstrap ${bootstrap}.`,
      );
    if (action === 'create')
      await createTopic(handle, name, {
        partitions: intOption(values.partitions, 'partitions', 1, 1000) ?? 1,
      });
    else await deleteTopic(handle, name);
    io.err(`Topic "${name}" ${action === 'create' ? 'created' : 'deleted'}.\n`);
    if (values.json) io.out(JSON.stringify({ topic: name, action }));
    return 0;
  }
  if (action !== undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Unknown topics action "${action}": use create or delete, or nothing to list.`,
    );
  const topics = await listTopics(handle, { includeInternal: values.internal === true });
  if (values.json) {
    io.out(JSON.stringify({ topics }));
    return 0;
  }
  if (topics.length === 0) io.out(`No topics on ${handle.bootstrap}.`);
  const fmt = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());
  for (const t of topics)
    io.out(
      `${t.name}\tpartitions=${t.partitions}\tmessages=${t.messages}\tfrom=${fmt(t.firstTimestamp)}\tto=${fmt(t.lastTimestamp)}`,
    );
  return 0;
}

/** One updating status line on a terminal (stderr); occasional lines otherwise. */
function makeProgressLine(io: CliIo) {
  let last = 0;
  let shown = false;
  return {
    update(text: string): void {
      const now = Date.now();
      if (now - last < (io.isTTY ? 200 : 2000)) return;
      last = now;
      if (io.isTTY) {
        io.err(`\r\x1b[K${text}`);
        shown = true;
      } else io.err(`${text}\n`);
    },
    note(text: string): void {
      if (shown) io.err('\r\x1b[K');
      shown = false;
      io.err(`${text}\n`);
    },
    done(text: string): void {
      if (shown) io.err('\r\x1b[K');
      shown = false;
      io.err(`${text}\n`);
    },
  };
}
