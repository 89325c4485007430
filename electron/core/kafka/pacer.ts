/**
 * Plays frames at the pace they were recorded. A frame's media time is its pts
 * header, else its Kafka message timestamp, else the previous frame's time plus
 * one frame at the default fps. The pacer anchors media time to the wall clock
 * at the first frame and waits until each frame is due; when playback falls
 * more than `maxLagMs` behind (or media time jumps backwards, e.g. a new stream
 * starts), it re-anchors instead of rushing to catch up.
 */
export interface PacerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        signal?.removeEventListener('abort', done);
        clearTimeout(t);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface PaceInput {
  readonly ptsMs?: number | undefined;
  readonly timestampMs?: number | undefined;
  readonly streamId?: string | null | undefined;
}

export class Pacer {
  private anchorWall = 0;
  private anchorMedia = 0;
  private lastMedia: number | null = null;
  private lastSource: 'pts' | 'ts' | null = null;
  private lastStream: string | null | undefined = undefined;
  private rate = 1;

  constructor(
    private readonly clock: PacerClock = realClock,
    private readonly defaultFps = 30,
    private readonly maxLagMs = 1000,
  ) {}

  /** Media time (ms) of a frame. */
  mediaTime(f: PaceInput): { t: number; source: 'pts' | 'ts' } {
    if (f.ptsMs !== undefined) return { t: f.ptsMs, source: 'pts' };
    const step = 1000 / this.defaultFps;
    if (f.timestampMs !== undefined) {
      // frames sent in one burst share a timestamp: space them one frame apart
      const t = this.lastMedia !== null && this.lastSource === 'ts' && f.timestampMs <= this.lastMedia ? this.lastMedia + step : f.timestampMs;
      return { t, source: 'ts' };
    }
    return { t: (this.lastMedia ?? 0) + step, source: 'ts' };
  }

  /** How long to wait before showing this frame (0 when due or late). */
  delayFor(f: PaceInput): number {
    const { t, source } = this.mediaTime(f);
    const now = this.clock.now();
    const switched = this.lastMedia === null || source !== this.lastSource || f.streamId !== this.lastStream || t < this.lastMedia;
    this.lastMedia = t;
    this.lastSource = source;
    this.lastStream = f.streamId;
    if (switched) {
      this.anchor(now, t);
      return 0;
    }
    const due = this.anchorWall + (t - this.anchorMedia) / this.rate;
    if (now - due > this.maxLagMs || due - now > this.maxLagMs * 5) {
      this.anchor(now, t);
      return 0;
    }
    return Math.max(0, due - now);
  }

  /** Play `rate` times as fast as recorded (0.25–4 in the app); re-anchors at the next frame. */
  setRate(rate: number): void {
    if (!(rate > 0) || rate === this.rate) return;
    this.rate = rate;
    this.restart();
  }

  /** The next frame is shown at once and the pace counts from it (after a seek or a pause). */
  restart(): void {
    this.lastMedia = null;
  }

  async wait(f: PaceInput, signal?: AbortSignal): Promise<void> {
    const d = this.delayFor(f);
    if (d > 0) await this.clock.sleep(d, signal);
  }

  private anchor(wall: number, media: number): void {
    this.anchorWall = wall;
    this.anchorMedia = media;
  }
}
