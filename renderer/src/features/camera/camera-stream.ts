/**
 * One camera stream in the page: camera frames → encoder → camera packets → the transport's
 * frame channel (KvsApi.sendCameraFrame), with the job id camera:start gave. Skips frames while
 * the encoder is behind; a frame the transport could not take is dropped, and an H.264 stream
 * then sends nothing until the next keyframe (asked for at once), so every frame that leaves
 * can be decoded.
 */
import { encodeCameraPacket } from '../../../../electron/shared/camera-packet.js';
import type { KvsApi } from '../../../../electron/shared/contract.js';
import { cameraFrames } from './camera-capture.js';
import type { CameraEncoder, EncodedCameraFrame } from './camera-encoder.js';
import { CAMERA_ENDED_MESSAGE, keyframeDue, shouldSkipFrame } from './camera-logic.js';

export interface CameraStreamStats {
  /** Packets handed to the transport. */
  readonly sent: number;
  /** Frames not encoded (encoder behind, camera faster than asked) or not sent (channel busy). */
  readonly droppedInPage: number;
  readonly codec: string | null;
}

export interface CameraStreamOptions {
  readonly api: Pick<KvsApi, 'sendCameraFrame'>;
  readonly jobId: string;
  readonly track: MediaStreamTrack;
  readonly preview: HTMLVideoElement;
  readonly fps: number;
  /** Makes the encoder; its output must go to the `onEncoded` it is given. */
  readonly encoder: (
    onEncoded: (f: EncodedCameraFrame) => void,
    onError: (e: Error) => void,
  ) => Promise<CameraEncoder>;
  /** The stream cannot go on (camera gone, encoder failed): say why; the owner stops it. */
  readonly onProblem: (message: string) => void;
}

export class CameraStream {
  private sent = 0;
  private skipped = 0;
  private unsent = 0;
  private seq = 0;
  private codec: string | null = null;
  private lastTaken: number | null = null;
  private lastKeyframe: number | null = null;
  private keyframeOwed = false;
  private waitKeyframe = false;
  private firstTimestamp: number | null = null;
  private lastPts = 0;
  private readonly capturedAt = new Map<number, number>();
  private stopFrames: (() => void) | null = null;
  private encoder: CameraEncoder | null = null;
  private stopped = false;

  constructor(private readonly o: CameraStreamOptions) {}

  stats(): CameraStreamStats {
    return { sent: this.sent, droppedInPage: this.skipped + this.unsent, codec: this.codec };
  }

  async start(): Promise<void> {
    this.encoder = await this.o.encoder(
      (f) => this.onEncoded(f),
      (e) => this.o.onProblem(`The video encoder failed: ${e.message}`),
    );
    // stopped while the encoder was being made: stop() found none to close
    if (this.stopped) {
      await this.encoder.close();
      return;
    }
    this.o.track.addEventListener('ended', this.onEnded);
    this.stopFrames = cameraFrames(this.o.track, this.o.preview, (f) => this.onFrame(f));
  }

  /** Stop taking frames; what the encoder holds is still sent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.o.track.removeEventListener('ended', this.onEnded);
    this.stopFrames?.();
    await this.encoder?.close();
  }

  private readonly onEnded = (): void => this.o.onProblem(CAMERA_ENDED_MESSAGE);

  private onFrame(frame: VideoFrame): void {
    const enc = this.encoder;
    const t = performance.now();
    if (this.stopped || !enc || shouldSkipFrame(t, this.lastTaken, this.o.fps, enc.queueSize())) {
      frame.close();
      // a camera faster than the chosen rate is not a drop; an encoder behind is
      if (!this.stopped && enc && enc.queueSize() > 2) this.skipped++;
      return;
    }
    this.lastTaken = t;
    const key = enc.codec === 'jpeg' || keyframeDue(t, this.lastKeyframe, this.keyframeOwed);
    if (key) {
      this.lastKeyframe = t;
      this.keyframeOwed = false;
    }
    this.capturedAt.set(frame.timestamp, Date.now());
    if (this.capturedAt.size > 64) this.capturedAt.delete(this.capturedAt.keys().next().value ?? 0);
    enc.encode(frame, key);
  }

  private onEncoded(f: EncodedCameraFrame): void {
    const capturedAt = this.capturedAt.get(f.timestampUs) ?? Date.now();
    this.capturedAt.delete(f.timestampUs);
    const h264 = f.codec !== 'jpeg';
    if (h264 && this.waitKeyframe && !f.keyframe) {
      this.unsent++;
      return;
    }
    this.firstTimestamp ??= f.timestampUs;
    // presentation time from the camera's own clock, never backwards
    this.lastPts = Math.max(this.lastPts, (f.timestampUs - this.firstTimestamp) / 1000);
    const packet = encodeCameraPacket(
      {
        jobId: this.o.jobId,
        seq: this.seq,
        ptsMs: this.lastPts,
        capturedAt,
        width: f.width,
        height: f.height,
        keyframe: f.keyframe,
        codec: f.codec,
      },
      f.data,
    );
    if (this.o.api.sendCameraFrame(packet)) {
      this.seq++;
      this.sent++;
      this.codec = f.codec;
      this.waitKeyframe = false;
      return;
    }
    this.unsent++;
    if (h264) {
      this.waitKeyframe = true;
      this.keyframeOwed = true;
    }
  }
}
