import { describe, expect, it } from 'vitest';
import {
  H264_PRESET,
  RATE_STEPS,
  defaultBitrateKbps,
  keyframeIntervalFrames,
  lowerRate,
  planH264,
  type H264Rate,
} from './h264-plan.js';
import { h264Codec } from './h264-codec.js';
import type { VideoProbe } from './probe.js';

const probe = { width: 1280, height: 720, fps: 30 } as VideoProbe;
const shape = { width: 1280, height: 720, fps: 30, keyframeInterval: 30 };

/** The value after an option in an argv. */
const after = (argv: readonly string[], opt: string): string | undefined =>
  argv[argv.indexOf(opt) + 1];

describe('planH264', () => {
  it('libx264, zero latency, no B-frames, 4:2:0, a keyframe every N frames, AUDs and repeated headers, Annex B', () => {
    const plan = planH264('/v/a.mp4', { ...shape, rate: { kind: 'bitrate', kbps: 2000 } }, probe);
    const out = plan.outputOptions;
    expect(after(out, '-c:v')).toBe('libx264');
    expect(after(out, '-preset')).toBe(H264_PRESET);
    expect(after(out, '-tune')).toBe('zerolatency');
    expect(after(out, '-bf')).toBe('0');
    expect(after(out, '-pix_fmt')).toBe('yuv420p');
    expect(after(out, '-g')).toBe('30');
    expect(after(out, '-keyint_min')).toBe('30');
    expect(after(out, '-x264-params')?.split(':').sort()).toEqual([
      'aud=1',
      'repeat-headers=1',
      'scenecut=0',
    ]);
    expect([after(out, '-b:v'), after(out, '-maxrate'), after(out, '-bufsize')]).toEqual([
      '2000k',
      '2000k',
      '2000k',
    ]);
    expect(out).not.toContain('-crf');
    expect(out.slice(-2)).toEqual(['-f', 'h264']);
    expect(out).toContain('-an');
    expect(plan.input).toBe('file:/v/a.mp4');
    expect(plan.videoFilters).toEqual(['fps=30']); // same size: no scale
    expect(plan.inputOptions).not.toContain('-ss');
  });

  it('a CRF instead of a bitrate; a scale when the size changes; -ss when a pass starts part-way', () => {
    const plan = planH264(
      '/v/a.mp4',
      { ...shape, width: 640, height: 360, rate: { kind: 'crf', crf: 23 } },
      probe,
      3400,
    );
    expect(after(plan.outputOptions, '-crf')).toBe('23');
    expect(plan.outputOptions).not.toContain('-b:v');
    expect(plan.videoFilters).toEqual(['fps=30', 'scale=640:360']);
    expect(after(plan.inputOptions, '-ss')).toBe('3.400000');
    // the seek is an input option: before -i, so ffmpeg decodes up to it exactly
    expect(plan.inputOptions.indexOf('-ss')).toBeGreaterThan(-1);
  });
});

describe('rates and intervals', () => {
  it('the default bitrate is 0.06 bits per pixel, between 200 and 8000 kbit/s', () => {
    expect(defaultBitrateKbps(1280, 720, 30)).toBe(1659);
    expect(defaultBitrateKbps(1920, 1080, 30)).toBe(3732);
    expect(defaultBitrateKbps(320, 180, 15)).toBe(200);
    expect(defaultBitrateKbps(3840, 2160, 60)).toBe(8000);
  });

  it('the keyframe interval is seconds × fps frames, at least 1', () => {
    expect(keyframeIntervalFrames(1, 30)).toBe(30);
    expect(keyframeIntervalFrames(2, 29.97)).toBe(60);
    expect(keyframeIntervalFrames(0.5, 15)).toBe(8);
    expect(keyframeIntervalFrames(0.01, 10)).toBe(1);
  });

  it('one step lower halves the bitrate (floor 50 kbit/s) or adds 6 to the CRF (top 51)', () => {
    expect(lowerRate({ kind: 'bitrate', kbps: 2000 })).toEqual({ kind: 'bitrate', kbps: 1000 });
    expect(lowerRate({ kind: 'bitrate', kbps: 80 })).toEqual({ kind: 'bitrate', kbps: 50 });
    expect(lowerRate({ kind: 'bitrate', kbps: 50 })).toBeNull();
    expect(lowerRate({ kind: 'crf', crf: 23 })).toEqual({ kind: 'crf', crf: 29 });
    expect(lowerRate({ kind: 'crf', crf: 48 })).toEqual({ kind: 'crf', crf: 51 });
    expect(lowerRate({ kind: 'crf', crf: 51 })).toBeNull();
  });

  it('the codec lowers its rate a few steps, says what it lowered, and plans the next pass with it', () => {
    const codec = h264Codec('/v/a.mp4', { ...shape, rate: { kind: 'bitrate', kbps: 4000 } }, probe);
    expect(codec.lower()).toBe('the bitrate from 4000 kbit/s to 2000 kbit/s');
    expect(after(codec.plan(1000).outputOptions, '-b:v')).toBe('2000k');
    const seen: Array<string | null> = [];
    for (let i = 0; i < RATE_STEPS + 2; i++) seen.push(codec.lower());
    expect(seen.filter((s) => s !== null)).toHaveLength(RATE_STEPS - 1);
    expect(seen.at(-1)).toBeNull();
    expect((codec.rate as Extract<H264Rate, { kind: 'bitrate' }>).kbps).toBe(250);
    const crf = h264Codec('/v/a.mp4', { ...shape, rate: { kind: 'crf', crf: 20 } }, probe);
    expect(crf.lower()).toBe('the quality from CRF 20 to CRF 26');
  });
});
