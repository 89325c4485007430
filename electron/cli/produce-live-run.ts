/**
 * `kvs produce <url>` and `kvs produce --device NAME`: which source the command line names (a
 * file, a URL, a camera), and the run of a live source — its progress line (time and rate, no
 * total), a note when it stalls, drops, reconnects or reads again, and the end line. Every line
 * that could hold the URL goes through redactUrl.
 */
import { KvsError } from '../shared/errors.js';
import { redactUrl } from '../shared/redact-url.js';
import {
  deviceNameProblem,
  inputFormatProblem,
  looksLikeUrl,
  sourceUrlProblem,
  type LiveInput,
  type SourceInput,
} from '../shared/source-input.js';
import { describeRate } from '../core/ffmpeg/h264-plan.js';
import type { LiveStatus } from '../core/ffmpeg/live-frame-source.js';
import { formatBytes, undeliveredError } from '../core/kafka/producer.js';
import { produceLive } from '../core/produce-live.js';
import { intOption, numberOption, requireOption } from './args.js';
import type { CliIo } from './cli-io.js';
import type { CodecChoice } from './produce-command.js';
import { makeProgressLine } from './progress-line.js';
import { streamNameOption } from './stream-name-option.js';
import {
  kafkaFromOptions,
  requireBootstrapOrConfig,
  type SecurityValues,
} from './security-options.js';

/** The parsed options of `kvs produce` a live run reads. */
export type LiveValues = SecurityValues & {
  readonly bootstrap?: string | undefined;
  readonly topic?: string | undefined;
  readonly fps?: string | undefined;
  readonly width?: string | undefined;
  readonly height?: string | undefined;
  readonly quality?: string | undefined;
  readonly realtime?: boolean | undefined;
  readonly loop?: boolean | undefined;
  readonly raw?: boolean | undefined;
  readonly 'no-create'?: boolean | undefined;
  readonly 'refuse-oversize'?: boolean | undefined;
  readonly 'stream-id'?: string | undefined;
  readonly 'stream-name'?: string | undefined;
  readonly 'retry-budget-ms'?: string | undefined;
  readonly json?: boolean | undefined;
  readonly device?: string | undefined;
  readonly 'input-format'?: string | undefined;
  readonly frames?: string | undefined;
  readonly 'source-timeout'?: string | undefined;
  readonly 'stall-timeout'?: string | undefined;
};

const LIVE_ONLY = ['frames', 'source-timeout', 'stall-timeout', 'input-format'] as const;

