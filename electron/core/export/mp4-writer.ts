/**
 * One ffmpeg process that turns frames written to its stdin into an MP4 file: H.264 access units
 * (Annex B) are remuxed as they are (`-c copy`), images are encoded with libx264. Each frame goes
 * in with its own timestamp (an IVF stream, `ivf-stream.ts`; the caller's times come from
 * `export-timeline.ts`), and images are encoded with `-fps_mode passthrough` (`-vsync` before
 * ffmpeg 5.1: passthrough-option.ts) and no B-frames, so the MP4 keeps gaps and variable rates
 * instead of a constant rate. Writes respect stdin's backpressure: `write` resolves when the
 * pipe takes more, so no more than a pipe's worth is ever held.
 * argv only, no shell. The caller owns the output path (write to a part file, then rename).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { KvsError } from '../../shared/errors.js';
import type { MediaType } from '../kafka/wire-format.js';
import { ivfFileHeader, ivfFrameHeader } from './ivf-stream.js';
import type { PassthroughOption } from '../ffmpeg/passthrough-option.js';

const STDERR_LINES = 20;

export interface Mp4WriterOptions {
  readonly ffmpegPath: string;
  /** What the frames are: H.264 is remuxed, images are encoded. */
  readonly type: MediaType;
  /** How this ffmpeg is told to keep each frame's time when encoding (passthrough-option.ts). */
  readonly passthrough?: PassthroughOption;
  /** The picture's size when known (0: ffmpeg reads it from the frames). */
  readonly width?: number;
  readonly height?: number;
  /** The file ffmpeg writes (always MP4, whatever its name ends with). */
  readonly path: string;
}

/** ffmpeg's argv for one export. */
export function mp4WriterArgs(
  opts: Pick<Mp4WriterOptions, 'type' | 'path' | 'passthrough'>,
): string[] {
  const codec =
    opts.type === 'video/h264'
      ? ['-c', 'copy']
      : [
          // yuv420p needs even sizes; passthrough: each frame keeps its time (no duplicates or
          // drops); no B-frames, so decode order is time order and a variable rate's duration
          // stays exact (with B-frames the MP4's edit list shifts by the reorder delay)
          ['-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast'],
          ['-bf', '0'],
          ['-pix_fmt', 'yuv420p', opts.passthrough ?? '-fps_mode', 'passthrough'],
        ].flat();
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'ivf', '-i', 'pipe:0'],
    ...codec,
    ...['-movflags', '+faststart', '-f', 'mp4', opts.path],
  ];
}

export class Mp4Writer {
  private readonly proc: ChildProcessByStdio<Writable, null, Readable>;
  private readonly stderr: string[] = [];
  private readonly exited: Promise<{ code: number | null; error: Error | undefined }>;
  private gone = false;
  private killed = false;
  /** Bytes handed to ffmpeg. */
  bytesIn = 0;

  constructor(private readonly opts: Mp4WriterOptions) {
    this.proc = spawn(opts.ffmpegPath, mp4WriterArgs(opts), {
      stdio: ['pipe', 'ignore', 'pipe'],
      windowsHide: true,
    });
    let tail = '';
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (s: string) => {
      const lines = (tail + s).split('\n');
      tail = lines.pop() ?? '';
      this.stderr.push(...lines.filter((l) => l.trim() !== ''));
      this.stderr.splice(0, Math.max(0, this.stderr.length - STDERR_LINES));
    });
    // a write after ffmpeg died fails with EPIPE: the exit says why
    this.proc.stdin.on('error', () => undefined);
    this.proc.stdin.write(ivfFileHeader(opts.type, opts.width, opts.height));
    this.exited = new Promise((resolve) => {
      let startError: Error | undefined;
      this.proc.once('error', (e) => {
        startError = e;
        this.gone = true;
        resolve({ code: null, error: e });
      });
      this.proc.once('close', (code) => {
        this.gone = true;
        if (tail.trim() !== '') this.stderr.push(tail);
        resolve({ code, error: startError });
      });
    });
  }

  /** Hand one frame and its time in the file (ms, increasing) to ffmpeg; resolves when the pipe can take more. */
  async write(frame: Buffer, ptsMs: number): Promise<void> {
    if (this.gone) throw await this.failure();
    this.bytesIn += frame.length;
    this.proc.stdin.write(ivfFrameHeader(frame.length, ptsMs));
    if (this.proc.stdin.write(frame)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.proc.stdin.off('drain', done);
        resolve();
      };
      this.proc.stdin.once('drain', done);
      void this.exited.then(done);
    });
    if (this.gone) throw await this.failure();
  }

  /** No more frames: wait until ffmpeg has written the whole file. */
  async finish(): Promise<void> {
    this.proc.stdin.end();
    const { code, error } = await this.exited;
    if (code !== 0 || error !== undefined) throw await this.failure();
  }

  /** Stop at once (the caller removes the file). */
  async abort(): Promise<void> {
    this.killed = true;
    if (!this.gone) this.proc.kill('SIGKILL');
    await this.exited;
  }

  private async failure(): Promise<KvsError> {
    const { code, error } = await this.exited;
    if (this.killed) return new KvsError('CANCELLED', 'The export was stopped.');
    if (error !== undefined)
      return new KvsError(
        'FFMPEG_FAILED',
        `Could not start ffmpeg (${this.opts.ffmpegPath}): ${error.message}`,
      );
    const what = this.opts.type === 'video/h264' ? 'remux the H.264 stream' : 'encode the images';
    return new KvsError(
      'FFMPEG_FAILED',
      `ffmpeg could not ${what} into an MP4 (exit ${code ?? 'by a signal'}): ${this.stderr.at(-1) ?? 'no message'}`,
      this.stderr.join('\n'),
    );
  }
}
