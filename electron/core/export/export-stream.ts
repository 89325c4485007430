/**
 * Export a time range of one stream of a topic to an MP4 file: the viewer reads the range
 * (`untilCaughtUp`, so it ends at the topic's end as it was at the start), `RangeCut` picks the
 * frames, `Mp4Writer` remuxes H.264 (no re-encoding) or encodes images with libx264, and the file
 * appears only when complete (`export-target.ts`).
 *
 * - The stream is `streamId`, else the first stream seen (the result says which).
 * - Backpressure end to end: `onFrame` resolves when ffmpeg's stdin takes more, and the viewer
 *   fetches the next batch only then — the stream is never held in memory.
 * - Progress per frame: frames written and the range's share done (by message time when the range
 *   has an end, else by offset in the stream's partition against its end at the start).
 * - Cancel with an AbortSignal: ffmpeg is killed, the part file removed, CANCELLED thrown.
 * - Nothing to export (an empty range, a topic with no frames, an H.264 stream with no keyframe):
 *   EXPORT_EMPTY, and no file.
 */
import { stat } from 'node:fs/promises';
import { KvsError, toKvsError } from '../../shared/errors.js';
import type { KafkaHandle } from '../kafka/client.js';
import { partitionOffsets, withAdmin, type PartitionOffsets } from '../kafka/topics.js';
import { startViewer, type Viewer, type ViewerFrame } from '../kafka/viewer.js';
import type { MediaType } from '../kafka/wire-format.js';
import { checkRange, RangeCut, type CutCounts, type ExportRange } from './export-range.js';
import { commitTarget, discardTarget, prepareTarget } from './export-target.js';
import { assertLibx264 } from '../ffmpeg/libx264-check.js';
import { ExportTimeline } from './export-timeline.js';
import { Mp4Writer } from './mp4-writer.js';
import { passthroughOption } from '../ffmpeg/passthrough-option.js';

/** Frames per second when a stream does not say (headerless images): a lone frame's length. */
export const DEFAULT_EXPORT_FPS = 30;

export interface ExportProgress {
  readonly frames: number;
  /** 0…1 of the range done. */
  readonly share: number;
}

export interface ExportOptions {
  readonly topic: string;
  /** The stream to export; absent: the first stream seen. */
  readonly streamId?: string;
  readonly range?: ExportRange;
  /** The MP4 file to write. */
  readonly out: string;
  /** Replace an existing file. */
  readonly force?: boolean;
  readonly ffmpegPath: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExportProgress) => void;
}

export interface ExportResult {
  /** The file written (absolute). */
  readonly file: string;
  readonly frames: number;
  /** The file's length: the stream's pts (message time for headerless images) from the first
   * frame to the last, plus the last frame's length (export-timeline.ts). */
  readonly durationMs: number;
  /** Size of the file. */
  readonly bytes: number;
  /** The file's codec (always H.264). */
  readonly codec: 'h264';
  /** What the stream carried. */
  readonly source: MediaType;
  /** true: H.264 copied as it was; false: images encoded. */
  readonly remuxed: boolean;
  readonly streamId: string | null;
  readonly fps: number;
  /** Message timestamps of the first and last frame written. */
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
  readonly notTaken: CutCounts;
}

/** How far through the range a frame is. */
function shareOf(
  f: ViewerFrame,
  first: ViewerFrame,
  range: ExportRange,
  ends: readonly PartitionOffsets[],
): number {
  let share: number;
  if (range.toMs !== undefined)
    share = (f.timestamp - first.timestamp) / Math.max(1, range.toMs - first.timestamp);
  else {
    const high = ends.find((e) => e.partition === f.partition)?.high ?? 0;
    const start = Number(first.offset);
    share = (Number(f.offset) + 1 - start) / Math.max(1, high - start);
  }
  return Math.min(1, Math.max(0, share));
}

function emptyMessage(opts: ExportOptions, cut: RangeCut): string {
  const range = opts.range ?? {};
  const where =
    range.fromMs !== undefined || range.toMs !== undefined
      ? ` between ${range.fromMs !== undefined ? new Date(range.fromMs).toISOString() : 'the beginning'} and ${range.toMs !== undefined ? new Date(range.toMs).toISOString() : 'the end'}`
      : '';
  const stream = opts.streamId !== undefined ? ` of stream "${opts.streamId}"` : '';
  const why =
    cut.counts.beforeKeyframe > 0
      ? ` (${cut.counts.beforeKeyframe} H.264 frames came without a keyframe before them)`
      : cut.counts.otherStreams > 0 && opts.streamId !== undefined
        ? ` (${cut.counts.otherStreams} frames of other streams)`
        : '';
  return `Nothing to export: topic "${opts.topic}" has no frames${stream}${where}${why}. No file was written.`;
}

