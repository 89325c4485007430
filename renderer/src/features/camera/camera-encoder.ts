/**
 * Encoding in the page: WebCodecs VideoEncoder to H.264 in Annex B form (a keyframe when asked,
 * about every second; Constrained Baseline, so no B-frames and frames leave in display order),
 * or — where `VideoEncoder.isConfigSupported` says no to H.264 — a JPEG per frame drawn through an
 * OffscreenCanvas.
 */
import { codecFromAnnexB, defaultBitrate, evenSize, h264CodecString } from './camera-logic.js';

export interface EncodedCameraFrame {
  readonly data: Uint8Array;
  readonly keyframe: boolean;
  /** The VideoFrame's timestamp (µs). */
  readonly timestampUs: number;
  /** 'jpeg', or `avc1.PPCCLL` (from the SPS of the last keyframe). */
  readonly codec: string;
  readonly width: number;
  readonly height: number;
}

export interface CameraEncoder {
  readonly codec: 'h264' | 'jpeg';
  readonly width: number;
  readonly height: number;
  /** Frames waiting in the encoder: the caller skips frames while it is behind. */
  queueSize(): number;
  /** Takes the frame and closes it. */
  encode(frame: VideoFrame, keyframe: boolean): void;
  /** Encode what waits, then stop. */
  close(): Promise<void>;
}

export interface EncoderOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly onFrame: (f: EncodedCameraFrame) => void;
  readonly onError: (err: Error) => void;
  /** Use JPEG even where H.264 would work (tests, the user's choice). */
  readonly forceJpeg?: boolean;
}

function h264Config(o: EncoderOptions): VideoEncoderConfig {
  const { width, height } = evenSize(o.width, o.height);
  return {
    codec: h264CodecString(width, height, o.fps),
    width,
    height,
    bitrate: defaultBitrate(width, height, o.fps),
    framerate: o.fps,
    latencyMode: 'realtime',
    avc: { format: 'annexb' },
  };
}

/** Can this page encode H.264 at this size and rate? */
export async function h264Supported(
  o: Pick<EncoderOptions, 'width' | 'height' | 'fps'>,
): Promise<boolean> {
  if (typeof VideoEncoder === 'undefined') return false;
  try {
    const r = await VideoEncoder.isConfigSupported(
      h264Config({ ...o, onFrame: () => undefined, onError: () => undefined }),
    );
    return r.supported === true;
  } catch {
    return false;
  }
}

export async function createCameraEncoder(o: EncoderOptions): Promise<CameraEncoder> {
  if (!o.forceJpeg && (await h264Supported(o))) return h264Encoder(o);
  return jpegEncoder(o);
}

function h264Encoder(o: EncoderOptions): CameraEncoder {
  const config = h264Config(o);
  let codec = config.codec;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      const keyframe = chunk.type === 'key';
      if (keyframe) codec = codecFromAnnexB(data) ?? codec;
      o.onFrame({
        data,
        keyframe,
        timestampUs: chunk.timestamp,
        codec,
        width: config.width,
        height: config.height,
      });
    },
    error: (e) => o.onError(e instanceof Error ? e : new Error(String(e))),
  });
  encoder.configure(config);
  return {
    codec: 'h264',
    width: config.width,
    height: config.height,
    queueSize: () => encoder.encodeQueueSize,
    encode(frame, keyframe) {
      try {
        if (encoder.state === 'configured') encoder.encode(frame, { keyFrame: keyframe });
      } finally {
        frame.close();
      }
    },
    async close() {
      if (encoder.state === 'configured') await encoder.flush().catch(() => undefined);
      if (encoder.state !== 'closed') encoder.close();
    },
  };
}

function jpegEncoder(o: EncoderOptions): CameraEncoder {
  const width = Math.round(o.width);
  const height = Math.round(o.height);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This page cannot draw to a canvas, so it cannot encode JPEG.');
  let inFlight = 0;
  let closed = false;
  let pending: Promise<void> = Promise.resolve();
  return {
    codec: 'jpeg',
    width,
    height,
    // one JPEG at a time: a frame that comes while one is being made is skipped
    queueSize: () => inFlight * 3,
    encode(frame) {
      const timestampUs = frame.timestamp;
      try {
        ctx.drawImage(frame, 0, 0, width, height);
      } finally {
        frame.close();
      }
      inFlight++;
      pending = canvas
        .convertToBlob({ type: 'image/jpeg', quality: 0.8 })
        .then((blob) => blob.arrayBuffer())
        .then((buf) => {
          if (!closed)
            o.onFrame({
              data: new Uint8Array(buf),
              keyframe: true,
              timestampUs,
              codec: 'jpeg',
              width,
              height,
            });
        })
        .catch((e: unknown) => o.onError(e instanceof Error ? e : new Error(String(e))))
        .finally(() => inFlight--);
    },
    async close() {
      await pending;
      closed = true;
    },
  };
}
