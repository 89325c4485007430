/**
 * A frame source fed by a page (the camera, encoded in the page): an async iterable of frames for
 * produceFrames, with a bounded queue between the page and the producer.
 *
 * The page sends at the camera's pace and cannot be slowed down, so when the producer falls
 * behind (a slow broker, an outage waiting within the retry budget) the queue does not grow:
 * a frame that does not fit is dropped and counted. H.264 frames depend on the ones before
 * them, so after a dropped H.264 frame every frame is dropped until the next keyframe (also
 * counted); a JPEG is dropped alone. Frames must come in order (seq increasing); a repeated or
 * older seq is refused and counted as out of order.
 */
import type { Frame } from '../frame.js';

export interface PageFrame {
  readonly seq: number;
  readonly ptsMs: number;
  /** ms since the epoch when the page captured it. */
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  readonly keyframe: boolean;
  /** H.264's codec string, or null for a JPEG. */
  readonly codec: string | null;
  readonly data: Buffer;
}

export interface PageFrameSourceOptions {
  /** Frames waiting at most (default 30: about a second of video). */
  readonly maxFrames?: number;
  /** Bytes waiting at most (default 32 MiB). */
  readonly maxBytes?: number;
  /** Monotonic ms (performance.now); the producer's latency figures start at `producedAt`. */
  readonly now?: () => number;
  /** Wall clock (Date.now). */
  readonly wallNow?: () => number;
}

export type PushResult = 'queued' | 'dropped' | 'out-of-order' | 'ended';

export class PageFrameSource implements AsyncIterable<Frame> {
  private readonly queue: Frame[] = [];
  private queuedBytes = 0;
  private waiter: (() => void) | null = null;
  private ended = false;
  private lastSeq = -1;
  private index = 0;
  private waitKeyframe = false;
  private readonly maxFrames: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly wallNow: () => number;
  /** Frames dropped because the producer fell behind (and H.264 frames after one, until a keyframe). */
  dropped = 0;
  /** Frames refused because their seq was not after the last one. */
  outOfOrder = 0;
  /** Frames taken into the queue. */
  received = 0;
  /** monotonic ms of the last frame the page sent (queued or not); null before the first. */
  lastFrameAt: number | null = null;

  constructor(opts: PageFrameSourceOptions = {}) {
    this.maxFrames = opts.maxFrames ?? 30;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.now = opts.now ?? (() => performance.now());
    this.wallNow = opts.wallNow ?? (() => Date.now());
  }

  get waiting(): number {
    return this.queue.length;
  }

  push(f: PageFrame): PushResult {
    if (this.ended) return 'ended';
    if (f.seq <= this.lastSeq) {
      this.outOfOrder++;
      return 'out-of-order';
    }
    this.lastSeq = f.seq;
    const t = this.now();
    this.lastFrameAt = t;
    const h264 = f.codec !== null;
    if (h264 && this.waitKeyframe && !f.keyframe) {
      this.dropped++;
      return 'dropped';
    }
    if (this.queue.length >= this.maxFrames || this.queuedBytes + f.data.length > this.maxBytes) {
      this.dropped++;
      this.waitKeyframe = h264;
      return 'dropped';
    }
    this.waitKeyframe = false;
    // the page's capture time on this process's monotonic clock (never in the future, at most 10 s back)
    const age = Math.min(Math.max(this.wallNow() - f.capturedAt, 0), 10_000);
    this.queue.push({
      index: this.index++,
      ptsMs: f.ptsMs,
      width: f.width,
      height: f.height,
      data: f.data,
      keyframe: f.keyframe,
      codec: f.codec,
      producedAt: t - age,
    });
    this.queuedBytes += f.data.length;
    this.received++;
    this.wake();
    return 'queued';
  }

  /** No more frames: the iteration ends once the queue is empty. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Stop now: frames still waiting are dropped (not counted: the run is over). */
  close(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.end();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        this.queuedBytes -= next.data.length;
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
