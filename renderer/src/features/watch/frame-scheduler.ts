/**
 * Newest frame wins: at most one frame is being decoded; while it is, only the latest
 * frame that arrived waits (an older waiting frame is dropped and reported). So a slow
 * screen shows the newest picture, never a growing backlog. Pure: decode/draw are injected.
 */
export interface FrameSchedulerHooks<T, D> {
  decode(item: T): Promise<D>;
  draw(decoded: D, item: T): void;
  /** A decoded frame that will not be drawn (the scheduler was cleared meanwhile). */
  release(decoded: D): void;
  /** A waiting frame replaced by a newer one before it was decoded. */
  dropped(item: T): void;
  /** Decoding or drawing failed. */
  failed(item: T, error: unknown): void;
  /** A frame forgotten by `clear` (waiting, or decoded after it): never drawn, never dropped. */
  forgotten?(item: T): void;
}

export class FrameScheduler<T, D> {
  private busy = false;
  private waiting: T | null = null;
  private generation = 0;

  constructor(private readonly hooks: FrameSchedulerHooks<T, D>) {}

  /** True while a frame is being decoded. */
  get decoding(): boolean {
    return this.busy;
  }

  get hasWaiting(): boolean {
    return this.waiting !== null;
  }

  push(item: T): void {
    if (!this.busy) {
      void this.run(item);
      return;
    }
    if (this.waiting !== null) this.hooks.dropped(this.waiting);
    this.waiting = item;
  }

  /** Forget the waiting frame; a decode in progress is released instead of drawn. */
  clear(): void {
    this.generation++;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting !== null) this.hooks.forgotten?.(waiting);
  }

  private async run(item: T): Promise<void> {
    this.busy = true;
    const generation = this.generation;
    try {
      let decoded: D;
      try {
        decoded = await this.hooks.decode(item);
      } catch (err) {
        if (generation === this.generation) this.hooks.failed(item, err);
        else this.hooks.forgotten?.(item);
        return;
      }
      if (generation !== this.generation) {
        this.hooks.release(decoded);
        this.hooks.forgotten?.(item);
        return;
      }
      try {
        this.hooks.draw(decoded, item);
      } catch (err) {
        this.hooks.failed(item, err);
      }
    } finally {
      this.busy = false;
      const next = this.waiting;
      this.waiting = null;
      if (next !== null) void this.run(next);
    }
  }
}
