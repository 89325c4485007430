/** `kvs produce`: a video file into a topic, as H.264 access units (default) or JPEG images. */
import { KvsError } from '../shared/errors.js';
import { streamNameProblem } from '../shared/stream-name.js';
import { formatBytes, undeliveredError } from '../core/kafka/producer.js';
import { produceFile } from '../core/produce-file.js';
import type { VideoCodec } from '../core/ffmpeg/frame-source.js';
import { describeRate } from '../core/ffmpeg/h264-plan.js';
import {
  BOOTSTRAP_OPTION,
  intOption,
  numberOption,
  parseCommand,
  requireOption,
  type CommandSpec,
  type DocumentedOptions,
} from './args.js';
import type { CliIo } from './cli-io.js';
import { makeProgressLine } from './progress-line.js';
import {
  kafkaFromOptions,
  requireBootstrapOrConfig,
  SECURITY_NOTES,
  SECURITY_OPTIONS,
} from './security-options.js';

export const PRODUCE = {
  usage: 'kvs produce <file> --bootstrap <list> --topic <name>',
  summary:
    'Stream a video file into a Kafka topic, one message per frame: an H.264 access unit (the default) or a JPEG image.',
  maxPositionals: 1,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ...SECURITY_OPTIONS,
    topic: {
      type: 'string',
      value: '<name>',
      help: 'the topic (created when missing, unless --no-create) (required)',
    },
    codec: {
      type: 'string',
      value: 'h264|jpeg',
      help: 'h264 (the default) or jpeg; --raw sends JPEG',
    },
    bitrate: {
      type: 'string',
      value: '<rate>',
      help: 'H.264 bitrate, e.g. 2M or 1500k (default: 0.06 bits per pixel, 720p30 ≈ 1.7M)',
    },
    crf: {
      type: 'string',
      value: 'N',
      help: 'H.264 constant quality 0–51 instead of a bitrate (lower is better)',
    },
    'keyframe-interval': {
      type: 'string',
      value: 'S',
      help: 'seconds between H.264 keyframes (default 1)',
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
    raw: {
      type: 'boolean',
      help: "bare JPEG values, no key or headers (the tutorial's format; JPEG only)",
    },
    'no-create': {
      type: 'boolean',
      help: 'fail when the topic does not exist instead of creating it',
    },
    'refuse-oversize': {
      type: 'boolean',
      help: "stop on a frame over the topic's max.message.bytes instead of shrinking it (H.264: lowering the bitrate)",
    },
    'stream-id': {
      type: 'string',
      value: 'ID',
      help: "the stream id (the messages' key; default: a new one)",
    },
    'stream-name': {
      type: 'string',
      value: 'NAME',
      help: "the stream's name, sent in every frame's kvs-stream-name header (any text, 1–100 characters)",
    },
    'retry-budget-ms': {
      type: 'string',
      value: 'MS',
      help: 'how long to retry while the broker is gone (default 20000)',
    },
    json: { type: 'boolean', help: 'end with one JSON line of counts on stdout' },
  },
  notes: [
    'H.264 is the default: one access unit per message (Annex B, SPS/PPS before every keyframe,',
    'no B-frames), about 6–10× smaller than JPEG. With --raw (the tutorial format) the default is',
    'JPEG, and --codec h264 is refused. --bitrate and --crf are for H.264 only, and not together.',
    ...SECURITY_NOTES,
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

/** `--bitrate`: 2M, 1500k, 800K or bits per second (ffmpeg's way) → kbit/s. */
export function bitrateOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(value.trim());
  if (!m)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--bitrate must be a rate like 2M or 1500k, got "${value}".`,
    );
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  const kbps = Math.round(unit === 'm' ? n * 1000 : unit === 'k' ? n : n / 1000);
  if (kbps < 50 || kbps > 100_000)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--bitrate must be between 50k and 100M, got "${value}".`,
    );
  return kbps;
}

export interface CodecChoice {
  readonly codec: VideoCodec;
  readonly bitrateKbps?: number;
  readonly crf?: number;
  readonly keyframeIntervalS?: number;
}

