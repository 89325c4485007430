/**
 * One ffmpeg per H.264 stream that turns access units (Annex B) into JPEGs, for a page that
 * cannot decode the stream's codec itself (issue 14: the viewer's fallback).
 *
 * - Streaming: access units go to ffmpeg's stdin in an IVF stream (core/export/ivf-stream.ts:
 *   a frame header per unit, so ffmpeg knows where each one ends and puts it out at once — a raw
 *   `-f h264` pipe holds three units back to find the next start code), JPEGs come from stdout
 *   (`-f image2pipe -c:v mjpeg`) and are cut by the JPEG structure (jpeg-splitter.ts). No files.
 * - One JPEG out per access unit in, in order, as soon as it is decoded (`-fps_mode passthrough`,
 *   one decoder and one encoder thread, low delay, a flush per packet — measured: the JPEG of
 *   unit k is out before unit k+1 goes in): each JPEG is handed out with the `meta` its access
 *   unit came with.
 * - Starts at the stream's next keyframe: units before it are skipped and counted (ffmpeg is not
 *   started until then).
 * - Bounded memory, backpressure: at most `maxInFlight` units are in ffmpeg without their JPEG;
 *   beyond that `push` returns a promise that resolves when one comes out (or the pipe drained,
 *   after `maxWaitMs`, so an ffmpeg that holds frames back cannot stall the caller for good).
 * - `stop()` kills ffmpeg (SIGKILL: nothing to finish) and waits for it to exit. An ffmpeg that
 *   fails (cannot start, exits) is reported once through `onError`, never thrown at the caller:
 *   later pushes are ignored.
 *
 * argv only, no shell (spawn, as core/export/mp4-writer.ts does: fluent-ffmpeg's stdin/stdout
 * streams do not give per-write backpressure).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { KvsError } from '../../shared/errors.js';
import { ivfFileHeader, ivfFrameHeader } from '../export/ivf-stream.js';
import { ffmpegNotFound } from './ffmpeg-process.js';
import { JpegSplitter } from './jpeg-splitter.js';
import type { PassthroughOption } from './passthrough-option.js';

const STDERR_LINES = 20;
/** JPEG quality (`-q:v`, 2 best … 31 worst): 5 is what the producer uses by default. */
export const FALLBACK_JPEG_QUALITY = 5;
export const FALLBACK_MAX_IN_FLIGHT = 8;

export interface H264ToJpegOptions<M> {
  readonly ffmpegPath: string;
  /** A JPEG for the access unit that came with `meta`, in the order they were pushed. */
  readonly onJpeg: (jpeg: Buffer, meta: M) => void;
  /** ffmpeg failed (could not start, exited): said once; the transcoder is done. */
  readonly onError: (error: KvsError) => void;
  /** How this ffmpeg keeps each frame's time (passthrough-option.ts); default `-fps_mode`. */
  readonly passthrough?: PassthroughOption;
  /** `-q:v`, default {@link FALLBACK_JPEG_QUALITY}. */
  readonly quality?: number;
  /** Units in ffmpeg without their JPEG before `push` waits; default {@link FALLBACK_MAX_IN_FLIGHT}. */
  readonly maxInFlight?: number;
  /** The longest `push` waits for a JPEG before it settles for a drained pipe; default 2000. */
  readonly maxWaitMs?: number;
}

/** ffmpeg's argv: IVF (H.264) on stdin, JPEGs on stdout, one per frame, as soon as it is decoded. */
export function h264ToJpegArgs(
  quality = FALLBACK_JPEG_QUALITY,
  passthrough: PassthroughOption = '-fps_mode',
): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    // do not read ahead to look at the stream: the IVF header and the first keyframe say enough
    ...['-probesize', '32', '-analyzeduration', '0'],
    // a frame out as soon as it is decoded (no reordering delay, no frame threads)
    ...['-flags', 'low_delay', '-threads', '1'],
    ...['-f', 'ivf', '-i', 'pipe:0'],
    // one encoder thread: mjpeg's frame threads hold a frame back until the next one comes
    // (`-vsync passthrough` before ffmpeg 5.1)
    ...['-an', passthrough, 'passthrough', '-threads', '1'],
    ...['-c:v', 'mjpeg', '-q:v', String(quality), '-flush_packets', '1'],
    ...['-f', 'image2pipe', 'pipe:1'],
  ];
}

export class H264ToJpeg<M> {
  private proc: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
  private readonly splitter = new JpegSplitter();
  /** The metas of the units in ffmpeg without their JPEG yet, oldest first. */
  private readonly waiting: Array<{ readonly meta: M }> = [];
  private readonly stderr: string[] = [];
  private readonly wakers = new Set<() => void>();
  private exited: Promise<void> = Promise.resolve();
  private stopped = false;
  private failure: KvsError | null = null;
  private unitsIn = 0;
  private skippedCount = 0;
  private jpegCount = 0;

  constructor(private readonly opts: H264ToJpegOptions<M>) {}

