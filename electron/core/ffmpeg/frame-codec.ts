/**
 * What differs between the frame sources (JPEG images, H.264 access units): the argv of a pass,
 * how stdout is cut into frames, and what a frame is (keyframe, codec string). The process,
 * backpressure, pacing, loop and cancel machinery (ffmpeg-frame-source.ts) is shared.
 */
import type { FfmpegPlan } from './ffmpeg-plan.js';
import { JpegSplitter } from './jpeg-splitter.js';

/** Cuts ffmpeg's stdout into frames: push chunks, shift frames out. */
export interface StdoutSplitter {
  push(chunk: Buffer): void;
  shift(): Buffer | undefined;
  /** stdout ended: a complete last frame becomes available; a half one is garbage. */
  end(): void;
  /** Bytes that were not part of a frame (should stay 0). */
  readonly garbageBytes: number;
}

export interface FrameKind {
  /** Decodable on its own: every image; an H.264 access unit with an IDR slice. */
  readonly keyframe: boolean;
  /** H.264: the stream's codec string (`avc1.PPCCLL`); null for images. */
  readonly codec: string | null;
}

export interface FrameCodec {
  readonly kind: 'jpeg' | 'h264';
  /** The argv of a pass that starts `startMs` into the file (0: from the start). */
  plan(startMs: number): FfmpegPlan;
  /** A fresh splitter for one pass. */
  newSplitter(): StdoutSplitter;
  describe(frame: Buffer): FrameKind;
  /**
   * Make the output smaller from the next plan() on: a phrase saying what was lowered
   * ("the bitrate from 2000 to 1000 kbit/s"), or null when no lower step is left.
   */
  lower(): string | null;
}

/** Images: `-f image2pipe -c:v mjpeg`, cut by the JPEG structure; every frame stands alone. */
export function jpegCodec(plan: (startMs: number) => FfmpegPlan): FrameCodec {
  return {
    kind: 'jpeg',
    plan,
    newSplitter: () => {
      const s = new JpegSplitter();
      return {
        push: (chunk) => s.push(chunk),
        shift: () => s.shift(),
        end: () => void s.end(),
        get garbageBytes() {
          return s.stats.garbageBytes;
        },
      };
    },
    describe: () => ({ keyframe: true, codec: null }),
    // a JPEG over the limit is re-encoded on its own (shrink-jpeg.ts), never the stream
    lower: () => null,
  };
}
