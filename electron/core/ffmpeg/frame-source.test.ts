import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvsError } from '../../shared/errors.js';
import type { Frame } from '../frame.js';
import { fitDimensions, outputFps, planFfmpeg, qualityToQscale } from './ffmpeg-plan.js';
import { Pacer } from './frame-pacer.js';
import {
  openFrameSource,
  type FrameSource,
  type FrameSourceOptions,
  type PacerClock,
} from './frame-source.js';
import { jpegDimensions, looksLikeCompleteJpeg } from './jpeg-splitter.js';
import { locateFfmpeg, type FfmpegPaths } from './locate-ffmpeg.js';
import type { VideoProbe } from './probe.js';
import {
  makeBadFiles,
  makeTestVideo,
  type BadFiles,
} from '../../../scripts/test-support/test-video.js';

const run = promisify(execFile);

let ff: FfmpegPaths;
let dir = '';
let good = ''; // 5 s, 640x360, 30 fps
let bad: BadFiles; // includes bad.unicode: 2 s, 640x360, 30 fps at "my vid 視頻 🎬.mp4"

beforeAll(async () => {
  ff = await locateFfmpeg();
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-frames-'));
  good = await makeTestVideo({ dir, ffmpegPath: ff.ffmpegPath });
  bad = await makeBadFiles(dir, { ffmpegPath: ff.ffmpegPath });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const open = (file: string, opts: FrameSourceOptions = {}): Promise<FrameSource> =>
  openFrameSource(file, opts, { ffmpegPath: ff.ffmpegPath, ffprobePath: ff.ffprobePath });

async function collect(source: FrameSource, limit = Infinity): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const f of source) {
    frames.push(f);
    if (frames.length >= limit) break;
  }
  return frames;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function expectWellFormed(frames: Frame[], width: number, height: number, fps: number): void {
  frames.forEach((f, i) => {
    expect(looksLikeCompleteJpeg(f.data)).toBe(true);
    expect(f.data[2]).toBe(0xff); // FF D8 FF: the magic other consumers detect
    expect(jpegDimensions(f.data)).toEqual({ width, height });
    expect(f.width).toBe(width);
    expect(f.height).toBe(height);
    expect(f.index).toBe(i);
    expect(f.ptsMs).toBeCloseTo((i * 1000) / fps, 6);
    if (i > 0) {
      const prev = frames[i - 1] as Frame;
      expect(f.ptsMs).toBeGreaterThan(prev.ptsMs);
      expect(f.producedAt).toBeGreaterThanOrEqual(prev.producedAt);
    }
  });
}

async function rejection(p: Promise<unknown>): Promise<KvsError> {
  const e: unknown = await p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KvsError);
  return e as KvsError;
}

