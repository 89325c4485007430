/**
 * One video frame as it leaves ffmpeg: a complete JPEG image or one H.264 access unit, and where
 * it sits in the video.
 */
export interface Frame {
  /** 0-based index of the frame in this run (keeps counting across loops). */
  readonly index: number;
  /** Presentation time in milliseconds from the start of the run (keeps increasing across loops). */
  readonly ptsMs: number;
  readonly width: number;
  readonly height: number;
  /** The encoded frame: a JPEG image, or an H.264 access unit in Annex B form. */
  readonly data: Buffer;
  /** Decodable on its own: every image; an H.264 access unit with an IDR slice. */
  readonly keyframe: boolean;
  /** H.264: the stream's codec string (`avc1.PPCCLL`, from its SPS); null for images. */
  readonly codec: string | null;
  /** performance.now() (ms, monotonic) when the frame source handed the frame out (after any real-time pacing); latency figures start here. */
  readonly producedAt: number;
}
