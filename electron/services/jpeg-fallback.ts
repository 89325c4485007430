/**
 * The JPEG fallback of one viewer (issue 14): the streams whose codec its page cannot decode
 * (`watch:fallback`, asked by the page when `VideoDecoder.isConfigSupported` said no) are decoded
 * here instead, one ffmpeg per stream (core/ffmpeg/h264-to-jpeg.ts), and go on to the page as
 * JPEG packets that carry the access unit's own seq, pts, times, stream and place, marked
 * `transcodedFrom` — through the viewer's FrameGate like any image (a keyframe, never dependent).
 *
 * - Only the streams asked for: the viewer's other streams go to the page unchanged.
 * - A stream starts at its next keyframe (the deltas before it are skipped: the page could not
 *   decode them either). Catch-up units (before where the viewer starts showing) are decoded, and
 *   their JPEGs not sent.
 * - Backpressure: `push` returns a promise while ffmpeg or the gate (a paced replay, every frame)
 *   is behind, so the viewer's consumer waits instead of piling frames up.
 * - An ffmpeg that fails is reported (`error`, shown in watch:stats) and started again at the
 *   next keyframe, at most {@link MAX_RESTARTS} times; then the stream's frames are dropped.
 * - `close()` (the viewer stopped, released, or everything stops) kills every ffmpeg.
 */
import type { ErrorPayload } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import { H264ToJpeg } from '../core/ffmpeg/h264-to-jpeg.js';
import { passthroughOption, type PassthroughOption } from '../core/ffmpeg/passthrough-option.js';
import type { ViewerFrame } from '../core/kafka/viewer.js';
import { errorPayload } from './error-payload.js';
import type { GateFrame, MakePacket } from './frame-gate.js';

/** How often a stream's ffmpeg is started again after it failed. */
export const MAX_RESTARTS = 3;

/** A frame as the viewer sends it to the page; `transcodedFrom` marks a JPEG made here. */
export type FallbackFrame = ViewerFrame & { readonly transcodedFrom?: string };

export interface JpegFallbackDeps {
  /** ffmpeg's path (located when the first stream is asked for; may throw FFMPEG_NOT_FOUND). */
  readonly ffmpegPath: () => Promise<string>;
  /** The viewer's packet for a frame (viewers.ts framePacket). */
  readonly packet: (frame: FallbackFrame) => MakePacket;
  /** The viewer's gate. */
  readonly offer: (make: MakePacket, frame: GateFrame) => Promise<void> | void;
  /** A stream's ffmpeg failed (already in `error`): say so now rather than at the next tick. */
  readonly changed?: () => void;
}

interface FallbackStream {
  readonly codec: string;
  transcoder: H264ToJpeg<ViewerFrame> | null;
  restarts: number;
}

const key = (streamId: string | null): string => streamId ?? '\u0000';

export class JpegFallback {
  private readonly streams = new Map<string, FallbackStream>();
  private ffmpeg: string | null = null;
  /** `-fps_mode`, or `-vsync` for an ffmpeg before 5.1. */
  private passthrough: PassthroughOption | null = null;
  private closed = false;
  private lastError: ErrorPayload | null = null;
  /**
   * JPEGs waiting for the gate (a paced replay sends every frame: the gate's offer waits for a
   * slot), one after the other; `gateBusy` counts those not taken yet.
   */
  private gateChain: Promise<void> = Promise.resolve();
  private gateBusy = 0;

  constructor(private readonly deps: JpegFallbackDeps) {}

  /** The latest ffmpeg failure of a stream, if any. */
  get error(): ErrorPayload | null {
    return this.lastError;
  }

  /** Streams decoded here, for tests and stats. */
  get streamCount(): number {
    return this.streams.size;
  }

  /**
   * Decode this stream here from its next keyframe on. Idempotent per stream. Throws (to the
   * page's call) when ffmpeg cannot be found.
   */
  async start(streamId: string | null, codec: string): Promise<void> {
    if (this.closed) throw new KvsError('CANCELLED', 'The viewer has stopped.');
    if (this.streams.has(key(streamId))) return;
    this.ffmpeg ??= await this.deps.ffmpegPath();
    this.passthrough ??= await passthroughOption(this.ffmpeg);
    if (this.closed) throw new KvsError('CANCELLED', 'The viewer has stopped.');
    if (this.streams.has(key(streamId))) return;
    const stream: FallbackStream = { codec, transcoder: null, restarts: 0 };
    stream.transcoder = this.transcoder(stream, streamId);
    this.streams.set(key(streamId), stream);
  }

  /** Is this frame one of a stream decoded here? */
  takes(frame: ViewerFrame): boolean {
    return frame.type === 'video/h264' && this.streams.has(key(frame.streamId));
  }

  /** One access unit of a stream decoded here. Never throws. */
  push(frame: ViewerFrame): Promise<void> | void {
    const stream = this.streams.get(key(frame.streamId));
    const t = stream?.transcoder;
    if (!t || this.closed) return;
    const ffmpegWait = t.push(frame.image, frame.keyframe, frame);
    const gateWait = this.gateBusy > 0 ? this.gateChain : undefined;
    if (ffmpegWait === undefined && gateWait === undefined) return;
    return Promise.all([ffmpegWait, gateWait]).then(() => undefined);
  }

  /** Kill every ffmpeg (and wait for them to exit). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(all.map((s) => s.transcoder?.stop()));
  }

  /** Offer a JPEG to the gate after the ones still waiting for it (in order, none replaced). */
  private toGate(make: MakePacket, frame: GateFrame): void {
    if (this.gateBusy === 0) {
      const wait = this.deps.offer(make, frame);
      if (wait === undefined) return;
      this.gateBusy++;
      this.gateChain = wait.then(() => {
        this.gateBusy--;
      });
      return;
    }
    this.gateBusy++;
    this.gateChain = this.gateChain
      .then(() => (this.closed ? undefined : this.deps.offer(make, frame)))
      .then(() => {
        this.gateBusy--;
      });
  }

  private transcoder(stream: FallbackStream, streamId: string | null): H264ToJpeg<ViewerFrame> {
    const ffmpegPath = this.ffmpeg ?? 'ffmpeg';
    const t: H264ToJpeg<ViewerFrame> = new H264ToJpeg<ViewerFrame>({
      ffmpegPath,
      ...(this.passthrough ? { passthrough: this.passthrough } : {}),
      onJpeg: (jpeg, f) => {
        // a catch-up unit only primes the decoder (it is before where the viewer shows)
        if (this.closed || f.catchUp) return;
        this.toGate(
          this.deps.packet({
            ...f,
            image: jpeg,
            type: 'image/jpeg',
            codec: null,
            keyframe: true,
            transcodedFrom: stream.codec,
          }),
          { stream: f.streamId ?? '', dependent: false, keyframe: true },
        );
      },
      onError: (error) => {
        if (this.closed || stream.transcoder !== t) return;
        const name = streamId === null || streamId === '' ? '' : ` “${streamId}”`;
        this.lastError = errorPayload(
          new KvsError(
            error.code,
            `The service could not decode the stream${name} (${stream.codec}) to JPEG for this page: ${error.message}`,
            error.detail,
          ),
        );
        // again from the next keyframe, a few times; then the stream's frames are dropped
        stream.transcoder =
          stream.restarts < MAX_RESTARTS ? this.transcoder(stream, streamId) : null;
        stream.restarts++;
        this.deps.changed?.();
      },
    });
    return t;
  }
}
