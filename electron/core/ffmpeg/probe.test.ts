import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvsError, type ErrorCode } from '../../shared/errors.js';
import { locateFfmpeg, type FfmpegPaths } from './locate-ffmpeg.js';
import { parseRate, probeVideo } from './probe.js';
import {
  makeBadFiles,
  makeTestVideo,
  type BadFiles,
} from '../../../scripts/test-support/test-video.js';

const run = promisify(execFile);

let ff: FfmpegPaths;
let dir = '';
let good = '';
let withAudio = '';
let bad: BadFiles;

async function probeError(
  file: string,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<KvsError> {
  const e: unknown = await probeVideo(file, { ffprobePath: ff.ffprobePath, ...opts }).then(
    () => new Error(`expected probing ${file} to fail`),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KvsError);
  return e as KvsError;
}

beforeAll(async () => {
  ff = await locateFfmpeg();
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-probe-'));
  good = await makeTestVideo({ dir, ffmpegPath: ff.ffmpegPath });
  withAudio = await makeTestVideo({
    dir,
    name: 'with-audio.mp4',
    seconds: 2,
    audio: true,
    ffmpegPath: ff.ffmpegPath,
  });
  bad = await makeBadFiles(dir, { ffmpegPath: ff.ffmpegPath });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('probeVideo', () => {
  it('reads the good test video', async () => {
    const p = await probeVideo(good, { ffprobePath: ff.ffprobePath });
    expect(p.durationMs).toBeGreaterThanOrEqual(4950);
    expect(p.durationMs).toBeLessThanOrEqual(5050);
    expect(p.fps).toBe(30);
    expect(p.width).toBe(640);
    expect(p.height).toBe(360);
    expect(['h264', 'mpeg4']).toContain(p.codec);
    expect(p.frameCountEstimate).toBe(150);
    expect(p.sizeBytes).toBeGreaterThan(1000);
    expect(p.hasAudio).toBe(false);
  });

  it('sees the audio track', async () => {
    const p = await probeVideo(withAudio, { ffprobePath: ff.ffprobePath });
    expect(p.hasAudio).toBe(true);
    expect(p.width).toBe(640);
  });

  it('works with spaces, CJK and emoji in the path', async () => {
    expect(path.basename(bad.unicode)).toBe('my vid 視頻 🎬.mp4');
    const p = await probeVideo(bad.unicode, { ffprobePath: ff.ffprobePath });
    expect(p).toMatchObject({ width: 640, height: 360, fps: 30, frameCountEstimate: 60 });
  });

  it('reads a file whose name looks like a protocol or an option', async () => {
    const odd = await makeTestVideo({
      dir,
      name: '-rtmp:weird.mp4',
      seconds: 1,
      ffmpegPath: ff.ffmpegPath,
    });
    const p = await probeVideo(odd, { ffprobePath: ff.ffprobePath });
    expect(p.frameCountEstimate).toBe(30);
  });

  it('swaps width and height for a 90° rotated video', async () => {
    const rotated = path.join(dir, 'rotated.mp4');
    await run(ff.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', good, '-c', 'copy',
      '-metadata:s:v:0', 'rotate=90', rotated]); // prettier-ignore
    const p = await probeVideo(rotated, { ffprobePath: ff.ffprobePath });
    expect({ width: p.width, height: p.height }).toEqual({ width: 360, height: 640 });
  });

  it('gives every bad file its own code and a plain message naming the file', async () => {
    const folder = path.join(dir, 'a folder.mp4');
    await mkdir(folder);
    const cases: [file: string, code: ErrorCode][] = [
      [path.join(dir, 'does-not-exist.mp4'), 'FILE_NOT_FOUND'],
      [folder, 'FILE_NOT_A_FILE'],
      [bad.empty, 'FILE_EMPTY'],
      [bad.text, 'FILE_NOT_VIDEO'],
      [bad.truncated, 'FILE_TRUNCATED'],
      [bad.audioOnly, 'FILE_NO_VIDEO_STREAM'],
    ];
    const messages = new Set<string>();
    for (const [file, code] of cases) {
      const e = await probeError(file);
      expect(e.code, file).toBe(code);
      expect(e.message).toContain(`"${path.basename(file)}"`);
      expect(e.message).not.toContain(dir); // basename only, no full path
      messages.add(e.message.replace(`"${path.basename(file)}"`, '<file>'));
    }
    expect(messages.size).toBe(cases.length);
  });

  it('calls a still image "not a video"', async () => {
    const jpg = path.join(dir, 'still.jpg');
    await run(ff.ffmpegPath, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-i',
      good,
      '-frames:v',
      '1',
      jpg,
    ]);
    const e = await probeError(jpg);
    expect(e.code).toBe('FILE_NOT_VIDEO');
    expect(e.message).toContain('still image');
  });

  it('a file cut mid-stream (moov at the front) still probes', async () => {
    const p = await probeVideo(bad.truncatedMidStream, { ffprobePath: ff.ffprobePath });
    expect(p.width).toBe(640);
  });

  it('times out (ffprobe is killed) → PROBE_TIMEOUT', async () => {
    // No real ffprobe finishes within 1 ms (spawning alone takes longer).
    const e = await probeError(good, { timeoutMs: 1 });
    expect(e.code).toBe('PROBE_TIMEOUT');
    expect(e.message).toContain(path.basename(good));
  });

  it('abort → CANCELLED', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await probeError(good, { signal: ac.signal })).code).toBe('CANCELLED');
    const ac2 = new AbortController();
    const p = probeError(good, { signal: ac2.signal });
    ac2.abort();
    expect((await p).code).toBe('CANCELLED');
  });

  it('a missing ffprobe binary → FFMPEG_NOT_FOUND', async () => {
    const e: unknown = await probeVideo(good, { ffprobePath: path.join(dir, 'no-ffprobe') }).catch(
      (err: unknown) => err,
    );
    expect((e as KvsError).code).toBe('FFMPEG_NOT_FOUND');
  });
});

describe('parseRate', () => {
  it.each([
    ['30/1', 30],
    ['30000/1001', 30000 / 1001],
    ['25', 25],
    ['0/0', null],
    ['1/0', null],
    ['90000/1', null],
    ['abc', null],
    [undefined, null],
  ])('%s', (input, expected) => {
    expect(parseRate(input)).toBe(expected);
  });
});
