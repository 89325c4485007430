/**
 * Probe a video file with ffprobe and turn every way it can go wrong into one plain KvsError.
 *
 * Why spawn ffprobe directly instead of fluent-ffmpeg's `ffprobe()`: fluent-ffmpeg's probe has no
 * timeout, no AbortSignal and no handle on the child to kill; it goes through fluent-ffmpeg's
 * process-global binary path cache; and it folds stderr into a generic Error, while we need the
 * exact stderr ("moov atom not found", "Invalid data found …") to say *why* a file is unreadable.
 * A direct `spawn(ffprobe, argv)` (no shell) with `-print_format json` gives all of that in a few
 * lines, and keeps fluent-ffmpeg inside frame-source.ts only.
 *
 * Order of checks: fs.stat first (missing / not a regular file / 0 bytes — no process needed),
 * then ffprobe. The input is passed as `file:<absolute path>` so names containing ':' or starting
 * with '-' are never read as a protocol or an option; spaces and non-ASCII need no quoting
 * because there is no shell.
 */
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { KvsError } from '../../shared/errors.js';

export interface VideoProbe {
  /** Container (or stream) duration; null when ffprobe cannot tell (e.g. a live-ish stream). */
  readonly durationMs: number | null;
  /** Average frame rate of the video stream; null when unknown. */
  readonly fps: number | null;
  /** Display size: already swapped for 90°/270° rotated videos (ffmpeg autorotates on decode). */
  readonly width: number;
  readonly height: number;
  /** ffprobe codec_name of the video stream, e.g. "h264". */
  readonly codec: string;
  /** nb_frames when the container records it, else duration × fps; null when neither is known. */
  readonly frameCountEstimate: number | null;
  readonly sizeBytes: number;
  readonly hasAudio: boolean;
}

