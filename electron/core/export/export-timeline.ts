/**
 * The MP4's timestamps: each frame's time from the stream's own clock, so a gap or a variable
 * rate keeps its real length in the file (a constant rate would run a gap together).
 *
 * - The clock is the `kvs-pts-ms` header when the stream's first frame has one, else the Kafka
 *   message timestamp (headerless images: the tutorial format). A stream keeps the clock it
 *   started with; a frame of a pts stream without the header uses its message time shifted by
 *   the pts–message-time offset seen last.
 * - Times start at 0 with the first frame taken and never go back or repeat: a frame at or before
 *   the previous one (a looped producer restarting its pts, a clock step) is placed one frame
 *   interval after it, and later frames follow on from there.
 * - The duration is the last frame's time plus one frame at the stream's rate (1000 / fps) — what
 *   ffmpeg's MP4 muxer gives the last frame (its guessed rate, not the step before it).
 */

export interface TimedFrame {
  /** Kafka message timestamp (ms since the epoch). */
  readonly timestamp: number;
  /** The stream's pts header (ms), or null. */
  readonly ptsMs: number | null;
}

export class ExportTimeline {
  private usePts: boolean | undefined;
  private origin = 0;
  /** Added to (clock − origin) after a step back. */
  private shift = 0;
  private last: number | undefined;
  private ptsMinusTime = 0;

  /** `fps`: the stream's rate, for the length of a lone frame and a step back. */
  constructor(private readonly fps: number) {}

  private get interval(): number {
    return Math.max(1, Math.round(1000 / this.fps));
  }

  /** The frame's time in the file (ms from the first frame, whole, increasing). */
  next(f: TimedFrame): number {
    this.usePts ??= f.ptsMs !== null;
    let clock: number;
    if (this.usePts && f.ptsMs !== null) {
      clock = f.ptsMs;
      this.ptsMinusTime = f.ptsMs - f.timestamp;
    } else clock = this.usePts ? f.timestamp + this.ptsMinusTime : f.timestamp;
    if (this.last === undefined) {
      this.origin = clock;
      this.last = 0;
      return 0;
    }
    let t = Math.round(clock - this.origin + this.shift);
    if (t <= this.last) {
      const placed = this.last + this.interval;
      this.shift += placed - t;
      t = placed;
    }
    this.last = t;
    return t;
  }

  /** The file's length so far (ms): 0 before any frame. */
  get durationMs(): number {
    if (this.last === undefined) return 0;
    return Math.round(this.last + 1000 / this.fps);
  }
}
