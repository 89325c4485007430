/**
 * A viewer's H.264 streams: one H264Stream (one decoder) per stream id — a topic may carry
 * several, beside JPEG ones — one `isConfigSupported` answer per codec string, and the numbers
 * the overlay shows (frames skipped to a keyframe, decoder errors, decode time) and the notes it
 * shows (a stream waiting for a keyframe, a codec this page cannot decode).
 */
import type { DecodedFrame } from '../../../../electron/shared/frame-packet.js';
import type { H264DecoderFactory, VideoFrameLike } from './h264-decoder-port.js';
import {
  H264Stream,
  type ChunkInfo,
  type H264StreamHost,
  type KeyframeWait,
} from './h264-stream.js';

/** Chunks a stream's decoder may have queued before the page counts as behind. */
export const H264_QUEUE_LIMIT = 3;

export interface H264Snapshot {
  /** Frames received and not drawn: waiting for a keyframe, behind, or lost with a decoder. */
  readonly skipped: number;
  readonly decodeErrors: number;
  /** Frames of a codec this page cannot decode. */
  readonly undecodable: number;
  /** Streams skipping delta frames until their next keyframe, and why. */
  readonly waiting: ReadonlyArray<{
    readonly streamId: string | null;
    readonly reason: KeyframeWait;
  }>;
  /** Streams whose codec this page cannot decode, and whether the service decodes them instead. */
  readonly unsupported: ReadonlyArray<{
    readonly streamId: string | null;
    readonly codec: string;
    /** The service's JPEG fallback: null when not asked (no listener). */
    readonly service: ServiceDecode | null;
  }>;
  /** Mean ms from handing a chunk to the decoder to drawing its frame; null before the first. */
  readonly decodeMs: number | null;
}

/**
 * The service decoding a stream this page cannot (watch:fallback): asked and not answered yet;
 * on (its JPEGs start at the stream's next keyframe); `drawing`: its JPEGs are arriving; or it
 * could not, and why.
 */
export type ServiceDecode =
  | { readonly state: 'asking' | 'on' | 'drawing' }
  | { readonly state: 'failed'; readonly message: string };

export interface H264StreamsDeps<V extends VideoFrameLike> {
  readonly decoders: H264DecoderFactory<V>;
  /** Draw the frame (it is closed afterwards); `info` is the packet it came from, when known. */
  draw(frame: V, info: ChunkInfo | null): void;
  ack(viewerId: string): void;
  now(): number;
  /**
   * The page cannot decode a stream's codec (once per stream and codec). A promise: the service
   * was asked to decode it instead (its outcome shows in the snapshot).
   */
  unsupported(viewerId: string, streamId: string | null, codec: string): void | Promise<unknown>;
  log?: Pick<Console, 'warn'> | undefined;
  queueLimit?: number;
}

const NO_COUNTS = { skipped: 0, decodeErrors: 0, undecodable: 0, decoded: 0, decodeMsSum: 0 };

export class H264Streams<V extends VideoFrameLike> {
  private streams = new Map<string | null, H264Stream<V>>();
  private readonly answers = new Map<string, boolean>();
  private readonly asking = new Map<string, Promise<boolean>>();
  private counts = { ...NO_COUNTS };
  /** Streams the service decodes to JPEG for this page (or was asked to). */
  private service = new Map<string | null, ServiceDecode>();
  private warned = false;
  private seen = false;

  constructor(private readonly deps: H264StreamsDeps<V>) {}

  push(frame: DecodedFrame): void {
    this.seen = true;
    const id = frame.header.streamId;
    let stream = this.streams.get(id);
    if (!stream) {
      stream = new H264Stream<V>(id, this.host());
      this.streams.set(id, stream);
    }
    stream.push(frame);
  }

  /** Stop: every decoder closes; frames still coming out are closed without drawing. */
  stop(): void {
    for (const s of this.streams.values()) s.close();
    this.streams = new Map();
    this.service = new Map();
  }

  /** A JPEG the service decoded from this stream arrived (header.transcodedFrom). */
  decodedOnService(streamId: string | null): void {
    if (this.service.get(streamId)?.state !== 'failed')
      this.service.set(streamId, { state: 'drawing' });
  }

  /** Stop and zero the numbers. */
  reset(): void {
    this.stop();
    this.counts = { ...NO_COUNTS };
    this.warned = false;
    this.seen = false;
  }

  /** Null until the viewer has seen an H.264 frame. */
  snapshot(): H264Snapshot | null {
    if (!this.seen) return null;
    const streams = [...this.streams.values()];
    const c = this.counts;
    return {
      skipped: c.skipped,
      decodeErrors: c.decodeErrors,
      undecodable: c.undecodable,
      waiting: streams.flatMap((s) => {
        const reason = s.waiting;
        return reason === null ? [] : [{ streamId: s.streamId, reason }];
      }),
      unsupported: streams.flatMap((s) => {
        const codec = s.unsupported;
        return codec === null
          ? []
          : [{ streamId: s.streamId, codec, service: this.service.get(s.streamId) ?? null }];
      }),
      decodeMs: c.decoded > 0 ? c.decodeMsSum / c.decoded : null,
    };
  }

  private host(): H264StreamHost<V> {
    const deps = this.deps;
    return {
      decoders: deps.decoders,
      queueLimit: deps.queueLimit ?? H264_QUEUE_LIMIT,
      supportKnown: (codec: string) => this.answers.get(codec),
      checkSupport: (codec: string) => this.checkSupport(codec),
      ack: (viewerId: string) => deps.ack(viewerId),
      draw: (frame: V, info: ChunkInfo | null) => {
        if (info !== null) {
          this.counts.decoded++;
          this.counts.decodeMsSum += deps.now() - info.submittedAt;
        }
        deps.draw(frame, info);
      },
      skipped: (n: number) => {
        this.counts.skipped += n;
      },
      decodeError: (err: unknown) => {
        this.counts.decodeErrors++;
        if (!this.warned) {
          this.warned = true;
          deps.log?.warn('kvs: the H.264 decoder failed; waiting for the next keyframe', err);
        }
      },
      undecodable: () => {
        this.counts.undecodable++;
      },
      unsupported: (viewerId: string, streamId: string | null, codec: string) =>
        this.askService(viewerId, streamId, codec),
      now: () => deps.now(),
    };
  }

  /** Tell the listener; when it asks the service to decode the stream, follow the answer. */
  private askService(viewerId: string, streamId: string | null, codec: string): void {
    const asked = this.deps.unsupported(viewerId, streamId, codec);
    if (!(asked instanceof Promise)) return;
    const map = this.service;
    if (map.get(streamId)?.state !== 'drawing') map.set(streamId, { state: 'asking' });
    asked.then(
      () => {
        if (map.get(streamId)?.state === 'asking') map.set(streamId, { state: 'on' });
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        map.set(streamId, { state: 'failed', message });
      },
    );
  }

  private checkSupport(codec: string): Promise<boolean> {
    let q = this.asking.get(codec);
    if (!q) {
      q = this.deps.decoders
        .supports(codec)
        .catch(() => false)
        .then((ok) => {
          this.answers.set(codec, ok);
          this.asking.delete(codec);
          return ok;
        });
      this.asking.set(codec, q);
    }
    return q;
  }
}
