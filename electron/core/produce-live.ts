/**
 * Produce a live source (a network URL or a camera) into a topic: probed first (a clear error
 * before any Kafka step), then frames flow through the same ordered producer as a file's, until
 * stopped (or `maxFrames`). A live source has no duration: progress has no total, and the
 * source's status (reading / stalled / reconnecting, reconnects, last frame time) comes with it.
 * The sibling of produce-file.ts; dependencies (ffmpeg paths, clock, platform) come as arguments.
 */
import { KvsError } from '../shared/errors.js';
import type { LiveInput } from '../shared/source-input.js';
import { locateFfmpeg, type FfmpegPaths } from './ffmpeg/locate-ffmpeg.js';
import type { FrameSourceInfo } from './ffmpeg/frame-source.js';
import type { LiveStatus } from './ffmpeg/live-frame-source.js';
import { openLiveSource, type OpenLiveDeps, type OpenLiveOptions } from './ffmpeg/live-source.js';
import { createJpegShrinker } from './ffmpeg/shrink-jpeg.js';
import type { KafkaHandle } from './kafka/client.js';
import {
  produceFrames,
  rawIsJpegOnly,
  type ProduceOptions,
  type ProduceProgress,
  type ProduceResult,
} from './kafka/producer.js';

export interface ProduceLiveOptions
  extends Omit<ProduceOptions, 'fps' | 'onProgress'>, Omit<OpenLiveOptions, 'signal' | 'onStatus'> {
  readonly codec?: 'jpeg' | 'h264' | undefined;
  /** Called once the source is probed, before any frame is sent. */
  readonly onInfo?: (info: FrameSourceInfo) => void;
  /** Progress with the source's status (a live source has no total). */
  readonly onProgress?: (p: ProduceProgress, live: LiveStatus) => void;
  /** The source's status changed (stalled, reconnecting, reading again). */
  readonly onSourceStatus?: (status: LiveStatus) => void;
}

export interface ProduceLiveResult extends ProduceResult {
  readonly info: FrameSourceInfo;
  readonly reconnects: number;
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

function defined<T extends object>(o: T): Partial<Defined<T>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<
    Defined<T>
  >;
}

export async function produceLive(
  handle: KafkaHandle,
  input: LiveInput,
  opts: ProduceLiveOptions,
  deps: { ffmpeg?: FfmpegPaths; source?: Partial<OpenLiveDeps> } = {},
): Promise<ProduceLiveResult> {
  if (opts.codec === 'h264' && opts.format === 'raw') throw rawIsJpegOnly();
  const ff = deps.ffmpeg ?? (await locateFfmpeg());
  let status: LiveStatus = { state: 'reading', reconnects: 0, lastFrameAt: null, error: null };
  let last: ProduceProgress | null = null;
  const source = await openLiveSource(
    input,
    {
      ...defined({
        fps: opts.fps,
        maxWidth: opts.maxWidth,
        maxHeight: opts.maxHeight,
        quality: opts.quality,
        codec: opts.codec,
        bitrateKbps: opts.bitrateKbps,
        crf: opts.crf,
        keyframeIntervalS: opts.keyframeIntervalS,
      }),
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      stallMs: opts.stallMs,
      backoffMs: opts.backoffMs,
      maxFrames: opts.maxFrames,
      onStatus: (s) => {
        status = s;
        opts.onSourceStatus?.(s);
        if (last) opts.onProgress?.(last, s);
      },
    },
    { ffmpegPath: ff.ffmpegPath, ffprobePath: ff.ffprobePath, ...deps.source },
  );
  opts.onInfo?.(source.info);
  try {
    const result = await produceFrames(
      handle,
      source,
      {
        ...opts,
        fps: source.info.fps,
        onProgress: (p: ProduceProgress) => {
          last = p;
          opts.onProgress?.(p, status);
        },
      },
      { shrinkJpeg: createJpegShrinker(ff.ffmpegPath), lowerRate: () => source.lowerRate() },
    );
    return {
      ...result,
      cancelled: result.cancelled || source.cancelled,
      info: source.info,
      reconnects: status.reconnects,
    };
  } catch (e) {
    if (e instanceof KvsError) throw e;
    throw new KvsError('INTERNAL', e instanceof Error ? e.message : String(e));
  } finally {
    await source.cancel();
  }
}
