/**
 * One ffmpeg process that turns frames written to its stdin into an MP4 file: H.264 access units
 * (Annex B) are remuxed as they are (`-c copy`), images are encoded with libx264. Timestamps are
 * a constant rate (`-framerate`, the stream's kvs-fps). Writes respect stdin's backpressure:
 * `write` resolves when the pipe takes more, so no more than a pipe's worth is ever held.
 * argv only, no shell. The caller owns the output path (write to a part file, then rename).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { KvsError } from '../../shared/errors.js';
import type { MediaType } from '../kafka/wire-format.js';

const STDERR_LINES = 20;

export interface Mp4WriterOptions {
  readonly ffmpegPath: string;
  /** What the frames are: H.264 is remuxed, images are encoded. */
  readonly type: MediaType;
  readonly fps: number;
  /** The file ffmpeg writes (always MP4, whatever its name ends with). */
  readonly path: string;
}

/** ffmpeg's argv for one export. */
export function mp4WriterArgs(opts: Omit<Mp4WriterOptions, 'ffmpegPath'>): string[] {
  const fps = String(opts.fps);
  const input =
    opts.type === 'video/h264'
      ? ['-f', 'h264', '-framerate', fps, '-i', 'pipe:0', '-c', 'copy']
      : [
          ...(opts.type === 'image/jpeg' ? ['-f', 'mjpeg'] : ['-f', 'image2pipe', '-c:v', 'png']),
          ['-framerate', fps, '-i', 'pipe:0'],
          // yuv420p needs even sizes
          ['-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast'],
          ['-pix_fmt', 'yuv420p'],
        ].flat();
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...input,
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

  /** Hand one frame to ffmpeg; resolves when the pipe can take more. */
  async write(frame: Buffer): Promise<void> {
    if (this.gone) throw await this.failure();
    this.bytesIn += frame.length;
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