/** The codec and its options from the command line, checked against each other. */
export function codecOptions(values: {
  codec?: string | undefined;
  bitrate?: string | undefined;
  crf?: string | undefined;
  'keyframe-interval'?: string | undefined;
  quality?: string | undefined;
  raw?: boolean | undefined;
}): CodecChoice {
  const given = values.codec;
  if (given !== undefined && given !== 'h264' && given !== 'jpeg')
    throw new KvsError('INVALID_ARGUMENT', `--codec must be h264 or jpeg, got "${given}".`);
  if (values.raw && given === 'h264')
    throw new KvsError(
      'INVALID_ARGUMENT',
      "--raw sends the tutorial's format, bare JPEG images: it cannot carry H.264. Drop --raw, or use --codec jpeg.",
    );
  const codec: VideoCodec = given ?? (values.raw ? 'jpeg' : 'h264');
  const bitrateKbps = bitrateOption(values.bitrate);
  const crf = intOption(values.crf, 'crf', 0, 51);
  const keyframeIntervalS = numberOption(values['keyframe-interval'], 'keyframe-interval', 0.1, 60);
  if (bitrateKbps !== undefined && crf !== undefined)
    throw new KvsError('INVALID_ARGUMENT', 'Choose either --bitrate or --crf, not both.');
  if (codec === 'jpeg') {
    const h264Only = [
      ['bitrate', bitrateKbps],
      ['crf', crf],
      ['keyframe-interval', keyframeIntervalS],
    ].find(([, v]) => v !== undefined);
    if (h264Only)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `--${String(h264Only[0])} is for H.264; with JPEG use --quality.`,
      );
    return { codec };
  }
  if (values.quality !== undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      '--quality is for JPEG; for H.264 use --bitrate or --crf (or --codec jpeg).',
    );
  return {
    codec,
    ...(bitrateKbps === undefined ? {} : { bitrateKbps }),
    ...(crf === undefined ? {} : { crf }),
    ...(keyframeIntervalS === undefined ? {} : { keyframeIntervalS }),
  };
}

export async function produceCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const { values, positionals } = parseCommand(PRODUCE, argv);
  const file = positionals[0];
  if (!file)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Name the video file to produce, e.g. kvs produce video.mp4 --bootstrap 10.0.0.5:9092 --topic demo.',
    );
  if (values.realtime && values['max-rate'])
    throw new KvsError('INVALID_ARGUMENT', 'Choose either --realtime or --max-rate, not both.');
  const codec = codecOptions(values);
  requireBootstrapOrConfig(values);
  const topic = requireOption(values.topic, 'topic', 'demo');
  const handle = await kafkaFromOptions(values, io);
  const progressLine = makeProgressLine(io);
  const result = await produceFile(handle, file, {
    topic,
    fps: numberOption(values.fps, 'fps', 0.1, 240),
    maxWidth: intOption(values.width, 'width', 16, 8192),
    maxHeight: intOption(values.height, 'height', 16, 8192),
    quality: intOption(values.quality, 'quality', 1, 100),
    ...codec,
    realtime: values.realtime === true,
    loop: values.loop === true,
    format: values.raw ? 'raw' : 'kvs',
    createTopic: values['no-create'] !== true,
    oversize: values['refuse-oversize'] ? 'refuse' : 'shrink',
    ...(values['stream-id'] ? { streamId: values['stream-id'] } : {}),
    ...streamNameOption(values['stream-name'], values.raw === true),
    retryBudgetMs: intOption(values['retry-budget-ms'], 'retry-budget-ms', 0, 3_600_000),
    signal,
    onInfo: (info) =>
      progressLine.note(
        info.h264
          ? `H.264 ${info.width}x${info.height} at ${info.fps} fps, ${describeRate(info.h264.rate)}, a keyframe every ${info.h264.keyframeInterval} frames.`
          : `JPEG ${info.width}x${info.height} at ${info.fps} fps.`,
      ),
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
      `${formatBytes(result.bytes)} in ${(result.durationMs / 1000).toFixed(1)} s${result.shrunk ? `, ${result.shrunk} re-encoded smaller to fit` : ''}` +
      `${result.rateLowered ? `; lowered ${result.rateLowered} to fit` : ''}.`,
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
        codec: result.info.codec,
        codecString: result.codec,
        keyframes: result.keyframes,
        largestFrameBytes: result.largestFrameBytes,
        rateLowered: result.rateLowered,
      }),
    );
  const undelivered = undeliveredError(result);
  if (undelivered) throw undelivered;
  return 0;
}

/** `--stream-name`: checked by the shared rule; the raw format has no headers to carry it. */
function streamNameOption(name: string | undefined, raw: boolean): { streamName?: string } {
  if (name === undefined) return {};
  if (raw)
    throw new KvsError(
      'INVALID_ARGUMENT',
      "--raw sends the tutorial's format, bare images without headers: it has no place for --stream-name. Drop one of them.",
    );
  const problem = streamNameProblem(name);
  if (problem !== null) throw new KvsError('INVALID_ARGUMENT', `--stream-name: ${problem}`);
  return { streamName: name.trim() };
}