describe('openFrameSource (real ffmpeg)', () => {
  it('5 s at 30 fps → 150 well-formed JPEG frames', async () => {
    const source = await open(good);
    expect(source.info).toMatchObject({
      width: 640,
      height: 360,
      fps: 30,
      frameCountEstimate: 150,
    });
    expect(source.info.input).toMatchObject({ width: 640, height: 360, fps: 30 });
    expect(source.pid).toBeUndefined(); // ffmpeg starts on the first next()
    const frames = await collect(source);
    expect(frames).toHaveLength(150);
    expectWellFormed(frames, 640, 360, 30);
    expect(source.stats).toMatchObject({ frames: 150, passes: 1, garbageBytes: 0 });
    expect(source.cancelled).toBe(false);
    expect(source.pid).toBeUndefined();
    await source.cancel(); // after a natural end: a no-op
    expect(source.cancelled).toBe(false);
  });

  it('fps=10 → about 50 frames, pts 100 ms apart', async () => {
    const source = await open(good, { fps: 10 });
    expect(source.info).toMatchObject({ fps: 10, frameCountEstimate: 50 });
    const frames = await collect(source);
    expect(frames.length).toBeGreaterThanOrEqual(49);
    expect(frames.length).toBeLessThanOrEqual(51);
    expectWellFormed(frames, 640, 360, 10);
  });

  it('fps above the source rate is capped (no invented frames)', async () => {
    const source = await open(bad.unicode, { fps: 60 });
    expect(source.info.fps).toBe(30);
    expect(await collect(source)).toHaveLength(60);
  });

  it('maxWidth=320 → 320x180; a larger limit never upscales', async () => {
    const small = await open(good, { maxWidth: 320, fps: 5 });
    expect(small.info).toMatchObject({ width: 320, height: 180 });
    expectWellFormed(await collect(small), 320, 180, 5);

    const same = await open(good, { maxWidth: 4000, maxHeight: 4000, fps: 5 });
    expect(same.info).toMatchObject({ width: 640, height: 360 });
    expectWellFormed(await collect(same, 3), 640, 360, 5);
  });

  it('maxHeight with an odd result rounds down to even', async () => {
    const source = await open(good, { maxHeight: 101, fps: 5 });
    // 640x360 → fit in height 101 → 179.6x101 → 180x101 → even: 180x100
    expect(source.info).toMatchObject({ width: 180, height: 100 });
    expectWellFormed(await collect(source, 5), 180, 100, 5);
  });

  it('a 90° rotated video gives portrait frames', async () => {
    const rotated = path.join(dir, 'rotated.mp4');
    await run(ff.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', good, '-c', 'copy',
      '-metadata:s:v:0', 'rotate=90', rotated]); // prettier-ignore
    const source = await open(rotated, { fps: 5, maxHeight: 320 });
    expect(source.info).toMatchObject({ width: 180, height: 320 });
    expectWellFormed(await collect(source, 5), 180, 320, 5);
  });

  it('quality changes the JPEG size (mapped to -q:v)', async () => {
    const hi = await open(good, { quality: 100, fps: 5 });
    const lo = await open(good, { quality: 1, fps: 5 });
    expect([hi.info.jpegQscale, lo.info.jpegQscale]).toEqual([2, 31]);
    const size = (fs: Frame[]): number => fs.reduce((n, f) => n + f.data.length, 0);
    expect(size(await collect(hi, 5))).toBeGreaterThan(2 * size(await collect(lo, 5)));
  });

  it('loop: several passes, index and pts keep increasing; cancel leaves no ffmpeg behind', async () => {
    const source = await open(bad.unicode, { loop: true }); // 60 frames per pass, non-ASCII path
    const pids = new Set<number>();
    const frames: Frame[] = [];
    for await (const f of source) {
      frames.push(f);
      if (source.pid !== undefined) pids.add(source.pid);
      if (frames.length === 200) await source.cancel();
    }
    expect(frames).toHaveLength(200);
    expectWellFormed(frames, 640, 360, 30);
    expect(source.stats.passes).toBeGreaterThanOrEqual(4);
    expect(pids.size).toBeGreaterThanOrEqual(3); // a new ffmpeg per pass
    expect(source.cancelled).toBe(true);
    expect(source.pid).toBeUndefined();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('cancel() kills ffmpeg mid-stream and ends the iterator cleanly', async () => {
    const source = await open(good);
    const it = source[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) expect((await it.next()).done).toBe(false);
    const pid = source.pid;
    expect(pid).toBeTypeOf('number');
    expect(isAlive(pid as number)).toBe(true);
    await source.cancel();
    expect(isAlive(pid as number)).toBe(false);
    expect(source.pid).toBeUndefined();
    expect(source.cancelled).toBe(true);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('AbortSignal: the loop ends without an error, cancelled === true, ffmpeg gone', async () => {
    const ac = new AbortController();
    const source = await open(good, { signal: ac.signal });
    let n = 0;
    let pid: number | undefined;
    for await (const _frame of source) {
      pid ??= source.pid;
      if (++n === 3) ac.abort();
    }
    expect(n).toBe(3);
    expect(source.cancelled).toBe(true);
    await source.cancel(); // idempotent; resolves once the process is gone
    expect(isAlive(pid as number)).toBe(false);
  });

  it('an already aborted signal rejects open with CANCELLED', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(open(good, { signal: ac.signal }))).code).toBe('CANCELLED');
  });

  it('break out of for-await stops ffmpeg', async () => {
    const source = await open(good);
    let pid: number | undefined;
    for await (const _frame of source) {
      pid = source.pid;
      break;
    }
    expect(source.cancelled).toBe(true);
    await source.cancel();
    expect(isAlive(pid as number)).toBe(false);
  });

  it('backpressure: a slow consumer never has more than maxBufferedFrames waiting; ffmpeg stalls', async () => {
    const cap = 4;
    const source = await open(good, { maxBufferedFrames: cap });
    let bytesOut = 0;
    let maxAhead = 0;
    let n = 0;
    for await (const f of source) {
      bytesOut += f.data.length;
      expect(source.stats.buffered).toBeLessThanOrEqual(cap);
      if (++n === 10) {
        // The consumer stops for a while: ffmpeg must block, not fill memory with the video.
        await sleep(400);
        maxAhead = source.stats.bytesIn - bytesOut;
      }
      if (n < 40) await sleep(5);
      else break;
    }
    expect(source.stats.maxBuffered).toBe(cap); // the cap was reached and never exceeded
    // Read but not handed out: at most the queued frames + pipe/stream buffers (the whole video
    // is ~150 × 20 KB; without backpressure it would all be here).
    const frameBytes = bytesOut / n;
    expect(maxAhead).toBeLessThanOrEqual(cap * frameBytes * 2 + 256 * 1024);
  });

  it('real-time pacing uses the injected clock: sleeps to pts, re-anchors after a pause', async () => {
    let t = 1000;
    const sleeps: number[] = [];
    const clock: PacerClock = {
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    };
    const source = await openFrameSource(good, { realtime: true, fps: 10 }, { ...ff, clock });
    const it = source[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    const start = t;
    for (let i = 1; i < 10; i++) await it.next();
    // Ten frames at 10 fps: nine sleeps of 100 ms; the fake clock sits at pts 900.
    expect(sleeps).toHaveLength(9);
    sleeps.forEach((ms) => expect(ms).toBeCloseTo(100, 6));
    expect(t - start).toBeCloseTo(900, 6);
    // Consumer pauses 5 s: the next frame goes out at once, and then pacing resumes — no burst.
    t += 5000;
    await it.next();
    expect(sleeps).toHaveLength(9);
    expect(source.stats.pacingResyncs).toBe(1);
    await it.next();
    expect(sleeps).toHaveLength(10);
    expect(sleeps[9]).toBeCloseTo(100, 6);
    await source.cancel();
  });

  it('a file cut mid-stream: frames up to the cut, then FILE_TRUNCATED', async () => {
    const source = await open(bad.truncatedMidStream); // 3 s = 90 frames, cut at 60 %
    const frames: Frame[] = [];
    const e = await rejection(
      (async () => {
        for await (const f of source) frames.push(f);
      })(),
    );
    expect(e.code).toBe('FILE_TRUNCATED');
    expect(e.message).toContain('truncated-mid-stream.mp4');
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.length).toBeLessThan(90);
    expectWellFormed(frames, 640, 360, 30);
  });

  it('bad files are rejected by the probe with their own codes', async () => {
    expect((await rejection(open(bad.text))).code).toBe('FILE_NOT_VIDEO');
    expect((await rejection(open(bad.empty))).code).toBe('FILE_EMPTY');
    expect((await rejection(open(bad.truncated))).code).toBe('FILE_TRUNCATED');
    expect((await rejection(open(bad.audioOnly))).code).toBe('FILE_NO_VIDEO_STREAM');
    expect((await rejection(open(path.join(dir, 'nope.mp4')))).code).toBe('FILE_NOT_FOUND');
  });

  it('ffmpeg exiting non-zero → FFMPEG_FAILED with its stderr', async () => {
    // A program that fails the way ffmpeg does: a message on stderr, exit code 1. (Not ffprobe
    // given ffmpeg's options: the static ffprobe of @ffprobe-installer ignores them and exits 0.)
    const failing = path.join(dir, 'failing-ffmpeg');
    await writeFile(
      failing,
      '#!/bin/sh\necho "Unrecognized option: simulated failure" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const source = await openFrameSource(
      good,
      {},
      { ffmpegPath: failing, ffprobePath: ff.ffprobePath },
    );
    const e = await rejection(collect(source));
    expect(e.code).toBe('FFMPEG_FAILED');
    expect(e.message).toContain(path.basename(good));
    expect(String(e.detail)).toContain('simulated failure');
  });

  it('a missing ffmpeg binary → FFMPEG_NOT_FOUND at open', async () => {
    const e = await rejection(
      openFrameSource(
        good,
        {},
        { ffmpegPath: path.join(dir, 'no-ffmpeg'), ffprobePath: ff.ffprobePath },
      ),
    );
    expect(e.code).toBe('FFMPEG_NOT_FOUND');
  });

  it('bad options → INVALID_ARGUMENT', async () => {
    for (const opts of [
      { fps: 0 },
      { fps: Number.NaN },
      { maxWidth: 1 },
      { maxHeight: 10.5 },
      { quality: 0 },
      { quality: 101 },
      { maxBufferedFrames: 0 },
    ]) {
      expect((await rejection(open(good, opts))).code, JSON.stringify(opts)).toBe(
        'INVALID_ARGUMENT',
      );
    }
  });
});

