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
  /** Streams whose codec this page cannot decode. */
  readonly unsupported: ReadonlyArray<{ readonly streamId: string | null; readonly codec: string }>;
  /** Mean ms from handing a chunk to the decoder to drawing its frame; null before the first. */
  readonly decodeMs: number | null;
}

export interface H264StreamsDeps<V extends VideoFrameLike> {
  readonly decoders: H264DecoderFactory<V>;
  /** Draw the frame (it is closed afterwards); `info` is the packet it came from, when known. */
  draw(frame: V, info: ChunkInfo | null): void;
  ack(viewerId: string): void;
  now(): number;
  /** The page cannot decode a stream's codec (once per stream and codec). */
  unsupported(viewerId: string, streamId: string | null, codec: string): void;
  log?: Pick<Console, 'warn'> | undefined;
  queueLimit?: number;
}

const NO_COUNTS = { skipped: 0, decodeErrors: 0, undecodable: 0, decoded: 0, decodeMsSum: 0 };

export class H264Streams<V extends VideoFrameLike> {
  private streams = new Map<string | null, H264Stream<V>>();
  private readonly answers = new Map<string, boolean>();
  private readonly asking = new Map<string, Promise<boolean>>();
  private counts = { ...NO_COUNTS };
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
        return codec === null ? [] : [{ streamId: s.streamId, codec }];
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
        deps.unsupported(viewerId, streamId, codec),
      now: () => deps.now(),
    };
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
