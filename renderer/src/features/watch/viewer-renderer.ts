/**
 * One viewer's path from frame to picture, without the DOM:
 * schedule decode + draw (newest frame wins), ack every frame the service sent once (drawn,
 * dropped or undecodable — the service's flow control counts on it), and keep the numbers the
 * overlay shows. The panel injects `decode` (createImageBitmap) and `draw` (canvas).
 *
 * H.264 frames take their own path (h264-streams.ts: a WebCodecs decoder per stream, skipping to
 * the next keyframe when needed); the panel injects the decoders (webcodecs-decoder.ts) and how a
 * `VideoFrame` is drawn. Both paths draw on the same canvas and share the numbers.
 */
import type { DecodedFrame, FramePacketHeader } from '../../../../electron/shared/frame-packet.js';
import { FpsMeter } from './fps-meter.js';
import { FrameScheduler } from './frame-scheduler.js';
import type { H264DecoderFactory, VideoFrameLike } from './h264-decoder-port.js';
import type { ChunkInfo } from './h264-stream.js';
import { H264Streams, type H264Snapshot } from './h264-streams.js';

export interface Picture {
  readonly width: number;
  readonly height: number;
}

/**
 * The page cannot decode a stream's codec (once per stream and codec). A promise: the service
 * was asked to decode the stream instead (watch:fallback); the note follows how that went.
 */
export type UnsupportedCodecListener = (
  viewerId: string,
  streamId: string | null,
  codec: string,
) => void | Promise<unknown>;

export interface ViewerRendererDeps<P extends Picture, V extends VideoFrameLike = VideoFrameLike> {
  decode(image: Uint8Array<ArrayBuffer>, type: FramePacketHeader['type']): Promise<P>;
  draw(picture: P): void;
  /** Free a picture (ImageBitmap.close). */
  close(picture: P): void;
  ack(viewerId: string): void;
  now(): number;
  log?: Pick<Console, 'warn'>;
  /** H.264: the decoders and how a frame is drawn; without them every codec is unsupported. */
  video?: { decoders: H264DecoderFactory<V>; draw(frame: V): void } | undefined;
  /** `npm run bench` only (bench-hook.ts): called after each draw; absent otherwise. */
  onDrawn?:
    | ((seq: number | null, capturedAt: number | null, receivedAt: number, drawnAt: number) => void)
    | undefined;
}

export interface ViewerSnapshot {
  /** Frames drawn so far (the number tests read). */
  readonly drawn: number;
  /** Frames replaced on this page before they were drawn. */
  readonly localDropped: number;
  /** Frames the service dropped for this viewer (from the latest packet). */
  readonly servicesDropped: number;
  /** Packets or images that could not be decoded. */
  readonly failed: number;
  readonly fps: number;
  /** Drawn time minus capture time (producer clock) or, without one, minus the service's receive time. */
  readonly latencyMs: number | null;
  readonly latencyKind: 'capture' | 'service' | null;
  readonly width: number | null;
  readonly height: number | null;
  /** Bytes of the last drawn image. */
  readonly frameBytes: number | null;
  readonly lastSeq: number | null;
  /** Where the last drawn frame is in the topic (the timeline's position); null before one. */
  readonly lastFrame: DrawnFrame | null;
  /** H.264 streams' numbers and notes; null until an H.264 frame came. */
  readonly h264: H264Snapshot | null;
}

/** A drawn frame's place: its message time, and partition/offset for stepping from it. */
export interface DrawnFrame {
  readonly timestamp: number;
  readonly seq: number | null;
  /** The stream it belongs to (null: plain image messages). */
  readonly streamId: string | null;
  /** That stream's name (`kvs-stream-name`); null when it has none. */
  readonly streamName: string | null;
  readonly partition: number | null;
  readonly offset: string | null;
  readonly epoch: number;
  /** When it was drawn (this machine's clock): a tile whose stream stopped says when. */
  readonly drawnAt: number;
}

interface Item {
  readonly header: FramePacketHeader;
  readonly image: Uint8Array<ArrayBuffer>;
}

const EMPTY: ViewerSnapshot = {
  drawn: 0,
  localDropped: 0,
  servicesDropped: 0,
  failed: 0,
  fps: 0,
  latencyMs: null,
  latencyKind: null,
  width: null,
  height: null,
  frameBytes: null,
  lastSeq: null,
  lastFrame: null,
  h264: null,
};

/** No WebCodecs: every codec is unsupported, and the viewer says so. */
const NO_DECODERS: H264DecoderFactory<never> = {
  supports: () => Promise.resolve(false),
  create: () => {
    throw new Error('no video decoder in this page');
  },
};

export class ViewerRenderer<P extends Picture, V extends VideoFrameLike = VideoFrameLike> {
  private readonly scheduler: FrameScheduler<Item, P>;
  private readonly h264: H264Streams<V>;
  private onUnsupported: UnsupportedCodecListener | null = null;
  private readonly fps = new FpsMeter();
  private stats: ViewerSnapshot = EMPTY;
  private warnedDecode = false;
  /** Frames of earlier seeks than this are acked and not shown (watch:control seek). */
  private minEpoch = 0;