export async function exportStream(
  handle: KafkaHandle,
  opts: ExportOptions,
): Promise<ExportResult> {
  const range = checkRange(opts.range ?? {});
  const force = opts.force === true;
  if (opts.signal?.aborted) throw new KvsError('CANCELLED', 'The export was stopped.');
  const target = await prepareTarget(opts.out, force);
  const cut = new RangeCut(range, opts.streamId);
  let writer: Mp4Writer | undefined;
  let failure: KvsError | undefined;
  let viewer: Viewer | undefined;
  let stopWanted = false;
  let ends: PartitionOffsets[] = [];
  let first: ViewerFrame | undefined;
  let last: ViewerFrame | undefined;
  let frames = 0;
  let fps = DEFAULT_EXPORT_FPS;
  let timeline = new ExportTimeline(fps);
  const stop = (): void => {
    stopWanted = true;
    void viewer?.stop();
  };
  const onAbort = (): void => {
    failure ??= new KvsError('CANCELLED', 'The export was stopped.');
    stop();
    void writer?.abort();
  };

  const onFrame = async (f: ViewerFrame): Promise<void> => {
    if (stopWanted || failure) return;
    const verdict = cut.decide(f);
    if (verdict === 'stop') return stop();
    if (verdict === 'skip') return;
    try {
      if (writer === undefined) {
        // images are encoded to H.264: say so plainly if this ffmpeg cannot
        const encode = f.type !== 'video/h264';
        if (encode) await assertLibx264(opts.ffmpegPath);
        fps = f.fps !== null && f.fps > 0 ? f.fps : DEFAULT_EXPORT_FPS;
        timeline = new ExportTimeline(fps);
        writer = new Mp4Writer({
          ffmpegPath: opts.ffmpegPath,
          type: f.type,
          path: target.part,
          ...(encode ? { passthrough: await passthroughOption(opts.ffmpegPath) } : {}),
          width: f.width ?? 0,
          height: f.height ?? 0,
        });
        first = f;
      }
      await writer.write(f.image, timeline.next(f));
      frames++;
      last = f;
      opts.onProgress?.({ frames, share: shareOf(f, first ?? f, range, ends) });
    } catch (e) {
      // the viewer swallows what onFrame throws: keep it and stop
      failure ??= toKvsError(e, 'FFMPEG_FAILED');
      stop();
    }
  };

  opts.signal?.addEventListener('abort', onAbort);
  try {
    let viewerError: KvsError | undefined;
    viewer = await startViewer(handle, {
      topic: opts.topic,
      from:
        range.fromMs !== undefined
          ? { kind: 'timestamp', ms: range.fromMs }
          : { kind: 'beginning' },
      untilCaughtUp: true,
      onFrame,
      onState: (state, err) => {
        if (state === 'failed') viewerError = err;
      },
    });
    if (stopWanted) void viewer.stop();
    ends = await withAdmin(
      handle,
      (admin) => partitionOffsets(admin, opts.topic),
      opts.topic,
    ).catch(() => []);
    await viewer.done;
    if (failure) throw failure;
    if (viewer.state === 'failed')
      throw viewerError ?? new KvsError('KAFKA_ERROR', `Reading "${opts.topic}" failed.`);
    const stream = cut.stream;
    if (writer === undefined || first === undefined || last === undefined || stream === undefined)
      throw new KvsError('EXPORT_EMPTY', emptyMessage(opts, cut));
    await writer.finish();
    if (opts.signal?.aborted) throw failure ?? new KvsError('CANCELLED', 'The export was stopped.');
    await commitTarget(target, force);
    const bytes = (await stat(target.file)).size;
    return {
      file: target.file,
      frames,
      durationMs: timeline.durationMs,
      bytes,
      codec: 'h264',
      source: stream.type,
      remuxed: stream.type === 'video/h264',
      streamId: stream.id,
      fps,
      firstTimestamp: first.timestamp,
      lastTimestamp: last.timestamp,
      notTaken: { ...cut.counts },
    };
  } catch (e) {
    await viewer?.stop();
    await writer?.abort();
    await discardTarget(target);
    throw toKvsError(e);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
