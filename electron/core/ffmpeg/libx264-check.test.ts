import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvsError } from '../../shared/errors.js';
import { assertLibx264, listsLibx264 } from './libx264-check.js';
import { locateFfmpeg } from './locate-ffmpeg.js';

const WITH = `Encoders:
 V..... = Video
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D mjpeg                MJPEG (Motion JPEG)
`;
const WITHOUT = `Encoders:
 V..... = Video
 ------
 V....D libx264rgb           libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 RGB (codec h264)
 V....D h264_v4l2m2m         V4L2 mem2mem H.264 encoder wrapper (codec h264)
 V....D mjpeg                MJPEG (Motion JPEG)
`;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-x264-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An "ffmpeg" that prints this encoder list. */
async function fakeFfmpeg(name: string, encoders: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\ncat <<'END'\n${encoders}END\n`);
  await chmod(file, 0o755);
  return file;
}

describe('libx264 check', () => {
  it('reads libx264 from the encoder list (not libx264rgb, not a hardware H.264 encoder)', () => {
    expect(listsLibx264(WITH)).toBe(true);
    expect(listsLibx264(WITHOUT)).toBe(false);
  });

  it('says plainly when the ffmpeg has no libx264, with the fix', async () => {
    const ffmpeg = await fakeFfmpeg('ffmpeg-lgpl', WITHOUT);
    const e = await assertLibx264(ffmpeg).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(KvsError);
    expect((e as KvsError).code).toBe('FFMPEG_NO_H264');
    expect((e as KvsError).message).toMatch(/cannot encode H\.264.*libx264/);
    expect((e as KvsError).message).toMatch(/--codec jpeg/);
  });

  it('passes for the real ffmpeg and asks once per path', async () => {
    const { ffmpegPath } = await locateFfmpeg();
    await expect(assertLibx264(ffmpegPath)).resolves.toBeUndefined();
    const ffmpeg = await fakeFfmpeg('ffmpeg-full', WITH);
    await expect(assertLibx264(ffmpeg)).resolves.toBeUndefined();
    await writeFile(ffmpeg, '#!/bin/sh\nexit 1\n'); // asked again, it would fail now
    await expect(assertLibx264(ffmpeg)).resolves.toBeUndefined();
  });

  it('an ffmpeg that cannot be started is FFMPEG_NOT_FOUND', async () => {
    await expect(assertLibx264(path.join(dir, 'missing'))).rejects.toMatchObject({
      code: 'FFMPEG_NOT_FOUND',
    });
  });
});
