/**
 * Frames out of a video file: ffmpeg decodes, resamples (fps filter), scales, encodes each frame
 * as JPEG and writes them back-to-back to stdout (`-f image2pipe -c:v mjpeg`); the JpegSplitter
 * cuts that stream into images. This is the ONE module that uses fluent-ffmpeg, so swapping it
 * for a direct spawn (or WebCodecs, …) touches nothing else. Everything goes through argv — no
 * shell anywhere.
 *
 * Design notes
 * - Timestamps: image2pipe carries no pts, so we always put an `fps=<outFps>` filter in the chain
 *   (constant output rate, also for variable-frame-rate sources) and derive
 *   `ptsMs = index * 1000 / outFps`. `index` and `ptsMs` keep counting across loop passes.
 * - Output rate: `opts.fps` capped at the source rate (we never invent duplicate frames); no
 *   `opts.fps` → the source rate; unknown source rate → `opts.fps` or 30.
 * - Size: fit inside maxWidth × maxHeight keeping the aspect ratio, never upscale, both sides
 *   rounded down to even. We compute the size here and pass `scale=W:H`, so `info` and the frames
 *   agree exactly (an odd source without limits is also rounded down to even).
 * - Quality: user scale 1–100 (higher = better, default 85) → mjpeg `-q:v` 31…2, linearly:
 *   q = round(2 + (100 − quality) × 29 / 99). 100 → 2, 85 → 6, 50 → 17, 1 → 31.
 * - Backpressure: at most `maxBufferedFrames` (default 8) parsed frames wait in memory. When the
 *   queue is full we pause the stdout stream; the OS pipe fills and ffmpeg blocks in write(). So a
 *   consumer that stops reading never makes ffmpeg run ahead or memory grow. `stats.maxBuffered`
 *   records the high-water mark.
 * - Real time: paced in Node, by pts against a monotonic clock, as frames are handed out (no
 *   `-re`). Because of the bounded buffer ffmpeg is at most a few frames ahead. If the consumer
 *   falls more than `maxLagMs` behind (it paused), the clock is re-anchored: playback continues at
 *   normal speed from where it is, no burst to "catch up".
 * - Loop: a new ffmpeg process per pass (simple, robust; costs ~0.1 s between passes, which the
 *   pacer absorbs in real-time mode).
 * - Cancel / abort / `break` out of for-await: ffmpeg gets SIGTERM and its stdout is closed
 *   (EPIPE unblocks a writer stuck on a full pipe), SIGKILL after a short grace; the iterator
 *   ENDS CLEANLY (no error) and `cancelled === true`. An already-aborted signal at open time
 *   makes openFrameSource itself reject with CANCELLED (from the probe).
 * - `producedAt` is stamped when the iterator hands the frame out (after pacing), so deliberate
 *   buffering/pacing never shows up as pipeline latency.
 * - Failures: non-zero exit → FFMPEG_FAILED with the last stderr lines as `detail`; stderr that
 *   says the file is cut off ("partial file", …) → FILE_TRUNCATED, even when ffmpeg exits 0 —
 *   thrown after every frame that was decoded has been yielded.
 * - fluent-ffmpeg 2.1.3 keeps `setFfmpegPath` and its capability cache process-global: use one
 *   ffmpeg binary per process (the app does).
 */
