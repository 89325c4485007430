/** The benchmark's test videos (testsrc2, H.264), made with ffmpeg once and cached. */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTestVideo } from '../test-support/test-video.js';

export function benchCacheDir(): string {
  return path.join(
    process.env.KVS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'kafka-video-studio'),
    'bench',
  );
}

/**
 * A file in the bench cache, made by `make` once: it writes under a temporary name (its argument)
 * first, so an interrupted run never leaves a half file cached.
 */
export async function cachedFile(
  name: string,
  make: (tmp: string) => Promise<void>,
): Promise<string> {
  const dir = benchCacheDir();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  if (existsSync(file)) return file;
  const tmp = path.join(dir, `tmp-${process.pid}-${name}`);
  await make(tmp);
  await rename(tmp, file);
  return file;
}

export function testVideo(
  width: number,
  height: number,
  seconds: number,
  fps = 30,
): Promise<string> {
  const name = `testsrc2-${width}x${height}-${fps}fps-${seconds}s.mp4`;
  return cachedFile(name, async (tmp) => {
    const made = await makeTestVideo({
      dir: path.dirname(tmp),
      name: path.basename(tmp),
      seconds,
      width,
      height,
      fps,
    });
    if (made !== tmp) await rename(made, tmp);
  });
}
