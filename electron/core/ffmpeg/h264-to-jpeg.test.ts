/** H.264 access units to JPEGs with the real ffmpeg: one per unit, in order, streaming, stop, failure. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAL, nalUnits } from '../h264/annexb.js';
import type { KvsError } from '../../shared/errors.js';
import { makeH264Clip, type H264Clip } from '../../../scripts/test-support/h264-topic.js';
import { H264ToJpeg, h264ToJpegArgs, type H264ToJpegOptions } from './h264-to-jpeg.js';
import { jpegDimensions, looksLikeCompleteJpeg } from './jpeg-splitter.js';
import { locateFfmpeg } from './locate-ffmpeg.js';

let ffmpegPath = '';
// 3 s of 320×180 at 30 fps, keyframes at 0, 30, 60
let clip: H264Clip;
const running: Array<H264ToJpeg<number>> = [];

beforeAll(async () => {
  ffmpegPath = (await locateFfmpeg()).ffmpegPath;
  clip = await makeH264Clip({ seconds: 3, width: 320, height: 180, fps: 30, gop: 30 });
}, 120_000);
afterAll(() => Promise.all(running.map((t) => t.stop())));

interface Out {
  readonly jpegs: Array<{ jpeg: Buffer; seq: number }>;
  readonly errors: KvsError[];
  readonly t: H264ToJpeg<number>;
}

function transcoder(opts: Partial<H264ToJpegOptions<number>> = {}): Out {
  const jpegs: Out['jpegs'] = [];
  const errors: KvsError[] = [];
  const t = new H264ToJpeg<number>({
    ffmpegPath,
    onJpeg: (jpeg, seq) => jpegs.push({ jpeg, seq }),
    onError: (e) => errors.push(e),
    ...opts,
  });
  running.push(t);
  return { jpegs, errors, t };
}

const isKey = (i: number): boolean => i % 30 === 0;

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('H264ToJpeg', () => {
  it('asks ffmpeg for IVF in and JPEGs out, one per frame, without reading ahead', () => {
    const args = h264ToJpegArgs(4);
    expect(args.join(' ')).toContain('-f ivf -i pipe:0');
    expect(args.join(' ')).toContain('-fps_mode passthrough');
    expect(args.join(' ')).toContain('-c:v mjpeg -q:v 4 -flush_packets 1 -f image2pipe pipe:1');
    expect(args.join(' ')).toContain('-probesize 32 -analyzeduration 0');
    // an ffmpeg before 5.1 has no -fps_mode (passthrough-option.ts)
    expect(h264ToJpegArgs(4, '-vsync').join(' ')).toContain('-vsync passthrough');
  });

  it('puts out one complete JPEG per access unit, in order, each with its own meta', async () => {
    const { jpegs, errors, t } = transcoder();
    for (let i = 0; i < clip.units.length; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
    }
    await until(() => jpegs.length === 90);
    expect(jpegs.map((j) => j.seq)).toEqual([...Array(90).keys()]);
    for (const { jpeg } of jpegs) {
      expect(looksLikeCompleteJpeg(jpeg)).toBe(true);
      expect(jpegDimensions(jpeg)).toEqual({ width: 320, height: 180 });
    }
    // testsrc2 moves: frames differ
    expect(jpegs[0]?.jpeg.equals(jpegs[45]?.jpeg ?? Buffer.alloc(0))).toBe(false);
    expect([t.skipped, t.jpegs, t.inFlight, errors.length]).toEqual([0, 90, 0, 0]);
  });

  it('starts at the next keyframe: the delta frames before it are skipped and counted', async () => {
    const { jpegs, t } = transcoder();
    expect(t.pid).toBeUndefined();
    for (let i = 10; i < 60; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
      if (i < 30) expect(t.pid).toBeUndefined(); // no ffmpeg before the keyframe
    }
    await until(() => jpegs.length === 30);
    expect(jpegs.map((j) => j.seq)).toEqual([...Array(30).keys()].map((k) => k + 30));
    expect(t.skipped).toBe(20);
  });

  it('streams: the JPEG of each unit comes out before the next unit goes in (nothing held back)', async () => {
    const { jpegs, t } = transcoder();
    for (let i = 0; i < 40; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
      // without a next unit to push it out (no frame threads, a flush per packet)
      await until(() => jpegs.length === i + 1, 2000);
    }
    await t.stop();
  });

  it('backpressure: an awaited push never leaves more than maxInFlight units without a JPEG', async () => {
    const { jpegs, t } = transcoder({ maxInFlight: 2 });
    let most = 0;
    for (let i = 0; i < 60; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
      most = Math.max(most, t.inFlight);
    }
    await until(() => jpegs.length === 60);
    // the first units wait while ffmpeg looks at the stream (maxWaitMs), then it keeps up
    expect(most).toBeLessThanOrEqual(3);
    expect(jpegs.map((j) => j.seq)).toEqual([...Array(60).keys()]);
  });

  it('stop() kills ffmpeg; later units are ignored', async () => {
    const { jpegs, errors, t } = transcoder();
    for (let i = 0; i < 10; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
    }
    const pid = t.pid;
    expect(pid).toBeDefined();
    await t.stop();
    expect(isAlive(pid ?? 0)).toBe(false);
    const count = jpegs.length;
    const unit = clip.units[10];
    if (unit) expect(t.push(unit, false, 10)).toBeUndefined();
    expect(jpegs.length).toBe(count);
    expect(errors).toEqual([]); // a stop is not a failure
    expect(t.running).toBe(false);
  });

  it('an ffmpeg that cannot start is reported once, never thrown', async () => {
    const { errors, t } = transcoder({ ffmpegPath: '/nonexistent/ffmpeg' });
    for (let i = 0; i < 5; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
    }
    await until(() => errors.length > 0);
    expect(errors.map((e) => e.code)).toEqual(['FFMPEG_NOT_FOUND']);
    expect(t.error?.code).toBe('FFMPEG_NOT_FOUND');
  });

  it('an ffmpeg that exits is reported as FFMPEG_FAILED, and later units are ignored', async () => {
    // a program that starts and exits at once with code 1, in ffmpeg's place
    const { errors, t } = transcoder({ ffmpegPath: '/bin/false' });
    for (let i = 0; i < 5; i++) {
      const unit = clip.units[i];
      if (unit) await t.push(unit, isKey(i), i);
    }
    await until(() => errors.length > 0);
    const unit = clip.units[5];
    if (unit) expect(t.push(unit, false, 5)).toBeUndefined();
    expect(errors.map((e) => e.code)).toEqual(['FFMPEG_FAILED']);
    expect(errors[0]?.message).toMatch(/ffmpeg exited \(code 1\)/);
    expect([t.running, t.inFlight]).toEqual([false, 0]);
  });

  it('decodes a stream whose profile a browser refuses (profile_idc 138: avc1.8A001E)', async () => {
    const { jpegs } = transcoder();
    const t = running.at(-1);
    for (let i = 0; i < 30; i++) {
      const out = Buffer.from(clip.units[i] ?? Buffer.alloc(0));
      for (const n of nalUnits(out)) if (n.type === NAL.sps) out[n.start + 1] = 138;
      await t?.push(out, isKey(i), i);
    }
    await until(() => jpegs.length === 30);
    expect(jpegDimensions(jpegs[29]?.jpeg ?? Buffer.alloc(0))).toEqual({ width: 320, height: 180 });
  });
});
