/**
 * Re-encode one JPEG so it fits a byte budget: first at lower quality, then
 * smaller. Used by the producer for the rare frame over the topic's
 * max.message.bytes (never a silent drop). One short ffmpeg run per attempt,
 * argv only, no shell.
 */
import { spawn } from 'node:child_process';
import { jpegDimensions } from './jpeg-splitter.js';

export interface ShrunkJpeg {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Quality then scale steps tried in order (mjpeg -q:v: 2 best … 31 worst). */
export const SHRINK_STEPS: ReadonlyArray<{ q: number; scale: number }> = [
  { q: 8, scale: 1 },
  { q: 16, scale: 1 },
  { q: 31, scale: 1 },
  { q: 12, scale: 0.75 },
  { q: 16, scale: 0.5 },
  { q: 20, scale: 0.35 },
  { q: 24, scale: 0.2 },
];

function runFfmpeg(
  ffmpegPath: string,
  input: Buffer,
  q: number,
  scale: number,
  timeoutMs: number,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const vf = scale === 1 ? [] : ['-vf', `scale=trunc(iw*${scale}/2)*2:trunc(ih*${scale}/2)*2`];
    const child = spawn(
      ffmpegPath,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-f',
        'mjpeg',
        '-i',
        'pipe:0',
        ...vf,
        '-frames:v',
        '1',
        '-c:v',
        'mjpeg',
        '-q:v',
        String(q),
        '-f',
        'mjpeg',
        'pipe:1',
      ],
      { stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true },
    );
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdin.on('error', () => undefined);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? Buffer.concat(chunks) : null);
    });
    child.stdin.end(input);
  });
}

export type JpegShrinker = (jpeg: Buffer, maxBytes: number) => Promise<ShrunkJpeg | null>;

/**
 * A shrinker for one stream. Frames of one video are alike, so it starts where
 * the previous frame succeeded: after the first oversized frame, each next one
 * usually costs a single ffmpeg run.
 */
export function createJpegShrinker(ffmpegPath: string, timeoutMs = 5000): JpegShrinker {
  let start = 0;
  return async (jpeg, maxBytes) => {
    if (maxBytes <= 0) return null;
    for (let i = start; i < SHRINK_STEPS.length; i++) {
      const step = SHRINK_STEPS[i] as { q: number; scale: number };
      const out = await runFfmpeg(ffmpegPath, jpeg, step.q, step.scale, timeoutMs);
      if (out === null) return null;
      if (out.length <= maxBytes) {
        const dims = jpegDimensions(out);
        if (!dims) return null;
        start = i;
        return { data: out, width: dims.width, height: dims.height };
      }
    }
    return null;
  };
}