describe('frame-source pure helpers', () => {
  it('qualityToQscale maps 1–100 onto 31–2', () => {
    expect(qualityToQscale(100)).toBe(2);
    expect(qualityToQscale(85)).toBe(6);
    expect(qualityToQscale(50)).toBe(17);
    expect(qualityToQscale(1)).toBe(31);
    for (let q = 2; q <= 100; q++)
      expect(qualityToQscale(q)).toBeLessThanOrEqual(qualityToQscale(q - 1));
  });

  it('fitDimensions keeps aspect, never upscales, rounds down to even', () => {
    expect(fitDimensions(640, 360, 320)).toEqual({ width: 320, height: 180 });
    expect(fitDimensions(1920, 1080, 1280, 720)).toEqual({ width: 1280, height: 720 });
    expect(fitDimensions(1080, 1920, 1280, 720)).toEqual({ width: 404, height: 720 });
    expect(fitDimensions(640, 360, 4000, 4000)).toEqual({ width: 640, height: 360 });
    expect(fitDimensions(641, 361)).toEqual({ width: 640, height: 360 });
    expect(fitDimensions(3, 3, 2, 2)).toEqual({ width: 2, height: 2 });
  });

  it('outputFps: requested, capped at the source, fallback 30', () => {
    expect(outputFps(30, 10)).toBe(10);
    expect(outputFps(30, 60)).toBe(30);
    expect(outputFps(25)).toBe(25);
    expect(outputFps(null)).toBe(30);
    expect(outputFps(null, 12)).toBe(12);
  });

  it('planFfmpeg: argv only, fps always, scale only when needed', () => {
    const input: VideoProbe = {
      durationMs: 5000, fps: 30, width: 640, height: 360, codec: 'h264',
      frameCountEstimate: 150, sizeBytes: 1, hasAudio: true,
    }; // prettier-ignore
    const plan = planFfmpeg(
      '/tmp/my vid 視頻 🎬.mp4',
      { width: 320, height: 180, fps: 30000 / 1001, qscale: 6 },
      input,
    );
    expect(plan.input).toBe('file:/tmp/my vid 視頻 🎬.mp4');
    expect(plan.inputOptions).toEqual(['-hide_banner', '-loglevel', 'error', '-nostdin']);
    expect(plan.videoFilters).toEqual(['fps=29.970030', 'scale=320:180']);
    expect(plan.outputOptions).toEqual(['-an', '-c:v', 'mjpeg', '-q:v', '6', '-f', 'image2pipe']);
    expect(
      planFfmpeg('a.mp4', { width: 640, height: 360, fps: 30, qscale: 2 }, input).videoFilters,
    ).toEqual(['fps=30']);
  });

  it('Pacer: anchors on the first frame, sleeps to pts, catches up small lag, re-anchors big lag', () => {
    let t = 0;
    const pacer = new Pacer({ now: () => t, sleep: async () => undefined }, 250);
    expect(pacer.plan(0)).toBe(0); // anchor
    expect(pacer.plan(100)).toBe(100);
    t = 100;
    expect(pacer.plan(200)).toBe(100);
    t = 350; // 150 ms late for pts 200: within tolerance → no sleep, no re-anchor
    expect(pacer.plan(200)).toBe(0);
    expect(pacer.plan(300)).toBe(0); // still 50 ms late: catching up
    expect(pacer.plan(500)).toBe(150);
    t = 2000; // consumer paused: 1.6 s late for pts 400 → re-anchor
    expect(pacer.plan(400)).toBe(0);
    expect(pacer.resyncs).toBe(1);
    expect(pacer.plan(500)).toBe(100); // normal pace from here, no burst
  });

  it('Pacer.wait passes the signal to sleep and rejects on abort', async () => {
    const ac = new AbortController();
    let t = 0;
    const clock: PacerClock = {
      now: () => t,
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          if (signal?.aborted) reject(new Error('aborted'));
          signal?.addEventListener('abort', () => reject(new Error('aborted')));
          t += ms;
          if (!signal) resolve();
        }),
    };
    const pacer = new Pacer(clock);
    await pacer.wait(0);
    const p = pacer.wait(1000, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow('aborted');
  });
});
