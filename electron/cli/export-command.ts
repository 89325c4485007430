/**
 * `kvs export`: a time range of one stream of a topic to an MP4 file. H.264 is remuxed without
 * re-encoding, JPEG/PNG streams are encoded to H.264 (electron/core/export).
 */
import { KvsError } from '../shared/errors.js';
import { formatBytes } from '../core/kafka/producer.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { exportStream } from '../core/export/export-stream.js';
import type { ExportRange } from '../core/export/export-range.js';
import {
  BOOTSTRAP_OPTION,
  parseCommand,
  requireOption,
  timeOption,
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
  type SecurityValues,
} from './security-options.js';

export const EXPORT = {
  usage: 'kvs export --bootstrap <list> --topic <name> <out.mp4>',
  summary:
    'Write a time range of one stream of a topic to an MP4 file: H.264 is copied as it is (no re-encoding), JPEG streams are encoded to H.264.',
  maxPositionals: 1,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ...SECURITY_OPTIONS,
    topic: { type: 'string', value: '<name>', help: 'the topic (required)' },
    stream: {
      type: 'string',
      value: '<id>',
      help: 'the stream id to export (default: the first stream found)',
    },
    from: {
      type: 'string',
      value: '<ISO or ms>',
      help: 'start at this time (default: the beginning of the topic)',
    },
    to: {
      type: 'string',
      value: '<ISO or ms>',
      help: 'end before this time (default: the end of the topic)',
    },
    force: { type: 'boolean', help: 'replace the file if it exists' },
    json: { type: 'boolean', help: 'end with one JSON line (frames, durationMs, bytes, …)' },
  },
  notes: [
    'Times are message timestamps. An H.264 export from a time starts at the last keyframe before',
    'it (at most one keyframe interval early), so the file plays from its first frame.',
    'The file is written as <out.mp4>.part and renamed when complete; nothing is left on failure.',
    ...SECURITY_NOTES,
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

export interface ExportArgs {
  /** --bootstrap and the security options, resolved when the command runs (files, environment). */
  readonly connection: SecurityValues & { readonly bootstrap?: string };
  readonly topic: string;
  readonly streamId: string | undefined;
  readonly range: ExportRange;
  readonly out: string;
  readonly force: boolean;
  readonly json: boolean;
}

function rangeTime(value: string | undefined, name: 'from' | 'to'): number | undefined {
  try {
    return timeOption(value);
  } catch {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--${name} "${value ?? ''}" is neither an ISO time (2026-11-25T10:00:00Z) nor milliseconds since 1970.`,
    );
  }
}

/** The command line as options (no I/O). */
export function parseExportArgs(argv: string[]): ExportArgs {
  const { values, positionals } = parseCommand(EXPORT, argv);
  requireBootstrapOrConfig(values);
  const topic = requireOption(values.topic, 'topic', 'demo');
  const [out] = positionals;
  if (out === undefined || out === '')
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Name the MP4 file to write, e.g. kvs export --bootstrap … --topic demo clip.mp4.',
    );
  if (values.stream === '') throw new KvsError('INVALID_ARGUMENT', '--stream must not be empty.');
  const fromMs = rangeTime(values.from, 'from');
  const toMs = rangeTime(values.to, 'to');
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs)
    throw new KvsError('INVALID_ARGUMENT', '--to must be after --from.');
  return {
    connection: values,
    topic,
    streamId: values.stream,
    range: { ...(fromMs !== undefined && { fromMs }), ...(toMs !== undefined && { toMs }) },
    out,
    force: values.force === true,
    json: values.json === true,
  };
}

export async function exportCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const args = parseExportArgs(argv);
  const { ffmpegPath } = await locateFfmpeg();
  const progressLine = makeProgressLine(io);
  const result = await exportStream(await kafkaFromOptions(args.connection, io), {
    topic: args.topic,
    streamId: args.streamId,
    range: args.range,
    out: args.out,
    force: args.force,
    ffmpegPath,
    signal,
    onProgress: (p) =>
      progressLine.update(`exported ${p.frames} frames (${Math.round(p.share * 100)} %)`),
  });
  const stream = result.streamId === null ? 'the headerless stream' : `stream "${result.streamId}"`;
  progressLine.done(
    `Exported ${result.frames} frames (${(result.durationMs / 1000).toFixed(2)} s) of ${stream} from "${args.topic}" to ${result.file}, ${formatBytes(result.bytes)}; ${result.remuxed ? 'H.264 copied, not re-encoded' : 'images encoded to H.264'}.`,
  );
  if (result.notTaken.beforeKeyframe > 0)
    progressLine.note(
      `note: ${result.notTaken.beforeKeyframe} H.264 frames before the stream's first keyframe were left out (no decoder can start there).`,
    );
  if (args.json)
    io.out(
      JSON.stringify({
        frames: result.frames,
        durationMs: result.durationMs,
        bytes: result.bytes,
        codec: result.codec,
        remuxed: result.remuxed,
        file: result.file,
        streamId: result.streamId,
        source: result.source,
      }),
    );
  return 0;
}
