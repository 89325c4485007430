/**
 * Open a live source: check the options, probe the input (live-probe.ts: a clear error before any
 * network step to Kafka), and build the frame source (live-frame-source.ts) with the argv of each
 * connection — the live input's options (live-input.ts), then the same JPEG or H.264 output as a
 * file. A live source keeps its own timing (`-fps_mode passthrough`, no fps filter) unless a rate
 * is asked for; it is always scaled to the size in `info`, so a camera that comes back at another
 * size still gives frames of one size.
 */
import {
  DEFAULT_QUALITY,
  fitDimensions,
  qualityToQscale,
  type FfmpegPlan,
  type PassShape,
} from './ffmpeg-plan.js';
import { jpegCodec, type FrameCodec } from './frame-codec.js';
import {
  assertRunnable,
  validate,
  type FrameSourceInfo,
  type FrameSourceOptions,
  type VideoCodec,
} from './frame-source.js';
import { h264Codec } from './h264-codec.js';
import {
  DEFAULT_KEYFRAME_INTERVAL_S,
  defaultBitrateKbps,
  keyframeIntervalFrames,
  x264Options,
  type H264Settings,
} from './h264-plan.js';
import { assertLibx264 } from './libx264-check.js';
import {
  DEFAULT_SOURCE_TIMEOUT_MS,
  liveInputArgs,
  type LiveInputArgs,
  type Platform,
} from './live-input.js';
import {
  LiveFrameSource,
  type LiveSourceDeps,
  type LiveSourceOptions,
} from './live-frame-source.js';
import { probeLive } from './live-probe.js';
import type { LiveInput } from '../../shared/source-input.js';
import type { VideoProbe } from './probe.js';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

const FALLBACK_FPS = 30;

/**
 * The ffprobe for a live input: the one beside the ffmpeg that will read the stream when there is
 * one (same build, same network code), else the located one. The static ffprobe of
 * @ffprobe-installer crashes (SIGSEGV) on any http:// address here, while the system's ffmpeg
 * reads it fine.
 */
export async function liveFfprobe(ffmpegPath: string, ffprobePath: string): Promise<string> {
  if (!/[\\/]/.test(ffmpegPath)) return ffprobePath;
  const beside = path.join(
    path.dirname(ffmpegPath),
    path.basename(ffmpegPath).replace(/ffmpeg/i, 'ffprobe'),
  );
  if (beside === ffmpegPath) return ffprobePath;
  try {
    await access(beside, fsConstants.X_OK);
    return beside;
  } catch {
    return ffprobePath;
  }
}

export type OpenLiveOptions = Omit<FrameSourceOptions, 'realtime' | 'loop'> &
  Omit<LiveSourceOptions, 'finite'> & {
    /** Socket / probe time limit. Default 10 s. */
    readonly timeoutMs?: number | undefined;
  };

export interface OpenLiveDeps extends LiveSourceDeps {
  /** process.platform (tests pass another). */
  readonly platform?: Platform;
}

/** The argv of one connection. */
export function planLive(
  args: LiveInputArgs,
  out: PassShape,
  fpsFilter: boolean,
  outputOptions: readonly string[],
): FfmpegPlan {
  return {
    input: args.input,
    inputOptions: ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args.inputOptions],
    videoFilters: [...(fpsFilter ? [`fps=${out.fps}`] : []), `scale=${out.width}:${out.height}`],
    outputOptions: ['-an', ...(fpsFilter ? [] : ['-fps_mode', 'passthrough']), ...outputOptions],
  };
}

export async function openLiveSource(
  input: LiveInput,
  opts: OpenLiveOptions,
  deps: OpenLiveDeps,
): Promise<LiveFrameSource> {
  validate(opts);
  await assertRunnable(deps.ffmpegPath);
  const kind: VideoCodec = opts.codec ?? 'jpeg';
  if (kind === 'h264') await assertLibx264(deps.ffmpegPath);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
  const args = liveInputArgs(input, { platform: deps.platform ?? process.platform, timeoutMs });
  const probe: VideoProbe = await probeLive(input, args, {
    ffprobePath: await liveFfprobe(deps.ffmpegPath, deps.ffprobePath),
    timeoutMs,
    signal: opts.signal,
  });
  const fps = opts.fps ?? probe.fps ?? FALLBACK_FPS;
  const { width, height } = fitDimensions(probe.width, probe.height, opts.maxWidth, opts.maxHeight);
  const shape = { width, height, fps };
  const fpsFilter = opts.fps !== undefined;
  const jpegQscale = qualityToQscale(opts.quality ?? DEFAULT_QUALITY);
  const h264: H264Settings | null =
    kind === 'h264'
      ? {
          rate:
            opts.crf !== undefined
              ? { kind: 'crf', crf: opts.crf }
              : {
                  kind: 'bitrate',
                  kbps: opts.bitrateKbps ?? defaultBitrateKbps(width, height, fps),
                },
          keyframeInterval: keyframeIntervalFrames(
            opts.keyframeIntervalS ?? DEFAULT_KEYFRAME_INTERVAL_S,
            fps,
          ),
        }
      : null;
  const info: FrameSourceInfo = {
    ...shape,
    frameCountEstimate: null,
    durationMs: probe.durationMs,
    codec: kind,
    jpegQscale,
    h264,
    input: probe,
  };
  const codec: FrameCodec = h264
    ? h264Codec(
        input.kind === 'url' ? input.url : input.device,
        { ...shape, ...h264 },
        probe,
        (settings) => planLive(args, shape, fpsFilter, x264Options(settings)),
      )
    : jpegCodec(() =>
        planLive(args, shape, fpsFilter, [
          '-c:v',
          'mjpeg',
          '-q:v',
          String(jpegQscale),
          '-f',
          'image2pipe',
        ]),
      );
  return new LiveFrameSource(
    input,
    codec,
    info,
    {
      ...opts,
      // a device is live; a URL with a duration (a recording, a finished playlist) ends at its end
      finite: input.kind === 'url' && probe.durationMs !== null,
    },
    deps,
  );
}