export interface ProbeOptions {
  readonly ffprobePath: string;
  /** Kill ffprobe and throw PROBE_TIMEOUT after this long. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Abort → ffprobe is killed and the promise rejects with KvsError CANCELLED. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
const MAX_STDOUT_BYTES = 8 << 20;
const STDERR_TAIL_BYTES = 8 << 10;

// --- ffprobe JSON (only what we read) ------------------------------------------------------------

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
}

// --- helpers ---------------------------------------------------------------------------------------

/** "30000/1001" → 29.97…; null for 0/0, garbage or absurd values. */
export function parseRate(rate: string | undefined): number | null {
  if (rate === undefined) return null;
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(rate.trim());
  if (!m) return null;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  const v = num / den;
  return Number.isFinite(v) && v > 0 && v <= 1000 ? v : null;
}

function parseSeconds(s: string | undefined): number | null {
  if (s === undefined) return null;
  const v = Number(s);
  return Number.isFinite(v) && v > 0 ? v : null;
}

function rotationOf(s: FfprobeStream): number {
  for (const sd of s.side_data_list ?? []) {
    if (typeof sd.rotation === 'number' && Number.isFinite(sd.rotation)) return sd.rotation;
  }
  const tag = Number(s.tags?.rotate);
  return Number.isFinite(tag) ? tag : 0;
}

/** Does the file start like a container we know (so a failure means "damaged", not "not a video")? */
async function sniffContainer(file: string): Promise<'iso-bmff' | 'matroska' | 'avi' | null> {
  let fh;
  try {
    fh = await open(file, 'r');
    const head = Buffer.alloc(12);
    const { bytesRead } = await fh.read(head, 0, 12, 0);
    if (bytesRead < 8) return null;
    const box = head.subarray(4, 8).toString('latin1');
    if (['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot'].includes(box)) return 'iso-bmff';
    if (head.readUInt32BE(0) === 0x1a45dfa3) return 'matroska';
    if (
      head.subarray(0, 4).toString('latin1') === 'RIFF' &&
      head.subarray(8, 12).toString('latin1') === 'AVI '
    ) {
      return 'avi';
    }
    return null;
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}

function tail(text: string, lines = 8): string {
  return text.trim().split(/\r?\n/).slice(-lines).join('\n');
}

/** Plain errors for the file checks, shared with frame-source. */
export const fileErrors = {
  notFound: (name: string, detail?: string) =>
    new KvsError(
      'FILE_NOT_FOUND',
      `"${name}" doesn't exist. Check the path, or pick the file again.`,
      detail,
    ),
  notAFile: (name: string, isDir: boolean) =>
    new KvsError(
      'FILE_NOT_A_FILE',
      isDir
        ? `"${name}" is a folder, not a video file. Pick a video file inside it.`
        : `"${name}" is not a regular file (a device, pipe or socket). Pick a video file.`,
    ),
  empty: (name: string) =>
    new KvsError(
      'FILE_EMPTY',
      `"${name}" is empty (0 bytes). If it is still downloading or copying, wait for that to finish; otherwise pick another file.`,
    ),
  notVideo: (name: string, detail?: string) =>
    new KvsError(
      'FILE_NOT_VIDEO',
      `"${name}" is not a video that ffmpeg can read. Pick a video file such as .mp4, .mov, .mkv or .webm.`,
      detail,
    ),
  stillImage: (name: string) =>
    new KvsError(
      'FILE_NOT_VIDEO',
      `"${name}" is a still image, not a video. Pick a video file such as .mp4, .mov, .mkv or .webm.`,
    ),
  truncated: (name: string, detail?: string) =>
    new KvsError(
      'FILE_TRUNCATED',
      `"${name}" is incomplete: part of the file is missing (an interrupted download or copy?). Download or copy it again.`,
      detail,
    ),
  noVideoStream: (name: string) =>
    new KvsError(
      'FILE_NO_VIDEO_STREAM',
      `"${name}" has sound but no picture: it contains no video stream. Pick a file that has video.`,
    ),
};

/**
 * fs.stat checks shared by probe and frame source. Returns the size in bytes.
 * missing → FILE_NOT_FOUND, directory/device → FILE_NOT_A_FILE, 0 bytes → FILE_EMPTY.
 */
export async function checkVideoFile(file: string): Promise<number> {
  const name = path.basename(file);
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fileErrors.notFound(name);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new KvsError(
        'FILE_NOT_FOUND',
        `"${name}" can't be opened: permission denied. Check the file's permissions or pick another file.`,
        code,
      );
    }
    throw fileErrors.notFound(name, e instanceof Error ? e.message : String(e));
  }
  if (!st.isFile()) throw fileErrors.notAFile(name, st.isDirectory());
  if (st.size === 0) throw fileErrors.empty(name);
  return st.size;
}

/** Argument that makes ffmpeg/ffprobe read exactly this local file. */
export function ffmpegInputArg(file: string): string {
  return `file:${path.resolve(file)}`;
}

