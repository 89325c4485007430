/**
 * How ffmpeg is asked for frames, as pure functions: the JPEG quality scale, the output size
 * (fit within a box, even numbers), the output fps, the frame-count estimate for progress, and
 * the JPEG argv (planFfmpeg) and the parts every pass shares (h264-plan.ts has the H.264 argv). Unit-tested without running ffmpeg.
 */
import { ffmpegInputArg, type VideoProbe } from './probe.js';

export const DEFAULT_QUALITY = 85;
export const DEFAULT_MAX_BUFFERED_FRAMES = 8;
const FALLBACK_FPS = 30;
export const MAX_FPS = 240;

/** JPEG quality 1–100 (higher better) → mjpeg -q:v 2–31 (lower better). */
export function qualityToQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(2 + ((100 - q) * 29) / 99);
}

/** Fit src inside max box, keep aspect, never upscale, round both sides down to even (min 2). */
export function fitDimensions(
  srcWidth: number,
  srcHeight: number,
  maxWidth?: number,
  maxHeight?: number,
): { width: number; height: number } {
  const boxW = Math.min(srcWidth, maxWidth ?? srcWidth);
  const boxH = Math.min(srcHeight, maxHeight ?? srcHeight);
  const scale = Math.min(boxW / srcWidth, boxH / srcHeight, 1);
  const even = (n: number): number => Math.max(2, n - (n % 2));
  return { width: even(Math.round(srcWidth * scale)), height: even(Math.round(srcHeight * scale)) };
}

/** Output frame rate: requested capped at the source rate; see the file comment. */
export function outputFps(sourceFps: number | null, requested?: number): number {
  if (requested === undefined) return sourceFps ?? FALLBACK_FPS;
  return sourceFps === null ? requested : Math.min(requested, sourceFps);
}

/** Frames per pass after resampling. */
export function estimateOutputFrames(probe: VideoProbe, outFps: number): number | null {
  if (
    probe.fps !== null &&
    Math.abs(probe.fps - outFps) < 1e-6 &&
    probe.frameCountEstimate !== null
  ) {
    return probe.frameCountEstimate;
  }
  if (probe.durationMs === null) return probe.frameCountEstimate;
  return Math.round((probe.durationMs / 1000) * outFps);
}

export interface FfmpegPlan {
  readonly input: string;
  readonly inputOptions: readonly string[];
  readonly videoFilters: readonly string[];
  readonly outputOptions: readonly string[];
}

/** The output size and rate of a pass. */
export interface PassShape {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** `-ss` when a pass starts part-way into the file (ffmpeg decodes up to it exactly). */
export function inputOptions(startMs: number): string[] {
  const seek = startMs > 0 ? ['-ss', (startMs / 1000).toFixed(6)] : [];
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', ...seek];
}

/** The fps filter (pts = index / fps), then the scale when the size changes. */
export function videoFilters(out: PassShape, input: VideoProbe): string[] {
  const filters = [`fps=${formatRate(out.fps)}`];
  if (out.width !== input.width || out.height !== input.height)
    filters.push(`scale=${out.width}:${out.height}`);
  return filters;
}

/** Everything fluent-ffmpeg is told, as plain data (so it can be inspected and tested). */
export function planFfmpeg(
  file: string,
  out: PassShape & { qscale: number },
  input: VideoProbe,
  startMs = 0,
): FfmpegPlan {
  return {
    input: ffmpegInputArg(file),
    inputOptions: inputOptions(startMs),
    videoFilters: videoFilters(out, input),
    outputOptions: ['-an', '-c:v', 'mjpeg', '-q:v', String(out.qscale), '-f', 'image2pipe'],
  };
}

function formatRate(fps: number): string {
  // ffmpeg turns a decimal into the nearest fraction (29.97003 → 30000/1001).
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(6);
}

/**
 * Real-time pacing by pts against a monotonic clock. The first frame anchors the clock; each
 * later frame waits until `anchor + ptsMs`. A frame more than `maxLagMs` late re-anchors (no
 * burst after the consumer paused); a smaller lag is caught up by not sleeping.
 */
