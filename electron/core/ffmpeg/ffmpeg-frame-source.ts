/**
 * The FrameSource that runs ffmpeg (one process per pass, ffmpeg-process.ts): cut stdout into
 * frames with the codec's splitter, with backpressure (stdout paused while maxBufferedFrames
 * wait), pace, loop, cancel (kill), and restart a pass from a given frame at a lower rate (H.264
 * over the topic's size limit). JPEG and H.264 differ only in their FrameCodec (frame-codec.ts).
 * Opened by frame-source.ts openFrameSource().
 */
import { KvsError } from '../../shared/errors.js';
import { type Frame } from '../frame.js';
import type { FrameCodec, StdoutSplitter } from './frame-codec.js';
import { DEFAULT_MAX_BUFFERED_FRAMES } from './ffmpeg-plan.js';
import { killRun, runOutcome, startFfmpegRun, type FfmpegRun } from './ffmpeg-process.js';
import { Pacer, systemClock } from './frame-pacer.js';
import type {
  FrameSource,
  FrameSourceDeps,
  FrameSourceInfo,
  FrameSourceOptions,
  FrameSourceStats,
  PacerClock,
} from './frame-source.js';
import path from 'node:path';

interface Pass {
  readonly run: FfmpegRun;
  /** The pass reads the file from its start (not restarted part-way). */
  readonly fromStart: boolean;
}

