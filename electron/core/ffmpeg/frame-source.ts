/**
 * Frames out of a video file: ffmpeg decodes, resamples (fps filter), scales, and encodes either
 * each frame as JPEG, written back-to-back to stdout (`-f image2pipe -c:v mjpeg`) and cut into
 * images by the JpegSplitter, or the video as H.264 (libx264, h264-plan.ts), written as an Annex
 * B byte stream (`-f h264`) and cut into access units at their delimiters (one access unit = one
 * frame). The two differ only in their FrameCodec (frame-codec.ts, h264-codec.ts); the machinery
 * below is shared. ffmpeg-process.ts is the ONE module that uses fluent-ffmpeg, so swapping it
 * for a direct spawn (or WebCodecs, …) touches nothing else. Everything goes through argv — no
 * shell anywhere.
 *
 * Design notes
 * - Timestamps: image2pipe carries no pts, so we always put an `fps=<outFps>` filter in the chain
 *   (constant output rate, also for variable-frame-rate sources) and derive
 *   `ptsMs = index * 1000 / outFps`. `index` and `ptsMs` keep counting across loop passes.
 * - Output rate: `opts.fps` capped at the source rate (we never invent duplicate frames); no
 *   `opts.fps` → the source rate; unknown source rate → `opts.fps` or 30.
 * - Size: fit inside maxWidth × maxHeight keeping the aspect ratio, never upscale, both sides
 *   rounded down to even. We compute the size here and pass `scale=W:H`, so `info` and the frames
 *   agree exactly (an odd source without limits is also rounded down to even).
 * - Quality: user scale 1–100 (higher = better, default 85) → mjpeg `-q:v` 31…2, linearly:
 *   q = round(2 + (100 − quality) × 29 / 99). 100 → 2, 85 → 6, 50 → 17, 1 → 31.
 * - Backpressure: at most `maxBufferedFrames` (default 8) parsed frames wait in memory. When the
 *   queue is full we pause the stdout stream; the OS pipe fills and ffmpeg blocks in write(). So a
 *   consumer that stops reading never makes ffmpeg run ahead or memory grow. `stats.maxBuffered`
 *   records the high-water mark.
 * - Real time: paced in Node, by pts against a monotonic clock, as frames are handed out (no
 *   `-re`). Because of the bounded buffer ffmpeg is at most a few frames ahead. If the consumer
 *   falls more than `maxLagMs` behind (it paused), the clock is re-anchored: playback continues at
 *   normal speed from where it is, no burst to "catch up".
 * - Loop: a new ffmpeg process per pass (simple, robust; costs ~0.1 s between passes, which the
 *   pacer absorbs in real-time mode). An H.264 pass starts with a keyframe.
 * - H.264 over the topic's limit: `lowerRate()` steps the rate down (h264-plan.ts) and starts
 *   ffmpeg again at the frame handed out last (`-ss` to its pts; it comes again, as a keyframe).
 * - H.264 needs libx264: checked once per ffmpeg path when the source opens (libx264-check.ts).
 * - Cancel / abort / `break` out of for-await: ffmpeg gets SIGTERM and its stdout is closed
 *   (EPIPE unblocks a writer stuck on a full pipe), SIGKILL after a short grace; the iterator
 *   ENDS CLEANLY (no error) and `cancelled === true`. An already-aborted signal at open time
 *   makes openFrameSource itself reject with CANCELLED (from the probe).
 * - `producedAt` is stamped when the iterator hands the frame out (after pacing), so deliberate
 *   buffering/pacing never shows up as pipeline latency.
 * - Failures: non-zero exit → FFMPEG_FAILED with the last stderr lines as `detail`; stderr that
 *   says the file is cut off ("partial file", …) → FILE_TRUNCATED, even when ffmpeg exits 0 —
 *   thrown after every frame that was decoded has been yielded.
 * - fluent-ffmpeg 2.1.3 keeps `setFfmpegPath` and its capability cache process-global: use one
 *   ffmpeg binary per process (the app does).
 */
import { KvsError } from '../../shared/errors.js';
import { type Frame } from '../frame.js';
import { FfmpegFrameSource } from './ffmpeg-frame-source.js';
import { jpegCodec, type FrameCodec } from './frame-codec.js';
import {
  DEFAULT_QUALITY,
  MAX_FPS,
  estimateOutputFrames,
  fitDimensions,
  outputFps,
  planFfmpeg,
  qualityToQscale,
} from './ffmpeg-plan.js';
import { h264Codec } from './h264-codec.js';
import {
  DEFAULT_KEYFRAME_INTERVAL_S,
  MAX_BITRATE_KBPS,
  MAX_CRF,
  MIN_BITRATE_KBPS,
  defaultBitrateKbps,
  keyframeIntervalFrames,
  type H264Rate,
} from './h264-plan.js';
import { assertLibx264 } from './libx264-check.js';
import { probeVideo, type VideoProbe } from './probe.js';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';

export type VideoCodec = 'jpeg' | 'h264';

