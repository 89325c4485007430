/**
 * Probe a live input (a URL or a camera) with ffprobe: the picture size, the rate and whether it
 * has a duration (a recording or a finished playlist ends like a file; a live stream does not).
 * Spawned directly (argv, no shell) like probe.ts, with a hard time limit and an AbortSignal;
 * every failure becomes one of live-errors.ts's KvsErrors (the URL redacted).
 */
import { spawn } from 'node:child_process';
import { KvsError } from '../../shared/errors.js';
import type { LiveInput } from '../../shared/source-input.js';
import { liveSourceError, liveSourceLabel } from './live-errors.js';
import type { LiveInputArgs } from './live-input.js';
import { parseRate, type VideoProbe } from './probe.js';

const MAX_STDOUT_BYTES = 1 << 20;
const STDERR_TAIL_BYTES = 8 << 10;

interface ProbeJson {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    disposition?: { attached_pic?: number };
  }[];
  format?: { duration?: string };
}

/** Turn ffprobe's JSON into a probe; throws SOURCE_NOT_VIDEO when there is no picture. */
export function liveProbeFromJson(json: ProbeJson, input: LiveInput, stderr: string): VideoProbe {
  const streams = Array.isArray(json.streams) ? json.streams : [];
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const w = video?.width ?? 0;
  const h = video?.height ?? 0;
  if (!video || !(w > 0 && h > 0)) throw liveSourceError(input, `${stderr}\nno video stream`);
  const seconds = Number(json.format?.duration);
  const durationMs = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
  return {
    durationMs,
    fps: parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate),
    width: w,
    height: h,
    codec: video.codec_name ?? 'unknown',
    frameCountEstimate: null,
    sizeBytes: 0,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

export async function probeLive(
  input: LiveInput,
  args: LiveInputArgs,
  opts: {
    readonly ffprobePath: string;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal | undefined;
  },
): Promise<VideoProbe> {
  const label = liveSourceLabel(input);
  if (opts.signal?.aborted) throw new KvsError('CANCELLED', `Opening ${label} was cancelled.`);
  const argv = [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    ...args.inputOptions,
    '-i',
    args.input,
  ];
  const res = await new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
  }>((resolve, reject) => {
    const child = spawn(opts.ffprobePath, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    // ffprobe's own socket timeout fires first; this one catches anything that ignores it
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs + 2_000);
    const onAbort = (): void => {
      cancelled = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes <= MAX_STDOUT_BYTES) out.push(d);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish();
      reject(
        new KvsError(
          'FFMPEG_NOT_FOUND',
          `ffprobe could not be started at "${opts.ffprobePath}". Set FFPROBE_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
          e.message,
        ),
      );
    });
    child.on('close', (code, sig) => {
      finish();
      if (cancelled) reject(new KvsError('CANCELLED', `Opening ${label} was cancelled.`));
      else
        resolve({
          code,
          signal: sig,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr,
          timedOut,
        });
    });
  });
  if (res.timedOut || res.code !== 0)
    throw liveSourceError(
      input,
      res.stderr.trim() ||
        (res.signal
          ? `ffprobe was stopped by ${res.signal}`
          : `ffprobe ended with exit code ${String(res.code)}`),
      {
        timedOut: res.timedOut,
        timeoutMs: opts.timeoutMs,
      },
    );
  let json: ProbeJson;
  try {
    json = JSON.parse(res.stdout) as ProbeJson;
  } catch {
    throw liveSourceError(input, `${res.stderr}\nno video stream`);
  }
  return liveProbeFromJson(json, input, res.stderr);
}