// --- probe -----------------------------------------------------------------------------------------

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runFfprobe(
  ffprobePath: string,
  args: string[],
  name: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new KvsError('CANCELLED', `Reading "${name}" was cancelled.`));
      return;
    }
    const child = spawn(ffprobePath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: KvsError | null = null;

    const stop = (e: KvsError): void => {
      if (failure) return;
      failure = e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        stop(
          new KvsError(
            'PROBE_TIMEOUT',
            `Reading "${name}" took longer than ${Math.max(1, Math.round(timeoutMs / 1000))} s, so it was stopped. ` +
              `If the file is on a network or removable drive, copy it to a local disk and try again.`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => stop(new KvsError('CANCELLED', `Reading "${name}" was cancelled.`));
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > MAX_STDOUT_BYTES) {
        stop(
          new KvsError(
            'FFMPEG_FAILED',
            `ffprobe printed too much about "${name}"; it is probably not a normal video.`,
          ),
        );
      } else out.push(d);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err = (err + d).slice(-STDERR_TAIL_BYTES);
    });
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish();
      if (failure) return reject(failure);
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        reject(
          new KvsError(
            'FFMPEG_NOT_FOUND',
            `ffprobe could not be started at "${ffprobePath}". Set FFPROBE_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
            e.message,
          ),
        );
      } else
        reject(
          new KvsError('FFMPEG_FAILED', `ffprobe could not be started: ${e.message}`, e.message),
        );
    });
    child.on('close', (code) => {
      finish();
      if (failure) reject(failure);
      else resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
}

/** Probe `file`. Throws KvsError with one of the FILE_* codes, PROBE_TIMEOUT, CANCELLED, FFMPEG_*. */
export async function probeVideo(file: string, opts: ProbeOptions): Promise<VideoProbe> {
  const name = path.basename(file);
  const sizeBytes = await checkVideoFile(file);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const args = [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    ffmpegInputArg(file),
  ];
  const res = await runFfprobe(opts.ffprobePath, args, name, timeoutMs, opts.signal);
  const detail = tail(res.stderr) || undefined;

  if (res.code !== 0) {
    const s = res.stderr;
    if (/No such file or directory/i.test(s)) throw fileErrors.notFound(name, detail);
    if (/Permission denied/i.test(s)) {
      throw new KvsError(
        'FILE_NOT_FOUND',
        `"${name}" can't be opened: permission denied. Check the file's permissions or pick another file.`,
        detail,
      );
    }
    // The mp4 demuxer is picked by the .mp4 extension even for a text file, so "moov atom not
    // found" alone doesn't prove truncation: only a file that really starts like a container is
    // "incomplete"; anything else is "not a video".
    const container = await sniffContainer(file);
    if (
      container !== null &&
      /moov atom not found|Invalid data found|partial file|End of file|truncat|EBML header parsing failed/i.test(
        s,
      )
    ) {
      throw fileErrors.truncated(name, detail);
    }
    if (
      /moov atom not found|Invalid data found|could not find codec parameters|Unknown input format|no such demuxer/i.test(
        s,
      )
    ) {
      throw fileErrors.notVideo(name, detail);
    }
    throw new KvsError(
      'FFMPEG_FAILED',
      `ffprobe could not read "${name}" (exit code ${String(res.code)}). Try another file; the details say more.`,
      detail,
    );
  }

  let json: FfprobeOutput;
  try {
    json = JSON.parse(res.stdout) as FfprobeOutput;
  } catch {
    throw new KvsError(
      'FFMPEG_FAILED',
      `ffprobe gave an unreadable answer for "${name}".`,
      res.stdout.slice(0, 500),
    );
  }
  const streams = Array.isArray(json.streams) ? json.streams : [];
  const formatName = json.format?.format_name ?? '';
  if (streams.length === 0 || formatName === 'tty') throw fileErrors.notVideo(name, detail);
  if (formatName === 'image2' || formatName.endsWith('_pipe')) throw fileErrors.stillImage(name);

  const hasAudio = streams.some((s) => s.codec_type === 'audio');
  // Cover art in music files is a "video" stream with disposition attached_pic: not a video.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video) {
    if (hasAudio) throw fileErrors.noVideoStream(name);
    throw fileErrors.notVideo(name, detail);
  }
  const w = video.width ?? 0;
  const h = video.height ?? 0;
  if (!(w > 0 && h > 0))
    throw fileErrors.notVideo(name, detail ?? 'video stream without a picture size');
  const rotated = Math.abs(Math.round(rotationOf(video))) % 180 === 90;

  const fps = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  const seconds = parseSeconds(json.format?.duration) ?? parseSeconds(video.duration);
  const durationMs = seconds === null ? null : Math.round(seconds * 1000);
  const nbFrames = Number(video.nb_frames);
  const frameCountEstimate =
    Number.isInteger(nbFrames) && nbFrames > 0
      ? nbFrames
      : seconds !== null && fps !== null
        ? Math.round(seconds * fps)
        : null;

  return {
    durationMs,
    fps,
    width: rotated ? h : w,
    height: rotated ? w : h,
    codec: video.codec_name ?? 'unknown',
    frameCountEstimate,
    sizeBytes,
    hasAudio,
  };
}