  /** Units skipped before the first keyframe. */
  get skipped(): number {
    return this.skippedCount;
  }

  /** JPEGs handed out so far. */
  get jpegs(): number {
    return this.jpegCount;
  }

  /** Units in ffmpeg without their JPEG yet. */
  get inFlight(): number {
    return this.waiting.length;
  }

  /** ffmpeg is running (a keyframe came, nothing failed, not stopped). */
  get running(): boolean {
    return this.proc !== null && this.failure === null && !this.stopped;
  }

  /** ffmpeg's process id once started (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** What ffmpeg failed with, if it did. */
  get error(): KvsError | null {
    return this.failure;
  }

  /**
   * One access unit. Before the first keyframe it is skipped; otherwise written to ffmpeg.
   * Returns a promise while ffmpeg is behind (see the file comment). Never throws.
   */
  push(unit: Uint8Array, keyframe: boolean, meta: M): Promise<void> | void {
    if (this.stopped || this.failure !== null) return;
    if (this.proc === null) {
      if (!keyframe) {
        this.skippedCount++;
        return;
      }
      this.start();
    }
    const proc = this.proc;
    if (proc === null || this.failure !== null) return;
    this.waiting.push({ meta });
    // pts: a second apart, so no encoder time base can round two frames to one tick (mjpeg
    // refuses a pts that is not after the last); the times are not shown anywhere
    proc.stdin.write(ivfFrameHeader(unit.length, 1000 * this.unitsIn++));
    const drained = proc.stdin.write(unit);
    if (drained && this.waiting.length <= this.maxInFlight) return;
    return this.waitForRoom(drained);
  }

  /** Kill ffmpeg and wait for it to exit; later pushes are ignored. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await this.exited;
  }

  private get maxInFlight(): number {
    return this.opts.maxInFlight ?? FALLBACK_MAX_IN_FLIGHT;
  }

  private start(): void {
    const { ffmpegPath } = this.opts;
    const proc = spawn(ffmpegPath, h264ToJpegArgs(this.opts.quality, this.opts.passthrough), {
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.proc = proc;
    // a write after ffmpeg died fails with EPIPE: the exit says why
    proc.stdin.on('error', () => undefined);
    proc.stdin.write(ivfFileHeader('video/h264'));
    let tail = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      const lines = (tail + s).split('\n');
      tail = (lines.pop() ?? '').slice(-4096);
      this.stderr.push(...lines.filter((l) => l.trim() !== ''));
      this.stderr.splice(0, Math.max(0, this.stderr.length - STDERR_LINES));
    });
    proc.stdout.on('data', (chunk: Buffer) => this.output(chunk));
    this.exited = new Promise<void>((resolve) => {
      let startError: Error | undefined;
      proc.once('error', (e) => {
        startError = e;
        this.fail(ffmpegNotFound(ffmpegPath, e.message));
        resolve();
      });
      proc.once('close', (code, signal) => {
        if (tail.trim() !== '') this.stderr.push(tail);
        if (startError === undefined && !this.stopped) {
          const how =
            signal !== null ? `was stopped by ${signal}` : `exited (code ${String(code)})`;
          this.fail(
            new KvsError(
              'FFMPEG_FAILED',
              `ffmpeg ${how} while decoding the H.264 stream to JPEG: ${this.stderr.at(-1) ?? 'no message'}`,
              this.stderr.join('\n') || undefined,
            ),
          );
        }
        resolve();
      });
    });
  }

  private output(chunk: Buffer): void {
    this.splitter.push(chunk);
    for (let jpeg = this.splitter.shift(); jpeg !== undefined; jpeg = this.splitter.shift()) {
      const unit = this.waiting.shift();
      if (unit === undefined) continue; // more JPEGs than units: cannot be (one per frame)
      this.jpegCount++;
      if (!this.stopped) this.opts.onJpeg(jpeg, unit.meta);
    }
    if (this.waiting.length < this.maxInFlight) this.wake();
  }

  private waitForRoom(drained: boolean): Promise<void> {
    const stdin = this.proc?.stdin;
    return new Promise<void>((resolve) => {
      let pipeOk = drained;
      let timedOut = false;
      const check = (): void => {
        if (this.stopped || this.failure !== null) done();
        // ffmpeg holds frames back for longer than it should: a drained pipe is enough then
        else if (pipeOk && (timedOut || this.waiting.length < this.maxInFlight)) done();
      };
      const onDrain = (): void => {
        pipeOk = true;
        check();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        check();
      }, this.opts.maxWaitMs ?? 2000);
      const done = (): void => {
        clearTimeout(timer);
        stdin?.off('drain', onDrain);
        this.wakers.delete(check);
        resolve();
      };
      if (!drained) stdin?.once('drain', onDrain);
      this.wakers.add(check);
    });
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private fail(error: KvsError): void {
    if (this.failure !== null || this.stopped) return;
    this.failure = error;
    this.waiting.length = 0;
    this.wake();
    this.opts.onError(error);
  }
}
