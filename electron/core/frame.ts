/** One video frame as it leaves ffmpeg: a complete JPEG image and where it sits in the video. */
export interface Frame {
  /** 0-based index of the frame in this run (keeps counting across loops). */
  readonly index: number;
  /** Presentation time in milliseconds from the start of the run (keeps increasing across loops). */
  readonly ptsMs: number;
  readonly width: number;
  readonly height: number;
  /** The encoded image (JPEG). */
  readonly data: Buffer;
  /** performance.now() (ms, monotonic) when the frame source handed the frame out (after any real-time pacing); latency figures start here. */
  readonly producedAt: number;
}
