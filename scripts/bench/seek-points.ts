/**
 * Pure helpers of the seek run (seek-run.ts, tested in seek-points.test.ts): the message times of
 * a stream stamped as if produced in real time, the points to seek to (spread over the stream,
 * never on a keyframe), and which drawn frame is the target's.
 */
import type { Sample } from './browser-runs.js';

/** The message time of frame `index` of a stream that began at `baseMs` (ms since epoch). */
export function messageTime(baseMs: number, index: number, fps: number): number {
  return baseMs + Math.round((index * 1000) / fps);
}

export interface SeekPoint {
  /** The time asked for (`watchFrom`): 5 ms before frame `frame`, so on no frame. */
  readonly targetMs: number;
  /** The frame that must be drawn first. */
  readonly frame: number;
  /** Frames from the keyframe before it (the catch-up the decoder needs, 1…gop − 1). */
  readonly intoGop: number;
}

/** Where in a group of pictures the points fall, as shares of it (varied: early, middle, late). */
const GOP_SHARES = [0.5, 0.97, 0.23, 0.7, 0.83] as const;

/**
 * `count` points spread over a stream of `frames` frames (the middles of `count` equal parts),
 * each moved into its group of pictures so that it is not a keyframe: the viewer must start at
 * the keyframe before it and decode up to it without drawing.
 */
export function seekPoints(
  baseMs: number,
  frames: number,
  fps: number,
  gop: number,
  count: number,
): SeekPoint[] {
  const out: SeekPoint[] = [];
  for (let i = 0; i < count; i++) {
    const share = GOP_SHARES[i % GOP_SHARES.length] ?? 0.5;
    const intoGop = gop > 1 ? Math.min(gop - 1, Math.max(1, Math.round(share * gop))) : 0;
    const middle = Math.floor(((i + 0.5) * frames) / count);
    const frame = Math.min(Math.floor(middle / gop) * gop + intoGop, frames - 1);
    out.push({ targetMs: messageTime(baseMs, frame, fps) - 5, frame, intoGop: frame % gop });
  }
  return out;
}

/**
 * The first drawn frame at or after the target (its message time is its capture time on the
 * seek topic), and how many frames were drawn before it (catch-up frames must not be).
 */
export function firstTargetFrame(
  samples: readonly Sample[],
  targetMs: number,
): { readonly sample: Sample | null; readonly drawnBefore: number } {
  let drawnBefore = 0;
  for (const s of samples) {
    if (s.capturedAt !== null && s.capturedAt >= targetMs) return { sample: s, drawnBefore };
    drawnBefore++;
  }
  return { sample: null, drawnBefore };
}

/**
 * The frame at or after `ms` (what a seek to that time must show first) in a stream stamped by
 * messageTime; `frames` when none is (past the end).
 */
export function frameAtOrAfter(baseMs: number, frames: number, fps: number, ms: number): number {
  let lo = 0;
  let hi = frames;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (messageTime(baseMs, mid, fps) >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Where to click on a scrub bar `width` px wide over [firstMs, lastMs] to ask for `ms` (the
 * timeline maps x linearly to time: timeline-model.ts timeAt), in px from its left edge.
 */
export function scrubX(
  range: { firstMs: number; lastMs: number },
  width: number,
  ms: number,
): number {
  const span = range.lastMs - range.firstMs;
  if (!(span > 0)) return width;
  return ((ms - range.firstMs) / span) * width;
}