export interface FrameSourceOptions {
  /** 'jpeg' (default): one JPEG per frame. 'h264': one H.264 access unit per frame. */
  readonly codec?: VideoCodec;
  /** H.264: the bitrate in kbit/s (default: 0.06 bits per pixel, see h264-plan.ts). Not with crf. */
  readonly bitrateKbps?: number;
  /** H.264: constant quality 0–51 (lower is better) instead of a bitrate. */
  readonly crf?: number;
  /** H.264: seconds between keyframes (default 1). */
  readonly keyframeIntervalS?: number;
  /** Output frame rate (fps filter). Capped at the source rate. Default: the source rate. */
  readonly fps?: number;
  /** Fit inside this width (keeps aspect, never upscales, even). */
  readonly maxWidth?: number;
  /** Fit inside this height (keeps aspect, never upscales, even). */
  readonly maxHeight?: number;
  /** JPEG quality 1–100, higher is better. Default 85 (mjpeg -q:v 6). */
  readonly quality?: number;
  /** Hand frames out at the video's pace. Default false (as fast as the consumer takes them). */
  readonly realtime?: boolean;
  /** Start over at the end; index and ptsMs keep increasing. Default false. */
  readonly loop?: boolean;
  /** Abort → ffmpeg is killed and the iterator ends cleanly (`cancelled` becomes true). */
  readonly signal?: AbortSignal;
  /** Parsed frames kept in memory before ffmpeg is paused. Default 8. */
  readonly maxBufferedFrames?: number;
}

export interface PacerClock {
  /** Monotonic milliseconds (performance.now()). */
  now(): number;
  /** Resolve after `ms`; reject when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface FrameSourceDeps {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly probeTimeoutMs?: number;
  /** Injected clock for real-time pacing (tests). Default performance.now + setTimeout. */
  readonly clock?: PacerClock;
  /** Real-time: re-anchor instead of bursting when this far behind. Default 250 ms. */
  readonly maxLagMs?: number;
  /** Time between SIGTERM and SIGKILL on cancel. Default 500 ms. */
  readonly killGraceMs?: number;
}

export interface FrameSourceInfo {
  /** Output frame size (after scaling). */
  readonly width: number;
  readonly height: number;
  /** Output frame rate (after the fps filter). */
  readonly fps: number;
  /** Frames per pass at the output rate; null when the duration is unknown. */
  readonly frameCountEstimate: number | null;
  readonly durationMs: number | null;
  readonly codec: VideoCodec;
  /** The mjpeg -q:v actually used (2 best … 31 worst); JPEG only. */
  readonly jpegQscale: number;
  /** H.264: the rate at the start and the keyframe interval in frames; null for JPEG. */
  readonly h264: { readonly rate: H264Rate; readonly keyframeInterval: number } | null;
  /** The probe of the input file, unchanged. */
  readonly input: VideoProbe;
}

export interface FrameSourceStats {
  /** Frames parsed and waiting for the consumer right now. */
  readonly buffered: number;
  /** Highest `buffered` seen; never above `maxBufferedFrames`. */
  readonly maxBuffered: number;
  /** Frames handed out. */
  readonly frames: number;
  /** ffmpeg processes started (loop passes). */
  readonly passes: number;
  /** Bytes read from ffmpeg's stdout so far (all passes). */
  readonly bytesIn: number;
  /** Bytes on ffmpeg's stdout that were not part of a JPEG (should stay 0). */
  readonly garbageBytes: number;
  /** Real-time mode: how often the pacer re-anchored after the consumer fell behind. */
  readonly pacingResyncs: number;
}

export interface FrameSource extends AsyncIterable<Frame> {
  readonly info: FrameSourceInfo;
  /**
   * True once cancel() ran, the signal aborted, or the consumer broke out of the loop before the
   * end. cancel() after the iterator finished by itself is a no-op and leaves this false.
   */
  readonly cancelled: boolean;
  /** pid of the running ffmpeg, if one is running. */
  readonly pid: number | undefined;
  readonly stats: FrameSourceStats;
  /** Kill ffmpeg and end the iterator. Resolves once the ffmpeg process is gone. */
  cancel(): Promise<void>;
  /**
   * H.264: encode again from the frame handed out last, one rate step lower; that frame comes
   * again (a keyframe). Returns what was lowered ("the bitrate from … to …"), or null when no
   * lower step is left (and always for JPEG, whose frames are shrunk one by one).
   */
  lowerRate(): string | null;
}

// --- pure helpers (exported for tests) ----------------------------------------------------------