  constructor(private readonly deps: ViewerRendererDeps<P, V>) {
    const video = deps.video;
    this.h264 = new H264Streams<V>({
      decoders: video?.decoders ?? NO_DECODERS,
      draw: (frame, info) => this.drawnVideo(frame, info, video),
      ack: (viewerId) => this.ack(viewerId),
      now: () => deps.now(),
      unsupported: (viewerId, streamId, codec) => this.onUnsupported?.(viewerId, streamId, codec),
      log: deps.log,
    });
    this.scheduler = new FrameScheduler<Item, P>({
      decode: (item) => deps.decode(item.image, item.header.type),
      draw: (picture, item) => this.drawn(picture, item),
      release: (picture) => deps.close(picture),
      dropped: (item) => {
        this.stats = { ...this.stats, localDropped: this.stats.localDropped + 1 };
        this.ack(item.header.viewerId);
      },
      // a seek or a stop forgot it: acked all the same, or the service's count of frames
      // in flight (and the page's inbox) would wait for it for ever
      forgotten: (item) => this.ack(item.header.viewerId),
      failed: (item, err) => {
        this.stats = { ...this.stats, failed: this.stats.failed + 1 };
        if (!this.warnedDecode) {
          this.warnedDecode = true;
          deps.log?.warn('kvs: a frame could not be decoded', err);
        }
        this.ack(item.header.viewerId);
      },
    });
  }

  /** A frame from onFrame (decoded once by the transport's inbox). */
  push(frame: DecodedFrame): void {
    const { header, image } = frame;
    if ((header.epoch ?? 0) < this.minEpoch) {
      // read before the viewer was sent elsewhere: on its way already, not to be shown
      this.ack(header.viewerId);
      return;
    }
    this.stats = {
      ...this.stats,
      servicesDropped: Math.max(this.stats.servicesDropped, header.dropped),
    };
    if (header.transcodedFrom !== undefined) this.h264.decodedOnService(header.streamId);
    if (header.type === 'video/h264') this.h264.push(frame);
    else this.scheduler.push({ header, image });
  }

  /**
   * Who hears that the page cannot decode a stream's codec (the seam for the services' decode
   * to JPEG); null: nobody, the viewer's note says it.
   */
  setUnsupportedListener(listener: UnsupportedCodecListener | null): void {
    this.onUnsupported = listener;
  }

  /**
   * The viewer is being sent elsewhere: from now on only frames of seek `epoch` or later are
   * shown; what waits or is being decoded from before is forgotten (the picture stays until the
   * new place's first frame). A number not above the current one changes nothing.
   */
  showFromEpoch(epoch: number): void {
    if (epoch <= this.minEpoch) return;
    this.minEpoch = epoch;
    this.scheduler.clear();
    this.h264.stop();
  }

  /** Stop drawing: the waiting frame is forgotten, a decode in progress is not drawn. */
  stop(): void {
    this.scheduler.clear();
    this.h264.stop();
    // the next viewer counts its seeks from 0 again
    this.minEpoch = 0;
  }

  /** Stop and zero the numbers (a new session). */
  reset(): void {
    this.scheduler.clear();
    this.h264.reset();
    this.fps.reset();
    this.stats = EMPTY;
    this.minEpoch = 0;
  }

  snapshot(): ViewerSnapshot {
    return { ...this.stats, fps: this.fps.rate(this.deps.now()), h264: this.h264.snapshot() };
  }

  /**
   * Acks go out after the scheduler has settled: an ack can make the transport hand over
   * the next frame synchronously, and that frame must find the scheduler already busy with
   * the frame that was waiting — not replace it (which would drop a frame for nothing).
   */
  private ack(viewerId: string): void {
    queueMicrotask(() => this.deps.ack(viewerId));
  }

  private drawn(picture: P, item: Item): void {
    // Read the size first: a closed ImageBitmap reports 0×0.
    const { width, height } = picture;
    try {
      this.deps.draw(picture);
    } finally {
      this.deps.close(picture);
    }
    this.count(item.header, width, height, item.image.byteLength);
    this.ack(item.header.viewerId);
  }

  /** An H.264 frame came out of its decoder (H264Stream acks and closes it). */
  private drawnVideo(
    frame: V,
    info: ChunkInfo | null,
    video: ViewerRendererDeps<P, V>['video'],
  ): void {
    video?.draw(frame);
    if (info === null) {
      this.fps.record(this.deps.now());
      this.stats = { ...this.stats, drawn: this.stats.drawn + 1 };
      return;
    }
    this.count(info.header, frame.displayWidth, frame.displayHeight, info.bytes);
  }

  private count(header: FramePacketHeader, width: number, height: number, bytes: number): void {
    const now = this.deps.now();
    this.fps.record(now);
    const { capturedAt, receivedAt, seq, timestamp } = header;
    this.stats = {
      ...this.stats,
      drawn: this.stats.drawn + 1,
      latencyMs: capturedAt !== null ? now - capturedAt : now - receivedAt,
      latencyKind: capturedAt !== null ? 'capture' : 'service',
      width,
      height,
      frameBytes: bytes,
      lastSeq: seq,
      lastFrame: {
        timestamp,
        seq,
        streamId: header.streamId,
        streamName: header.streamName ?? null,
        partition: header.partition ?? null,
        offset: header.offset ?? null,
        epoch: header.epoch ?? 0,
        drawnAt: now,
      },
    };
    this.deps.onDrawn?.(seq, capturedAt, receivedAt, now);
  }
}
