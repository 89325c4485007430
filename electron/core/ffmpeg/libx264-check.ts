/**
 * Can this ffmpeg encode H.264? `ffmpeg -hide_banner -encoders` lists libx264 when it was built
 * with it (Debian's and ffmpeg-static's are; some minimal or LGPL builds are not). Asked once per
 * ffmpeg path; a plain KvsError with the fix when it cannot.
 */
import { execFile } from 'node:child_process';
import { KvsError } from '../../shared/errors.js';

const cache = new Map<string, Promise<boolean>>();

/** Does the encoder list name libx264 as a video encoder? */
export function listsLibx264(encoders: string): boolean {
  return /^\s*V\S*\s+libx264\s/m.test(encoders);
}

function hasLibx264(ffmpegPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    execFile(
      ffmpegPath,
      ['-hide_banner', '-encoders'],
      { timeout: 10_000, maxBuffer: 4 << 20, windowsHide: true },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(listsLibx264(String(stdout)));
      },
    );
  });
}

/**
 * Throws FFMPEG_NO_H264 (with the fix) when the ffmpeg at this path has no libx264, and
 * FFMPEG_NOT_FOUND when it cannot be started to ask.
 */
export async function assertLibx264(ffmpegPath: string): Promise<void> {
  let answer = cache.get(ffmpegPath);
  if (!answer) {
    answer = hasLibx264(ffmpegPath);
    cache.set(ffmpegPath, answer);
    answer.catch(() => cache.delete(ffmpegPath)); // a failed start is asked again next time
  }
  let ok: boolean;
  try {
    ok = await answer;
  } catch (e) {
    throw new KvsError(
      'FFMPEG_NOT_FOUND',
      `ffmpeg could not be started at "${ffmpegPath}" to check for H.264 support. Set FFMPEG_PATH, install the ffmpeg-static package, or put ffmpeg on your PATH.`,
      e instanceof Error ? e.message : String(e),
    );
  }
  if (!ok)
    throw new KvsError(
      'FFMPEG_NO_H264',
      `The ffmpeg at "${ffmpegPath}" cannot encode H.264: it was built without libx264. ` +
        'Install an ffmpeg with libx264 (Debian/Ubuntu: apt install ffmpeg) and point FFMPEG_PATH at it, or send JPEG instead (codec JPEG; kvs produce --codec jpeg).',
    );
}