export async function assertRunnable(ffmpegPath: string): Promise<void> {
  if (!/[\\/]/.test(ffmpegPath)) return; // a bare name: left to spawn's PATH lookup
  try {
    await access(ffmpegPath, fsConstants.X_OK);
  } catch (e) {
    throw new KvsError(
      'FFMPEG_NOT_FOUND',
      `ffmpeg could not be started at "${ffmpegPath}". Set FFMPEG_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
      e instanceof Error ? e.message : String(e),
    );
  }
}

function invalid(message: string): KvsError {
  return new KvsError('INVALID_ARGUMENT', message);
}

export function validate(opts: FrameSourceOptions): void {
  const { fps, maxWidth, maxHeight, quality, maxBufferedFrames } = opts;
  validateH264(opts);
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0 && fps <= MAX_FPS)) {
    throw invalid(
      `Frame rate must be a number above 0 and at most ${MAX_FPS} (got ${String(fps)}).`,
    );
  }
  for (const [label, v] of [
    ['Maximum width', maxWidth],
    ['Maximum height', maxHeight],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 2)) {
      throw invalid(`${label} must be a whole number of pixels, at least 2 (got ${String(v)}).`);
    }
  }
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw invalid(`JPEG quality must be a whole number from 1 to 100 (got ${String(quality)}).`);
  }
  if (
    maxBufferedFrames !== undefined &&
    !(Number.isInteger(maxBufferedFrames) && maxBufferedFrames >= 1)
  ) {
    throw invalid(
      `maxBufferedFrames must be a whole number, at least 1 (got ${String(maxBufferedFrames)}).`,
    );
  }
}

function validateH264(opts: FrameSourceOptions): void {
  const { codec, bitrateKbps, crf, keyframeIntervalS } = opts;
  if (codec !== undefined && codec !== 'jpeg' && codec !== 'h264')
    throw invalid(`The codec must be jpeg or h264 (got ${String(codec)}).`);
  const h264Only =
    bitrateKbps !== undefined || crf !== undefined || keyframeIntervalS !== undefined;
  if (h264Only && codec !== 'h264')
    throw invalid('A bitrate, CRF or keyframe interval applies to H.264 only.');
  if (bitrateKbps !== undefined && crf !== undefined)
    throw invalid('Choose either a bitrate or a CRF, not both.');
  if (
    bitrateKbps !== undefined &&
    !(
      Number.isInteger(bitrateKbps) &&
      bitrateKbps >= MIN_BITRATE_KBPS &&
      bitrateKbps <= MAX_BITRATE_KBPS
    )
  )
    throw invalid(
      `The bitrate must be a whole number of kbit/s from ${MIN_BITRATE_KBPS} to ${MAX_BITRATE_KBPS} (got ${String(bitrateKbps)}).`,
    );
  if (crf !== undefined && !(Number.isInteger(crf) && crf >= 0 && crf <= MAX_CRF))
    throw invalid(`The CRF must be a whole number from 0 to ${MAX_CRF} (got ${String(crf)}).`);
  if (
    keyframeIntervalS !== undefined &&
    !(Number.isFinite(keyframeIntervalS) && keyframeIntervalS > 0 && keyframeIntervalS <= 60)
  )
    throw invalid(
      `The keyframe interval must be above 0 and at most 60 seconds (got ${String(keyframeIntervalS)}).`,
    );
}

/**
 * Probe `file` and prepare a frame source. ffmpeg starts on the first `next()` of the iterator
 * (so looking at `info` alone never leaves a process behind). Throws the probe's KvsErrors and
 * INVALID_ARGUMENT for bad options.
 */
export async function openFrameSource(
  file: string,
  opts: FrameSourceOptions,
  deps: FrameSourceDeps,
): Promise<FrameSource> {
  validate(opts);
  await assertRunnable(deps.ffmpegPath);
  const kind = opts.codec ?? 'jpeg';
  if (kind === 'h264') await assertLibx264(deps.ffmpegPath);
  const input = await probeVideo(file, {
    ffprobePath: deps.ffprobePath,
    ...(deps.probeTimeoutMs !== undefined ? { timeoutMs: deps.probeTimeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const fps = outputFps(input.fps, opts.fps);
  const { width, height } = fitDimensions(input.width, input.height, opts.maxWidth, opts.maxHeight);
  const jpegQscale = qualityToQscale(opts.quality ?? DEFAULT_QUALITY);
  const shape = { width, height, fps };
  const h264 =
    kind === 'h264'
      ? {
          rate:
            opts.crf !== undefined
              ? ({ kind: 'crf', crf: opts.crf } as const)
              : ({
                  kind: 'bitrate',
                  kbps: opts.bitrateKbps ?? defaultBitrateKbps(width, height, fps),
                } as const),
          keyframeInterval: keyframeIntervalFrames(
            opts.keyframeIntervalS ?? DEFAULT_KEYFRAME_INTERVAL_S,
            fps,
          ),
        }
      : null;
  const info: FrameSourceInfo = {
    ...shape,
    frameCountEstimate: estimateOutputFrames(input, fps),
    durationMs: input.durationMs,
    codec: kind,
    jpegQscale,
    h264,
    input,
  };
  const codec: FrameCodec = h264
    ? h264Codec(file, { ...shape, ...h264 }, input)
    : jpegCodec((startMs) => planFfmpeg(file, { ...shape, qscale: jpegQscale }, input, startMs));
  return new FfmpegFrameSource(file, codec, info, opts, deps);
}
