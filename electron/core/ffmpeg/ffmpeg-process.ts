/**
 * One ffmpeg process of a frame source (through fluent-ffmpeg, the one module that uses it with
 * ffmpeg-frame-source.ts): start it with a plan, stream its stdout to a callback, keep the last
 * stderr lines, kill it (SIGTERM, stdout closed, SIGKILL after a grace), and turn its exit and
 * stderr into a clear KvsError. Which bytes it writes (JPEGs, H.264) is the caller's business.
 */
import { KvsError } from '../../shared/errors.js';
import type { FfmpegPlan } from './ffmpeg-plan.js';
import ffmpeg from 'fluent-ffmpeg';
import { type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';

const TRUNCATION_RE =
  /partial file|moov atom not found|Truncat|unexpected end of file|End of file|EBML header parsing failed/i;

const STDERR_LINES = 20;

export interface FfmpegRun {
  proc: ChildProcess | undefined;
  readonly stream: PassThrough;
  readonly stderr: string[];
  /** Frames cut out of this run's stdout so far. */
  framesParsed: number;
  streamEnded: boolean;
  /** Set when the process is gone (exit code / signal) or could not be started (startError). */
  closed: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  startError: Error | undefined;
  readonly exited: Promise<void>;
  killTimer: NodeJS.Timeout | undefined;
}

export interface RunCallbacks {
  /** A chunk of stdout. */
  onData(chunk: Buffer): void;
  /** Anything changed (stdout ended, the process closed, it failed to start). */
  onChange(): void;
  /** The process was spawned (a cancel that came first can kill it now). */
  onStart(): void;
}

/** Start ffmpeg with `plan`, stdout to `cb.onData`. Never throws: a failed start is `startError`. */
export function startFfmpegRun(ffmpegPath: string, plan: FfmpegPlan, cb: RunCallbacks): FfmpegRun {
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
  const run: FfmpegRun = {
    proc: undefined,
    stream,
    stderr: [],
    framesParsed: 0,
    streamEnded: false,
    closed: undefined,
    startError: undefined,
    exited,
    killTimer: undefined,
  };

  stream.on('data', (chunk: Buffer) => cb.onData(chunk));
  stream.on('end', () => {
    run.streamEnded = true;
    cb.onChange();
  });

  const cmd = ffmpeg({ stdoutLines: STDERR_LINES })
    .setFfmpegPath(ffmpegPath)
    .input(plan.input)
    .inputOptions(...plan.inputOptions)
    .videoFilters([...plan.videoFilters])
    .outputOptions(...plan.outputOptions);

  cmd.on('start', () => {
    const proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
    run.proc = proc;
    if (!proc) return;
    let partial = '';
    const addLines = (text: string): void => {
      run.stderr.push(...text.split(/\r?\n/).filter((l) => l.trim() !== ''));
      if (run.stderr.length > STDERR_LINES) run.stderr.splice(0, run.stderr.length - STDERR_LINES);
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
      markExited();
    });
    // Spawn failure (ENOENT, EACCES): 'error' and 'close' but never 'exit'.
    proc.once('error', (err) => {
      run.startError ??= err;
      markExited();
      cb.onChange();
    });
    proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      run.closed = { code, signal };
      cb.onChange();
    });
    cb.onStart();
  });
  // fluent-ffmpeg reports exits too; we read them from the process itself. Its 'error' before
  // 'start' (binary missing, capability check failed) is the only one we need.
  cmd.on('error', (err: Error) => {
    if (run.proc) return;
    run.startError = err;
    run.streamEnded = true;
    markExited();
    cb.onChange();
  });
  cmd.on('end', () => undefined);
  cmd.output(stream, { end: true }).run();
  return run;
}

/** SIGTERM, close our end of stdout (a writer blocked on a full pipe then fails), SIGKILL later. */
export function killRun(run: FfmpegRun, graceMs: number): void {
  const proc = run.proc;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  proc.stdout?.destroy();
  run.killTimer ??= setTimeout(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }, graceMs);
}

export function ffmpegNotFound(ffmpegPath: string, detail?: string): KvsError {
  return new KvsError(
    'FFMPEG_NOT_FOUND',
    `ffmpeg could not be started at "${ffmpegPath}". Set FFMPEG_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
    detail,
  );
}

/** The error a finished (or failed to start) run ends with; undefined when it went well. */
export function runOutcome(run: FfmpegRun, file: string, ffmpegPath: string): KvsError | undefined {
  const name = path.basename(file);
  const detail = run.stderr.join('\n') || undefined;
  if (run.startError) {
    const msg = run.startError.message;
    if (/ENOENT|EACCES|Cannot find ffmpeg/i.test(msg)) return ffmpegNotFound(ffmpegPath, msg);
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