export class FfmpegFrameSource implements FrameSource {
  cancelled = false;
  private readonly queue: Buffer[] = [];
  private splitter: StdoutSplitter;
  /** Garbage bytes of the splitters of earlier passes. */
  private earlierGarbage = 0;
  private readonly cap: number;
  private readonly pacer: Pacer;
  private readonly clock: PacerClock;
  private readonly internalAbort = new AbortController();
  private pass: Pass | undefined;
  /** Processes stopped before their end (a restart at a lower rate): cancel waits for them too. */
  private readonly retired: Promise<void>[] = [];
  private finished = false;
  private index = 0;
  /** Index of the frame at the file's start in the current pass. */
  private passStartIndex = 0;
  /** Index of the frame handed out last, if any. */
  private lastIndex: number | undefined;
  private handedOut = 0;
  private passes = 0;
  private maxBuffered = 0;
  private bytesIn = 0;
  private wake: (() => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly iterator: AsyncIterator<Frame>;

  constructor(
    private readonly file: string,
    private readonly codec: FrameCodec,
    readonly info: FrameSourceInfo,
    private readonly opts: FrameSourceOptions,
    private readonly deps: FrameSourceDeps,
  ) {
    this.splitter = codec.newSplitter();
    this.cap = opts.maxBufferedFrames ?? DEFAULT_MAX_BUFFERED_FRAMES;
    this.clock = deps.clock ?? systemClock;
    this.pacer = new Pacer(this.clock, deps.maxLagMs);
    if (opts.signal?.aborted) void this.cancel();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const p = this.chain.then(fn, fn);
      this.chain = p.catch(() => undefined);
      return p;
    };
    this.iterator = {
      next: () => serial(() => this.next()),
      return: async () => {
        await this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  get pid(): number | undefined {
    const proc = this.pass?.run.proc;
    return proc && proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
  }

  get stats(): FrameSourceStats {
    return {
      buffered: this.queue.length,
      maxBuffered: this.maxBuffered,
      frames: this.handedOut,
      passes: this.passes,
      bytesIn: this.bytesIn,
      garbageBytes: this.earlierGarbage + this.splitter.garbageBytes,
      pacingResyncs: this.pacer.resyncs,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.iterator;
  }

  async cancel(): Promise<void> {
    // After a natural end (or an error) there is nothing to cancel: `cancelled` stays false.
    if (!this.cancelled && !this.finished) {
      this.cancelled = true;
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      this.internalAbort.abort();
      this.queue.length = 0;
      if (this.pass) killRun(this.pass.run, this.killGraceMs);
      this.notify();
    }
    await Promise.all([this.pass?.run.exited, ...this.retired]);
  }

  lowerRate(): string | null {
    const from = this.lastIndex;
    if (this.finished || this.cancelled || from === undefined || !this.pass) return null;
    const what = this.codec.lower();
    if (what === null) return null;
    this.retired.push(this.pass.run.exited);
    killRun(this.pass.run, this.killGraceMs);
    this.queue.length = 0;
    this.index = from; // that frame comes again, encoded at the lower rate
    this.startPass(from);
    return what;
  }

  // ---------------------------------------------------------------------------------------------

  private get killGraceMs(): number {
    return this.deps.killGraceMs ?? 500;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private async next(): Promise<IteratorResult<Frame, undefined>> {
    const done = { done: true, value: undefined } as const;
    if (this.finished) return done;
    if (!this.pass && !this.cancelled) this.startPass();
    for (;;) {
      if (this.cancelled) return this.finish(done);
      const data = this.take();
      if (data) {
        const index = this.index++;
        const ptsMs = (index * 1000) / this.info.fps;
        if (this.opts.realtime) {
          try {
            await this.pacer.wait(ptsMs, this.internalAbort.signal);
          } catch (e) {
            if (this.cancelled) return this.finish(done);
            throw e;
          }
          if (this.cancelled) return this.finish(done);
        }
        this.handedOut++;
        this.lastIndex = index;
        const frame: Frame = {
          index,
          ptsMs,
          width: this.info.width,
          height: this.info.height,
          data,
          ...this.codec.describe(data),
          producedAt: this.clock.now(),
        };
        return { done: false, value: frame };
      }
      const pass = this.pass;
      const run = pass?.run;
      if (pass && run && (run.startError || (run.closed && run.streamEnded))) {
        this.splitter.end(); // a complete last frame (H.264) is now available; a half one is garbage
        if (this.refill() > 0) continue;
        const failure = runOutcome(run, this.file, this.deps.ffmpegPath);
        if (failure) {
          this.finish(done);
          throw failure;
        }
        if (this.opts.loop && !this.cancelled) {
          if (run.framesParsed === 0 && pass.fromStart) {
            this.finish(done);
            throw new KvsError(
              'FFMPEG_FAILED',
              `ffmpeg produced no frames from "${path.basename(this.file)}", so it can't be looped. Try another file.`,
              run.stderr.join('\n') || undefined,
            );
          }
          this.startPass();
          continue;
        }
        return this.finish(done);
      }
      await this.changed();
    }
  }

  private readonly onAbort = (): void => void this.cancel();

  private finish<T>(value: T): T {
    this.finished = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.queue.length = 0;
    return value;
  }

  /** Take one frame, refilling the queue from the splitter and resuming ffmpeg when there is room. */
  private take(): Buffer | undefined {
    this.pump();
    const data = this.queue.shift();
    this.pump();
    return data;
  }

  /** Move frames from the splitter into the queue, up to the cap; how many moved. */
  private refill(): number {
    let moved = 0;
    while (this.queue.length < this.cap) {
      const f = this.splitter.shift();
      if (!f) break;
      this.queue.push(f);
      moved++;
      if (this.pass) this.pass.run.framesParsed++;
    }
    if (this.queue.length > this.maxBuffered) this.maxBuffered = this.queue.length;
    return moved;
  }

  private pump(): void {
    this.refill();
    const run = this.pass?.run;
    if (!run || run.streamEnded) return;
    if (this.queue.length >= this.cap) run.stream.pause();
    else if (run.stream.isPaused()) run.stream.resume();
  }

  /** Start ffmpeg: a new pass from the file's start, or (fromIndex) part-way at that frame. */
  private startPass(fromIndex?: number): void {
    if (fromIndex === undefined) {
      this.passes++;
      this.passStartIndex = this.index;
    }
    const startMs =
      fromIndex === undefined ? 0 : ((fromIndex - this.passStartIndex) * 1000) / this.info.fps;
    this.earlierGarbage += this.splitter.garbageBytes;
    const splitter = this.codec.newSplitter();
    this.splitter = splitter;
    const run: FfmpegRun = startFfmpegRun(this.deps.ffmpegPath, this.codec.plan(startMs), {
      onData: (chunk) => {
        if (this.pass?.run !== run || this.cancelled) return;
        this.bytesIn += chunk.length;
        splitter.push(chunk);
        this.pump();
        this.notify();
      },
      onChange: () => this.notify(),
      onStart: () => {
        if (this.cancelled || this.pass?.run !== run) killRun(run, this.killGraceMs);
      },
    });
    this.pass = { run, fromStart: fromIndex === undefined };
  }
}