import type { ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { setTimeout as sleepMs } from 'node:timers/promises';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { KvsError } from '../../shared/errors.js';
import type { Frame } from '../frame.js';
import { JpegSplitter } from './jpeg-splitter.js';
import { ffmpegInputArg, probeVideo, type VideoProbe } from './probe.js';

// --- public types -------------------------------------------------------------------------------

export interface FrameSourceOptions {
  /** Output frame rate (fps filter). Capped at the source rate. Default: the source rate. */
  readonly fps?: number;
  /** Fit inside this width (keeps aspect, never upscales, even). */
  readonly maxWidth?: number;
  /** Fit inside this height (keeps aspect, never upscales, even). */
  readonly maxHeight?: number;
  /** JPEG quality 1–100, higher is better. Default 85 (mjpeg -q:v 6). */
  readonly quality?: number;
  /** Hand frames out at the video's pace. Default false (as fast as the consumer takes them). */
  readonly realtime?: boolean;
  /** Start over at the end; index and ptsMs keep increasing. Default false. */
  readonly loop?: boolean;
  /** Abort → ffmpeg is killed and the iterator ends cleanly (`cancelled` becomes true). */
  readonly signal?: AbortSignal;
  /** Parsed frames kept in memory before ffmpeg is paused. Default 8. */
  readonly maxBufferedFrames?: number;
}

export interface PacerClock {
  /** Monotonic milliseconds (performance.now()). */
  now(): number;
  /** Resolve after `ms`; reject when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface FrameSourceDeps {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly probeTimeoutMs?: number;
  /** Injected clock for real-time pacing (tests). Default performance.now + setTimeout. */
  readonly clock?: PacerClock;
  /** Real-time: re-anchor instead of bursting when this far behind. Default 250 ms. */
  readonly maxLagMs?: number;
  /** Time between SIGTERM and SIGKILL on cancel. Default 500 ms. */
  readonly killGraceMs?: number;
}

export interface FrameSourceInfo {
  /** Output frame size (after scaling). */
  readonly width: number;
  readonly height: number;
  /** Output frame rate (after the fps filter). */
  readonly fps: number;
  /** Frames per pass at the output rate; null when the duration is unknown. */
  readonly frameCountEstimate: number | null;
  readonly durationMs: number | null;
  /** The mjpeg -q:v actually used (2 best … 31 worst). */
  readonly jpegQscale: number;
  /** The probe of the input file, unchanged. */
  readonly input: VideoProbe;
}

export interface FrameSourceStats {
  /** Frames parsed and waiting for the consumer right now. */
  readonly buffered: number;
  /** Highest `buffered` seen; never above `maxBufferedFrames`. */
  readonly maxBuffered: number;
  /** Frames handed out. */
  readonly frames: number;
  /** ffmpeg processes started (loop passes). */
  readonly passes: number;
  /** Bytes read from ffmpeg's stdout so far (all passes). */
  readonly bytesIn: number;
  /** Bytes on ffmpeg's stdout that were not part of a JPEG (should stay 0). */
  readonly garbageBytes: number;
  /** Real-time mode: how often the pacer re-anchored after the consumer fell behind. */
  readonly pacingResyncs: number;
}

export interface FrameSource extends AsyncIterable<Frame> {
  readonly info: FrameSourceInfo;
  /**
   * True once cancel() ran, the signal aborted, or the consumer broke out of the loop before the
   * end. cancel() after the iterator finished by itself is a no-op and leaves this false.
   */
  readonly cancelled: boolean;
  /** pid of the running ffmpeg, if one is running. */
  readonly pid: number | undefined;
  readonly stats: FrameSourceStats;
  /** Kill ffmpeg and end the iterator. Resolves once the ffmpeg process is gone. */
  cancel(): Promise<void>;
}

// --- pure helpers (exported for tests) ----------------------------------------------------------

export const DEFAULT_QUALITY = 85;
export const DEFAULT_MAX_BUFFERED_FRAMES = 8;
const FALLBACK_FPS = 30;
const MAX_FPS = 240;

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

/** Everything fluent-ffmpeg is told, as plain data (so it can be inspected and tested). */
export function planFfmpeg(
  file: string,
  out: { width: number; height: number; fps: number; qscale: number },
  input: VideoProbe,
): FfmpegPlan {
  const filters = [`fps=${formatRate(out.fps)}`];
  if (out.width !== input.width || out.height !== input.height)
    filters.push(`scale=${out.width}:${out.height}`);
  return {
    input: ffmpegInputArg(file),
    inputOptions: ['-hide_banner', '-loglevel', 'error', '-nostdin'],
    videoFilters: filters,
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

class FfmpegFrameSource implements FrameSource {
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
async function assertRunnable(ffmpegPath: string): Promise<void> {
  if (!/[\\/]/.test(ffmpegPath)) return; // a bare name: left to spawn's PATH lookup
  try {
    await access(ffmpegPath, fsConstants.X_OK);
  } catch (e) {
    throw new KvsError(
      'FFMPEG_NOT_FOUND',
      `ffmpeg could not be started at "${ffmpegPath}". Set FFMPEG_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
      e instanceof Error ? e.message : String(e),
    );
  }
}

function invalid(message: string): KvsError {
  return new KvsError('INVALID_ARGUMENT', message);
}

function validate(opts: FrameSourceOptions): void {
  const { fps, maxWidth, maxHeight, quality, maxBufferedFrames } = opts;
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0 && fps <= MAX_FPS)) {
    throw invalid(
      `Frame rate must be a number above 0 and at most ${MAX_FPS} (got ${String(fps)}).`,
    );
  }
  for (const [label, v] of [
    ['Maximum width', maxWidth],
    ['Maximum height', maxHeight],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 2)) {
      throw invalid(`${label} must be a whole number of pixels, at least 2 (got ${String(v)}).`);
    }
  }
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw invalid(`JPEG quality must be a whole number from 1 to 100 (got ${String(quality)}).`);
  }
  if (
    maxBufferedFrames !== undefined &&
    !(Number.isInteger(maxBufferedFrames) && maxBufferedFrames >= 1)
  ) {
    throw invalid(
      `maxBufferedFrames must be a whole number, at least 1 (got ${String(maxBufferedFrames)}).`,
    );
  }
}

/**
 * Probe `file` and prepare a frame source. ffmpeg starts on the first `next()` of the iterator
 * (so looking at `info` alone never leaves a process behind). Throws the probe's KvsErrors and
 * INVALID_ARGUMENT for bad options.
 */
export async function openFrameSource(
  file: string,
  opts: FrameSourceOptions,
  deps: FrameSourceDeps,
): Promise<FrameSource> {
  validate(opts);
  await assertRunnable(deps.ffmpegPath);
  const input = await probeVideo(file, {
    ffprobePath: deps.ffprobePath,
    ...(deps.probeTimeoutMs !== undefined ? { timeoutMs: deps.probeTimeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const fps = outputFps(input.fps, opts.fps);
  const { width, height } = fitDimensions(input.width, input.height, opts.maxWidth, opts.maxHeight);
  const jpegQscale = qualityToQscale(opts.quality ?? DEFAULT_QUALITY);
  const info: FrameSourceInfo = {
    width,
    height,
    fps,
    frameCountEstimate: estimateOutputFrames(input, fps),
    durationMs: input.durationMs,
    jpegQscale,
    input,
  };
  const plan = planFfmpeg(file, { width, height, fps, qscale: jpegQscale }, input);
  return new FfmpegFrameSource(file, plan, info, opts, deps);
}
