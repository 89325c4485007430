/**
 * Real-time pacing of frames by their pts against a monotonic clock (the clock is injected, so
 * tests run without waiting).
 */
import type { PacerClock } from './frame-source.js';
import { setTimeout as sleepMs } from 'node:timers/promises';

export class Pacer {
  private anchor: number | null = null;
  resyncs = 0;

  constructor(
    private readonly clock: PacerClock,
    private readonly maxLagMs = 250,
  ) {}

  /** How long to sleep before handing out the frame at `ptsMs` (updates the anchor). */
  plan(ptsMs: number): number {
    const now = this.clock.now();
    if (this.anchor === null) {
      this.anchor = now - ptsMs;
      return 0;
    }
    const ahead = this.anchor + ptsMs - now;
    if (ahead > 0) return ahead;
    if (-ahead > this.maxLagMs) {
      this.anchor = now - ptsMs;
      this.resyncs++;
    }
    return 0;
  }

  /** Sleep as planned. Rejects when `signal` aborts. */
  async wait(ptsMs: number, signal?: AbortSignal): Promise<number> {
    const ms = this.plan(ptsMs);
    if (ms > 0) await this.clock.sleep(ms, signal);
    return ms;
  }
}

export const systemClock: PacerClock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await sleepMs(ms, undefined, signal ? { signal } : undefined);
  },
};
