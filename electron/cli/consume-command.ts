/**
 * `kvs consume`: read a video stream from a topic. JPEG and PNG frames can be written as
 * frame-000001.jpg, …; H.264 access units as one Annex B file per stream (`<streamId>.h264`),
 * which ffmpeg and ffprobe read as they are.
 */
import { mkdir } from 'node:fs/promises';
import { KvsError } from '../shared/errors.js';
import { formatBytes } from '../core/kafka/producer.js';
import { startViewer, type StartFrom, type ViewerFrame } from '../core/kafka/viewer.js';
import {
  BOOTSTRAP_OPTION,
  intOption,
  parseCommand,
  requireOption,
  timeOption,
  type CommandSpec,
  type DocumentedOptions,
} from './args.js';
import type { CliIo } from './cli-io.js';
import { FrameWriter } from './frame-writer.js';
import { makeProgressLine } from './progress-line.js';
import {
  kafkaFromOptions,
  requireBootstrapOrConfig,
  SECURITY_NOTES,
  SECURITY_OPTIONS,
} from './security-options.js';

export const CONSUME = {
  usage: 'kvs consume --bootstrap <list> --topic <name>',
  summary: 'Read a video stream from a topic: live (default), from the beginning or from a time.',
  maxPositionals: 0,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ...SECURITY_OPTIONS,
    topic: { type: 'string', value: '<name>', help: 'the topic (required)' },
    stream: {
      type: 'string',
      value: 'ID',
      help: 'only this stream of the topic (its id: kvs streams lists them); default: every stream',
    },
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
    out: {
      type: 'string',
      value: '<dir>',
      help: 'write images as frame-000001.jpg, …, and H.264 as one <streamId>.h264 file per stream',
    },
    json: { type: 'boolean', help: 'end with one JSON line of counts on stdout' },
  },
  notes: [
    'H.264 streams are counted like images (one access unit = one frame). With --out, each stream',
    'is written as one Annex B file, <streamId>.h264 (ffplay, ffprobe and ffmpeg read it as is).',
    ...SECURITY_NOTES,
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

export async function consumeCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const { values } = parseCommand(CONSUME, argv);
  if (values['from-beginning'] && values['from-time'] !== undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Choose either --from-beginning or --from-time, not both.',
    );
  requireBootstrapOrConfig(values);
  const topic = requireOption(values.topic, 'topic', 'demo');
  if (values.stream === '') throw new KvsError('INVALID_ARGUMENT', '--stream must not be empty.');
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
  const writer = outDir ? new FrameWriter(outDir) : null;
  const codecs: Record<string, number> = {};
  let keyframes = 0;
  const handle = await kafkaFromOptions(values, io);
  const progressLine = makeProgressLine(io);

  let lastArrival = Date.now();
  let stopReason = 'stopped';
  const viewer = await startViewer(handle, {
    topic,
    from,
    pace: values.pace === true,
    ...(values.stream !== undefined ? { streamId: values.stream } : {}),
    onFrame: async (f: ViewerFrame) => {
      lastArrival = Date.now();
      const codec = f.type === 'video/h264' ? (f.codec ?? 'h264') : f.type;
      codecs[codec] = (codecs[codec] ?? 0) + 1;
      if (f.type === 'video/h264' && f.keyframe) keyframes++;
      await writer?.write(f);
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
  const files = (await writer?.close()) ?? [];
  progressLine.done(
    `Received ${stats.frames} frames from "${topic}"${values.stream !== undefined ? `, stream "${values.stream}"` : ''} (${stopReason}); ${stats.skipped} skipped, ${stats.gaps} missing, ${formatBytes(stats.bytes)}${outDir ? `; written to ${outDir}${files.length > 0 ? ` (${files.join(', ')})` : ''}` : ''}.`,
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
        codecs,
        keyframes,
      }),
    );
  if (viewer.state === 'failed')
    throw new KvsError(
      'KAFKA_ERROR',
      `The viewer stopped on an error after ${stats.frames} frames.`,
    );
  return 0;
}
