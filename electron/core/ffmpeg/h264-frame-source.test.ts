/** The H.264 frame source with the real ffmpeg (libx264): access units, keyframes, loop, restart. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAL, codecString, isKeyframe, nalUnits } from '../h264/annexb.js';
import type { Frame } from '../frame.js';
import { openFrameSource, type FrameSource, type FrameSourceOptions } from './frame-source.js';
import { locateFfmpeg, type FfmpegPaths } from './locate-ffmpeg.js';
import { makeTestVideo } from '../../../scripts/test-support/test-video.js';

const run = promisify(execFile);

let ff: FfmpegPaths;
let dir = '';
let video = ''; // 2 s, 320x180, 30 fps

beforeAll(async () => {
  ff = await locateFfmpeg();
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-h264-'));
  video = await makeTestVideo({ dir, seconds: 2, width: 320, height: 180, fps: 30 });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const open = (opts: FrameSourceOptions = {}): Promise<FrameSource> =>
  openFrameSource(video, { codec: 'h264', ...opts }, ff);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const types = (f: Frame): number[] => nalUnits(f.data).map((n) => n.type);

describe('H.264 frame source (real ffmpeg, libx264)', () => {
  it('one access unit per frame: AUD first, an IDR with SPS/PPS every N frames, pts = index / fps', async () => {
    const source = await open({ keyframeIntervalS: 0.5, bitrateKbps: 500 });
    expect(source.info).toMatchObject({
      codec: 'h264',
      width: 320,
      height: 180,
      fps: 30,
      h264: { rate: { kind: 'bitrate', kbps: 500 }, keyframeInterval: 15 },
    });
    const frames: Frame[] = [];
    for await (const f of source) frames.push(f);
    expect(frames).toHaveLength(60);
    frames.forEach((f, i) => {
      expect(f.index).toBe(i);
      expect(f.ptsMs).toBeCloseTo((i * 1000) / 30, 6);
      expect(types(f)[0]).toBe(NAL.aud);
      expect(types(f).filter((t) => t === NAL.aud)).toHaveLength(1); // exactly one access unit
      const key = i % 15 === 0;
      expect(f.keyframe).toBe(key);
      expect(isKeyframe(f.data)).toBe(key);
      if (key) expect(types(f)).toEqual(expect.arrayContaining([NAL.sps, NAL.pps, NAL.idr]));
      else expect(types(f)).not.toContain(NAL.sps);
      expect(f.codec).toMatch(/^avc1\.[0-9A-F]{6}$/);
    });
    expect(frames[0]?.codec).toBe(codecString(frames[0]!.data));
    expect(source.stats).toMatchObject({ frames: 60, passes: 1, garbageBytes: 0 });
  });

  it('the access units joined are a stream ffprobe decodes: 60 frames, I and P only (no B-frames)', async () => {
    const source = await open({ crf: 30 });
    const units: Buffer[] = [];
    for await (const f of source) units.push(f.data);
    const file = path.join(dir, 'joined.h264');
    await writeFile(file, Buffer.concat(units));
    const { stdout } = await run(ff.ffprobePath, [
      '-v',
      'error',
      '-f',
      'h264',
      '-show_entries',
      'frame=pict_type',
      '-of',
      'csv=p=0',
      file,
    ]);
    const pictTypes = stdout
      .trim()
      .split(/\s+/)
      .map((t) => t.replace(/,+$/, ''));
    expect(pictTypes).toHaveLength(60);
    expect(new Set(pictTypes)).toEqual(new Set(['I', 'P']));
  });

  it('loop: every pass starts with a keyframe; index and pts keep increasing; cancel kills ffmpeg', async () => {
    const source = await open({ loop: true });
    const frames: Frame[] = [];
    let pid: number | undefined;
    for await (const f of source) {
      frames.push(f);
      pid ??= source.pid;
      if (frames.length === 150) break;
    }
    expect(source.stats.passes).toBe(3);
    expect(frames.map((f) => f.index)).toEqual(frames.map((_, i) => i));
    expect(frames[60]?.keyframe).toBe(true);
    expect(frames[120]?.keyframe).toBe(true);
    expect(frames.filter((f) => f.keyframe).map((f) => f.index)).toEqual([0, 30, 60, 90, 120]);
    expect(source.cancelled).toBe(true);
    expect(pid !== undefined && isAlive(pid)).toBe(false);
  });

  it('lowerRate: ffmpeg starts again at the frame handed out last, a keyframe at the lower rate', async () => {
    const source = await open({ bitrateKbps: 800 });
    const frames: Frame[] = [];
    const lowered: Array<string | null> = [];
    for await (const f of source) {
      frames.push(f);
      if (f.index === 40 && lowered.length === 0) lowered.push(source.lowerRate());
    }
    expect(lowered).toEqual(['the bitrate from 800 kbit/s to 400 kbit/s']);
    // frame 40 twice: first as a delta frame, then as the new pass's keyframe
    const at40 = frames.filter((f) => f.index === 40);
    expect(at40.map((f) => f.keyframe)).toEqual([false, true]);
    const after = frames.slice(frames.lastIndexOf(at40[1]!));
    expect(after.map((f) => f.index)).toEqual(after.map((_, i) => 40 + i));
    expect(after.at(-1)?.index).toBe(59); // the rest of the file, frame for frame
    expect(source.stats.passes).toBe(1); // a restart is not a new pass
  });

  it('bounded buffer: a slow consumer never has more than maxBufferedFrames waiting', async () => {
    const source = await open({ maxBufferedFrames: 3 });
    let n = 0;
    for await (const f of source) {
      void f;
      if (++n % 10 === 0) await new Promise((r) => setTimeout(r, 50));
      expect(source.stats.buffered).toBeLessThanOrEqual(3);
    }
    expect(n).toBe(60);
    expect(source.stats.maxBuffered).toBeLessThanOrEqual(3);
  });

  it('options for H.264 only, or both a bitrate and a CRF, are refused', async () => {
    await expect(openFrameSource(video, { bitrateKbps: 500 }, ff)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(open({ bitrateKbps: 500, crf: 23 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/either a bitrate or a CRF/),
    });
    await expect(open({ crf: 52 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(open({ keyframeIntervalS: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('a JPEG source says keyframe true, codec null, and cannot lower its rate', async () => {
    const source = await openFrameSource(video, { fps: 5 }, ff);
    const first = await source[Symbol.asyncIterator]().next();
    expect(first.value).toMatchObject({ keyframe: true, codec: null });
    expect(source.lowerRate()).toBeNull();
    await source.cancel();
  });
});