/** The source the command names: exactly one of a file or URL (the argument) and --device. */
export function sourceFromArgs(arg: string | undefined, values: LiveValues): SourceInput {
  const device = values.device;
  if (arg !== undefined && device !== undefined)
    throw new KvsError('INVALID_ARGUMENT', 'Give either a file or URL, or --device, not both.');
  if (device !== undefined) {
    const problem = deviceNameProblem(device);
    if (problem) throw new KvsError('INVALID_ARGUMENT', problem);
    const format = values['input-format'];
    if (format !== undefined) {
      const p = inputFormatProblem(format);
      if (p) throw new KvsError('INVALID_ARGUMENT', p);
    }
    return { kind: 'device', device, ...(format !== undefined ? { inputFormat: format } : {}) };
  }
  if (arg === undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Name the video file or stream to produce, e.g. kvs produce video.mp4 --bootstrap 10.0.0.5:9092 --topic demo (or an rtsp:// URL, or --device /dev/video0).',
    );
  if (values['input-format'] !== undefined)
    throw new KvsError('INVALID_ARGUMENT', '--input-format goes with --device.');
  if (looksLikeUrl(arg)) {
    const problem = sourceUrlProblem(arg);
    if (problem) throw new KvsError('INVALID_ARGUMENT', problem);
    return { kind: 'url', url: arg };
  }
  const liveOnly = LIVE_ONLY.find((k) => values[k] !== undefined);
  if (liveOnly)
    throw new KvsError('INVALID_ARGUMENT', `--${liveOnly} is for a URL or --device, not a file.`);
  return { kind: 'file', path: arg };
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The note for a change of the source's state. */
export function sourceNote(s: LiveStatus): string {
  if (s.state === 'reading')
    return `The source is sending again (after ${s.reconnects} reconnect${s.reconnects === 1 ? '' : 's'}).`;
  const why = s.error ? redactUrl(s.error.message) : 'no frames';
  return s.state === 'stalled'
    ? `warning: ${why}`
    : `warning: ${why}${s.reconnects > 0 ? ` (reconnect ${s.reconnects})` : ''}`;
}

export async function produceLiveRun(
  input: LiveInput,
  values: LiveValues,
  codec: CodecChoice,
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  if (values.loop)
    throw new KvsError(
      'INVALID_ARGUMENT',
      '--loop is for files: a live source goes on until Ctrl-C (or --frames).',
    );
  if (values.realtime)
    throw new KvsError(
      'INVALID_ARGUMENT',
      '--realtime is for files: a live source comes at its own pace.',
    );
  const frames = intOption(values.frames, 'frames', 1, 1_000_000_000);
  const sourceTimeout = numberOption(values['source-timeout'], 'source-timeout', 1, 600);
  const stallTimeout = numberOption(values['stall-timeout'], 'stall-timeout', 1, 600);
  requireBootstrapOrConfig(values);
  const topic = requireOption(values.topic, 'topic', 'demo');
  const handle = await kafkaFromOptions(values, io);
  const line = makeProgressLine(io);
  const label = input.kind === 'url' ? redactUrl(input.url) : `camera ${input.device}`;
  line.note(`Opening ${label} …`);
  const result = await produceLive(handle, input, {
    topic,
    fps: numberOption(values.fps, 'fps', 0.1, 240),
    maxWidth: intOption(values.width, 'width', 16, 8192),
    maxHeight: intOption(values.height, 'height', 16, 8192),
    quality: intOption(values.quality, 'quality', 1, 100),
    ...codec,
    format: values.raw ? 'raw' : 'kvs',
    createTopic: values['no-create'] !== true,
    oversize: values['refuse-oversize'] ? 'refuse' : 'shrink',
    ...(values['stream-id'] ? { streamId: values['stream-id'] } : {}),
    ...streamNameOption(values['stream-name'], values.raw === true),
    retryBudgetMs: intOption(values['retry-budget-ms'], 'retry-budget-ms', 0, 3_600_000),
    maxFrames: frames,
    timeoutMs: sourceTimeout === undefined ? undefined : sourceTimeout * 1000,
    stallMs: stallTimeout === undefined ? undefined : stallTimeout * 1000,
    signal,
    onInfo: (info) =>
      line.note(
        `Live: ${info.h264 ? `H.264 ${info.width}x${info.height}, ${describeRate(info.h264.rate)}` : `JPEG ${info.width}x${info.height}`}` +
          ` (the source says ${info.input.fps === null ? 'no rate' : `${Math.round(info.input.fps * 100) / 100} fps`}); Ctrl-C stops.`,
      ),
    onWarning: (w) => line.note(`warning: ${redactUrl(w.message)}`),
    onBrokerState: (state, err) =>
      line.note(
        state === 'connected'
          ? 'Kafka answers again; sending resumed.'
          : state === 'reconnecting'
            ? `warning: Kafka is not answering (${err?.message ?? 'no answer'}); retrying, frames wait.`
            : 'warning: Kafka is still unreachable after the retry budget; frames are counted as not delivered until it is back.',
      ),
    onSourceStatus: (s) => line.note(sourceNote(s)),
    onProgress: (p, live) =>
      line.update(
        `live ${clock(p.elapsedMs)}: sent ${p.acked} frames, ${p.failed} failed, ${p.fps.toFixed(1)} fps, ${(p.bytesPerSec / 1e6).toFixed(2)} MB/s` +
          `${live.state === 'reading' ? '' : `, source ${live.state}`}${live.reconnects > 0 ? `, ${live.reconnects} reconnects` : ''}`,
      ),
  });
  line.done(
    `${result.cancelled || frames === undefined ? 'Stopped' : 'Done'}: ${result.acked} of ${result.frames} frames acknowledged on "${result.topic}" (stream ${result.streamId}), ` +
      `${formatBytes(result.bytes)} in ${(result.durationMs / 1000).toFixed(1)} s` +
      `${result.reconnects > 0 ? `; the source was connected again ${result.reconnects} time${result.reconnects === 1 ? '' : 's'}` : ''}.`,
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
        live: true,
        reconnects: result.reconnects,
        codec: result.info.codec,
        codecString: result.codec,
        keyframes: result.keyframes,
      }),
    );
  const undelivered = undeliveredError(result);
  if (undelivered) throw undelivered;
  return 0;
}
