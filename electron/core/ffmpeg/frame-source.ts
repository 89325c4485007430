/**
 * Frames out of a video file: ffmpeg decodes, resamples (fps filter), scales, encodes each frame
 * as JPEG and writes them back-to-back to stdout (`-f image2pipe -c:v mjpeg`); the JpegSplitter
 * cuts that stream into images. ffmpeg-frame-source.ts is the ONE module that uses fluent-ffmpeg, so swapping it
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
 *   pacer absorbs in real-time mode).
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
import {
  DEFAULT_QUALITY,
  MAX_FPS,
  estimateOutputFrames,
  fitDimensions,
  outputFps,
  planFfmpeg,
  qualityToQscale,
} from './ffmpeg-plan.js';
import { probeVideo, type VideoProbe } from './probe.js';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';

export interface FrameSourceOptions {
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
  /** The mjpeg -q:v actually used (2 best … 31 worst). */
  readonly jpegQscale: number;
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
}

// --- pure helpers (exported for tests) ----------------------------------------------------------

async function assertRunnable(ffmpegPath: string): Promise<void> {
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

function validate(opts: FrameSourceOptions): void {
  const { fps, maxWidth, maxHeight, quality, maxBufferedFrames } = opts;
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
  const input = await probeVideo(file, {
    ffprobePath: deps.ffprobePath,
    ...(deps.probeTimeoutMs !== undefined ? { timeoutMs: deps.probeTimeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const fps = outputFps(input.fps, opts.fps);
  const { width, height } = fitDimensions(input.width, input.height, opts.maxWidth, opts.maxHeight);
  const jpegQscale = qualityToQscale(opts.quality ?? DEFAULT_QUALITY);
  const info: FrameSourceInfo = {
    width,
    height,
    fps,
    frameCountEstimate: estimateOutputFrames(input, fps),
    durationMs: input.durationMs,
    jpegQscale,
    input,
  };
  const plan = planFfmpeg(file, { width, height, fps, qscale: jpegQscale }, input);
  return new FfmpegFrameSource(file, plan, info, opts, deps);
}
