/** Frames per second over the last second of draws. Pure (times are passed in). */
export class FpsMeter {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = 1000) {}

  record(now: number): void {
    this.times.push(now);
    this.trim(now);
  }

  rate(now: number): number {
    this.trim(now);
    const n = this.times.length;
    if (n < 2) return n === 1 ? 1 : 0;
    const first = this.times[0] ?? now;
    const last = this.times[n - 1] ?? now;
    // The mean spacing of the frames in the window.
    return ((n - 1) * 1000) / Math.max(last - first, 1);
  }

  reset(): void {
    this.times.length = 0;
  }

  private trim(now: number): void {
    while (this.times.length > 0 && (this.times[0] ?? now) <= now - this.windowMs)
      this.times.shift();
  }
}
