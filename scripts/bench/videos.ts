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

export async function testVideo(
  width: number,
  height: number,
  seconds: number,
  fps = 30,
): Promise<string> {
  const dir = benchCacheDir();
  await mkdir(dir, { recursive: true });
  const name = `testsrc2-${width}x${height}-${fps}fps-${seconds}s.mp4`;
  const file = path.join(dir, name);
  if (existsSync(file)) return file;
  // write under a temporary name first, so an interrupted run never leaves a half file cached
  const tmp = `tmp-${process.pid}-${name}`;
  const made = await makeTestVideo({ dir, name: tmp, seconds, width, height, fps });
  await rename(made, file);
  return file;
}
