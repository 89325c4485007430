/**
 * How ffmpeg is asked for an H.264 stream, as pure functions: libx264 with zero-latency tuning
 * (no B-frames, no lookahead), an IDR keyframe every N frames exactly (scenecut off), SPS/PPS
 * repeated before every IDR and an access unit delimiter before every access unit
 * (`repeat-headers=1:aud=1`), 4:2:0 (what WebCodecs decodes), raw Annex B on stdout (`-f h264`).
 * Rate control is a bitrate (with a VBV of one second: -maxrate = -bufsize = the bitrate, so no
 * access unit can be much larger than a second's worth) or a CRF. The rate ladder lowers it step
 * by step when an access unit does not fit the topic's max.message.bytes.
 */
import { inputOptions, videoFilters, type FfmpegPlan, type PassShape } from './ffmpeg-plan.js';
import { ffmpegInputArg, type VideoProbe } from './probe.js';

/**
 * x264's preset. Measured on 2 cores (Debian ffmpeg 5.1, testsrc2, 2 Mbit/s, decode included):
 * veryfast encodes 720p at ~210 fps and 1080p at ~105 fps (about 0.4 of one core for 1080p30),
 * so it keeps 1080p30 real time with room for the broker and the page.
 */
export const H264_PRESET = 'veryfast';
export const DEFAULT_KEYFRAME_INTERVAL_S = 1;
export const MIN_BITRATE_KBPS = 50;
export const MAX_BITRATE_KBPS = 100_000;
export const MAX_CRF = 51;
/** Lower steps tried before an access unit over the topic's limit is refused. */
export const RATE_STEPS = 4;

export type H264Rate =
  | { readonly kind: 'bitrate'; readonly kbps: number }
  | { readonly kind: 'crf'; readonly crf: number };

export interface H264Settings {
  readonly rate: H264Rate;
  /** An IDR keyframe every this many frames. */
  readonly keyframeInterval: number;
}

/**
 * The default bitrate for a size and rate: 0.06 bits per pixel (720p30 → 1659 kbit/s,
 * 1080p30 → 3732 kbit/s), between 200 and 8000 kbit/s.
 */
export function defaultBitrateKbps(width: number, height: number, fps: number): number {
  const kbps = Math.round((width * height * fps * 0.06) / 1000);
  return Math.min(8000, Math.max(200, kbps));
}

/** Keyframe interval in frames: `seconds × fps`, at least 1. */
export function keyframeIntervalFrames(seconds: number, fps: number): number {
  return Math.max(1, Math.round(seconds * fps));
}

export function rateOptions(rate: H264Rate): string[] {
  if (rate.kind === 'crf') return ['-crf', String(rate.crf)];
  const r = `${rate.kbps}k`;
  return ['-b:v', r, '-maxrate', r, '-bufsize', r];
}

export function describeRate(rate: H264Rate): string {
  return rate.kind === 'crf' ? `CRF ${rate.crf}` : `${rate.kbps} kbit/s`;
}

/** One step lower: half the bitrate, or a CRF 6 higher (about half the bits); null at the floor. */
export function lowerRate(rate: H264Rate): H264Rate | null {
  if (rate.kind === 'crf')
    return rate.crf >= MAX_CRF ? null : { kind: 'crf', crf: Math.min(MAX_CRF, rate.crf + 6) };
  if (rate.kbps <= MIN_BITRATE_KBPS) return null;
  return { kind: 'bitrate', kbps: Math.max(MIN_BITRATE_KBPS, Math.round(rate.kbps / 2)) };
}

/**
 * The libx264 output options of the app's producer — what makes a stream this app plays (no
 * B-frames, SPS/PPS before every IDR, access unit delimiters, a fixed GOP, 4:2:0, raw Annex B).
 * Also what the bench and the tests encode their clips with, so they test the same stream shape.
 */
export function x264Options(settings: H264Settings): string[] {
  const gop = String(settings.keyframeInterval);
  return [
    '-c:v',
    'libx264',
    '-preset',
    H264_PRESET,
    '-tune',
    'zerolatency',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-g',
    gop,
    '-keyint_min',
    gop,
    ...rateOptions(settings.rate),
    '-x264-params',
    'repeat-headers=1:aud=1:scenecut=0',
    '-f',
    'h264',
  ];
}

export function planH264(
  file: string,
  out: PassShape & H264Settings,
  input: VideoProbe,
  startMs = 0,
): FfmpegPlan {
  return {
    input: ffmpegInputArg(file),
    inputOptions: inputOptions(startMs),
    videoFilters: videoFilters(out, input),
    outputOptions: ['-an', ...x264Options(out)],
  };
}
