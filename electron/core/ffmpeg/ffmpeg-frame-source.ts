/**
 * The FrameSource that runs ffmpeg (through fluent-ffmpeg): spawn, cut stdout into JPEGs with
 * backpressure (stdout paused while maxBufferedFrames wait), pace, loop, cancel (kill), and turn
 * ffmpeg's exit and stderr into a clear KvsError. Opened by frame-source.ts openFrameSource().
 */
import { KvsError } from '../../shared/errors.js';
import { type Frame } from '../frame.js';
import { DEFAULT_MAX_BUFFERED_FRAMES, FfmpegPlan } from './ffmpeg-plan.js';
import { Pacer, systemClock } from './frame-pacer.js';
import type {
  FrameSource,
  FrameSourceDeps,
  FrameSourceInfo,
  FrameSourceOptions,
  FrameSourceStats,
  PacerClock,
} from './frame-source.js';
import { JpegSplitter } from './jpeg-splitter.js';
import ffmpeg from 'fluent-ffmpeg';
import { type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';

const TRUNCATION_RE =
  /partial file|moov atom not found|Truncat|unexpected end of file|End of file|EBML header parsing failed/i;

// --- implementation -----------------------------------------------------------------------------

interface Run {
  proc: ChildProcess | undefined;
  stream: PassThrough;
  stderr: string[];
  framesParsed: number;
  streamEnded: boolean;
  /** Set when the process is gone (exit code / signal) or could not be started (startError). */
  closed: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  startError: Error | undefined;
  exited: Promise<void>;
  markExited: () => void;
  killTimer: NodeJS.Timeout | undefined;
}

const STDERR_LINES = 20;

export class FfmpegFrameSource implements FrameSource {
  cancelled = false;
  private readonly queue: Buffer[] = [];
  private readonly splitter = new JpegSplitter();
  private readonly cap: number;
  private readonly pacer: Pacer;
  private readonly clock: PacerClock;
  private readonly internalAbort = new AbortController();
  private run: Run | undefined;
  private finished = false;
  private index = 0;
  private handedOut = 0;
  private passes = 0;
  private maxBuffered = 0;
  private bytesIn = 0;
  private wake: (() => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly iterator: AsyncIterator<Frame>;

  constructor(
    private readonly file: string,
    private readonly plan: FfmpegPlan,
    readonly info: FrameSourceInfo,
    private readonly opts: FrameSourceOptions,
    private readonly deps: FrameSourceDeps,
  ) {
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
    const proc = this.run?.proc;
    return proc && proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
  }

  get stats(): FrameSourceStats {
    return {
      buffered: this.queue.length,
      maxBuffered: this.maxBuffered,
      frames: this.handedOut,
      passes: this.passes,
      bytesIn: this.bytesIn,
      garbageBytes: this.splitter.stats.garbageBytes,
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
      if (this.run) this.kill(this.run);
      this.notify();
    }
    await this.run?.exited;
  }

  // ---------------------------------------------------------------------------------------------

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
    if (!this.run && !this.cancelled) this.startPass();
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
        const frame: Frame = {
          index,
          ptsMs,
          width: this.info.width,
          height: this.info.height,
          data,
          producedAt: this.clock.now(),
        };
        return { done: false, value: frame };
      }
      const run = this.run;
      if (run && (run.startError || (run.closed && run.streamEnded))) {
        const failure = this.outcome(run);
        if (failure) {
          this.finish(done);
          throw failure;
        }
        if (this.opts.loop && !this.cancelled) {
          if (run.framesParsed === 0) {
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

  private pump(): void {
    const run = this.run;
    while (this.queue.length < this.cap) {
      const f = this.splitter.shift();
      if (!f) break;
      this.queue.push(f);
      if (run) run.framesParsed++;
    }
    if (this.queue.length > this.maxBuffered) this.maxBuffered = this.queue.length;
    if (!run || run.streamEnded) return;
    if (this.queue.length >= this.cap) run.stream.pause();
    else if (run.stream.isPaused()) run.stream.resume();
  }

  private outcome(run: Run): KvsError | undefined {
    this.splitter.end(); // a half image at the end is garbage
    const name = path.basename(this.file);
    const detail = run.stderr.join('\n') || undefined;
    if (run.startError) {
      const msg = run.startError.message;
      if (/ENOENT|EACCES|Cannot find ffmpeg/i.test(msg)) {
        return new KvsError(
          'FFMPEG_NOT_FOUND',
          `ffmpeg could not be started at "${this.deps.ffmpegPath}". Set FFMPEG_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
          msg,
        );
      }
      return new KvsError(
        'FFMPEG_FAILED',
        `ffmpeg could not convert "${name}": ${msg}`,
        detail ?? msg,
      );
    }
    const closed = run.closed;
    if (!closed) return undefined;
    if (detail !== undefined && TRUNCATION_RE.test(detail)) {
      return new KvsError(
        'FILE_TRUNCATED',
        `"${name}" is incomplete: it stops part-way through (an interrupted download or copy?). Download or copy it again.`,
        detail,
      );
    }
    if (closed.code !== 0) {
      const how = closed.signal
        ? `was stopped by ${closed.signal}`
        : `failed (exit code ${String(closed.code)})`;
      return new KvsError(
        'FFMPEG_FAILED',
        `ffmpeg ${how} while reading "${name}". The file may be damaged; the details show ffmpeg's last messages.`,
        detail,
      );
    }
    return undefined;
  }

  private startPass(): void {
    this.passes++;
    // autoDestroy/emitClose off: fluent-ffmpeg treats the output stream's 'close' as "consumer
    // went away" and kills ffmpeg 20 ms later, which races with a normal exit under load.
    const stream = new PassThrough({
      autoDestroy: false,
      emitClose: false,
      highWaterMark: 64 * 1024,
    });
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const run: Run = {
      proc: undefined,
      stream,
      stderr: [],
      framesParsed: 0,
      streamEnded: false,
      closed: undefined,
      startError: undefined,
      exited,
      markExited,
      killTimer: undefined,
    };
    this.run = run;

    stream.on('data', (chunk: Buffer) => {
      if (this.run !== run || this.cancelled) return;
      this.bytesIn += chunk.length;
      this.splitter.push(chunk);
      this.pump();
      this.notify();
    });
    stream.on('end', () => {
      run.streamEnded = true;
      this.notify();
    });

    const cmd = ffmpeg({ stdoutLines: STDERR_LINES })
      .setFfmpegPath(this.deps.ffmpegPath)
      .input(this.plan.input)
      .inputOptions(...this.plan.inputOptions)
      .videoFilters([...this.plan.videoFilters])
      .outputOptions(...this.plan.outputOptions);

    cmd.on('start', () => {
      const proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      run.proc = proc;
      if (!proc) return;
      let partial = '';
      const addLines = (text: string): void => {
        run.stderr.push(...text.split(/\r?\n/).filter((l) => l.trim() !== ''));
        if (run.stderr.length > STDERR_LINES)
          run.stderr.splice(0, run.stderr.length - STDERR_LINES);
      };
      proc.stderr?.on('data', (d: Buffer | string) => {
        const text = partial + String(d);
        const cut = text.lastIndexOf('\n');
        partial = cut < 0 ? text : text.slice(cut + 1);
        if (cut >= 0) addLines(text.slice(0, cut));
        if (partial.length > 4096) partial = partial.slice(-4096);
      });
      proc.stderr?.once('end', () => addLines(partial));
      proc.once('exit', () => {
        if (run.killTimer) clearTimeout(run.killTimer);
        run.markExited();
      });
      // Spawn failure (ENOENT, EACCES): 'error' and 'close' but never 'exit'.
      proc.once('error', (err) => {
        run.startError ??= err;
        run.markExited();
        this.notify();
      });
      proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        run.closed = { code, signal };
        this.notify();
      });
      if (this.cancelled) this.kill(run);
    });
    // fluent-ffmpeg reports exits too; we read them from the process itself. Its 'error' before
    // 'start' (binary missing, capability check failed) is the only one we need.
    cmd.on('error', (err: Error) => {
      if (run.proc) return;
      run.startError = err;
      run.streamEnded = true;
      run.markExited();
      this.notify();
    });
    cmd.on('end', () => undefined);
    cmd.output(stream, { end: true }).run();
  }

  private kill(run: Run): void {
    const proc = run.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    // A writer blocked on a full pipe only notices SIGTERM when the write fails: close our end.
    proc.stdout?.destroy();
    run.killTimer ??= setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }, this.deps.killGraceMs ?? 500);
  }
}

/**
 * fluent-ffmpeg 2.1.3 crashes (TypeError in its child 'error' handler, an uncaught exception) when
 * spawning a missing binary after its capability cache is warm, so we check before we ever ask it.
 */
