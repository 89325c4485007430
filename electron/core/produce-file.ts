/**
 * Produce a video file into a topic: the file is checked and probed first (a
 * bad file fails before any network step), then frames flow from ffmpeg through
 * the ordered producer with backpressure end to end.
 */
import { KvsError } from '../shared/errors.js';
import { locateFfmpeg, type FfmpegPaths } from './ffmpeg/locate-ffmpeg.js';
import { openFrameSource, type FrameSourceInfo, type VideoCodec } from './ffmpeg/frame-source.js';
import { createJpegShrinker } from './ffmpeg/shrink-jpeg.js';
import type { KafkaHandle } from './kafka/client.js';
import { produceFrames, rawIsJpegOnly, type ProduceOptions, type ProduceProgress, type ProduceResult } from './kafka/producer.js';

export interface ProduceFileOptions extends Omit<ProduceOptions, 'fps' | 'onProgress'> {
  readonly fps?: number | undefined;
  readonly maxWidth?: number | undefined;
  readonly maxHeight?: number | undefined;
  readonly quality?: number | undefined;
  /** 'jpeg' (default) or 'h264'; the raw (tutorial) format is JPEG only. */
  readonly codec?: VideoCodec | undefined;
  /** H.264: kbit/s (default from the size), or a CRF instead; seconds between keyframes. */
  readonly bitrateKbps?: number | undefined;
  readonly crf?: number | undefined;
  readonly keyframeIntervalS?: number | undefined;
  readonly realtime?: boolean;
  readonly loop?: boolean;
  /** Called once the file is probed, before any frame is sent. */
  readonly onInfo?: (info: FrameSourceInfo) => void;
  /** `total` is the estimated number of frames (null when looping or unknown). */
  readonly onProgress?: (p: ProduceProgress, total: number | null) => void;
}

export interface ProduceFileResult extends ProduceResult {
  readonly info: FrameSourceInfo;
}

export async function produceFile(
  handle: KafkaHandle,
  file: string,
  opts: ProduceFileOptions,
  deps: { ffmpeg?: FfmpegPaths } = {},
): Promise<ProduceFileResult> {
  if (opts.codec === 'h264' && opts.format === 'raw') throw rawIsJpegOnly();
  const ff = deps.ffmpeg ?? (await locateFfmpeg());
  const source = await openFrameSource(
    file,
    {
      ...(opts.fps !== undefined ? { fps: opts.fps } : {}),
      ...(opts.maxWidth !== undefined ? { maxWidth: opts.maxWidth } : {}),
      ...(opts.maxHeight !== undefined ? { maxHeight: opts.maxHeight } : {}),
      ...(opts.quality !== undefined ? { quality: opts.quality } : {}),
      ...(opts.codec !== undefined ? { codec: opts.codec } : {}),
      ...(opts.bitrateKbps !== undefined ? { bitrateKbps: opts.bitrateKbps } : {}),
      ...(opts.crf !== undefined ? { crf: opts.crf } : {}),
      ...(opts.keyframeIntervalS !== undefined ? { keyframeIntervalS: opts.keyframeIntervalS } : {}),
      realtime: opts.realtime ?? false,
      loop: opts.loop ?? false,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    ff,
  );
  opts.onInfo?.(source.info);
  const total = opts.loop ? null : source.info.frameCountEstimate;
  try {
    const result = await produceFrames(
      handle,
      source,
      {
        ...opts,
        fps: source.info.fps,
        onProgress: (p: ProduceProgress) => opts.onProgress?.(p, total),
      },
      { shrinkJpeg: createJpegShrinker(ff.ffmpegPath), lowerRate: () => source.lowerRate() },
    );
    return { ...result, cancelled: result.cancelled || source.cancelled, info: source.info };
  } catch (e) {
    if (e instanceof KvsError) throw e;
    throw new KvsError('INTERNAL', e instanceof Error ? e.message : String(e));
  } finally {
    await source.cancel();
  }
}
