/**
 * The H.264 frame codec: libx264's Annex B stdout cut into access units at their delimiters
 * (core/h264/annexb.ts), one access unit per frame; the argv from h264-plan.ts; lower() steps
 * the rate down for the passes that follow.
 */
import { AccessUnitSplitter, codecString, isKeyframe } from '../h264/annexb.js';
import type { FrameCodec, StdoutSplitter } from './frame-codec.js';
import type { FfmpegPlan, PassShape } from './ffmpeg-plan.js';
import {
  RATE_STEPS,
  describeRate,
  lowerRate,
  planH264,
  type H264Rate,
  type H264Settings,
} from './h264-plan.js';
import type { VideoProbe } from './probe.js';

/** AccessUnitSplitter behind the push/shift interface of a frame source. */
class AccessUnitQueue implements StdoutSplitter {
  private readonly splitter = new AccessUnitSplitter();
  private readonly units: Buffer[] = [];

  get garbageBytes(): number {
    return this.splitter.droppedBytes;
  }

  push(chunk: Buffer): void {
    for (const u of this.splitter.push(chunk)) this.units.push(asBuffer(u));
  }

  shift(): Buffer | undefined {
    return this.units.shift();
  }

  end(): void {
    for (const u of this.splitter.end()) this.units.push(asBuffer(u));
  }
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export interface H264Codec extends FrameCodec {
  /** The rate in use now (after any lower steps). */
  readonly rate: H264Rate;
}

export function h264Codec(
  file: string,
  out: PassShape & H264Settings,
  input: VideoProbe,
  /** The argv of a pass (default: planH264 of the file); a live input brings its own. */
  makePlan: (settings: PassShape & H264Settings, startMs: number) => FfmpegPlan = (settings, startMs) =>
    planH264(file, settings, input, startMs),
): H264Codec {
  let rate = out.rate;
  let steps = 0;
  /** The codec string of the latest SPS (delta frames carry none). */
  let codec: string | null = null;
  return {
    kind: 'h264',
    get rate() {
      return rate;
    },
    plan: (startMs) => makePlan({ ...out, rate }, startMs),
    newSplitter: () => new AccessUnitQueue(),
    describe: (au) => {
      const keyframe = isKeyframe(au);
      if (keyframe) codec = codecString(au) ?? codec;
      return { keyframe, codec };
    },
    lower: () => {
      const next = steps < RATE_STEPS ? lowerRate(rate) : null;
      if (next === null) return null;
      const what = `the ${rate.kind === 'crf' ? 'quality' : 'bitrate'} from ${describeRate(rate)} to ${describeRate(next)}`;
      rate = next;
      steps++;
      return what;
    },
  };
}
