/**
 * One H.264 stream of a viewer, decoded with one decoder (WebCodecs, injected).
 *
 * - A decoder starts at a keyframe (the packet's codec string, asked `isConfigSupported` first,
 *   once per codec); until then, and after a decoder error, a gap in the stream's sequence or
 *   falling behind, delta frames are skipped: `needKey` says why, and the viewer says so.
 * - Behind = the decoder already has `queueLimit` chunks waiting: the delta is skipped and the
 *   stream waits for the next keyframe; a keyframe that finds the queue full starts a fresh
 *   decoder (the queued chunks are skipped). A P-frame is never dropped on its own.
 * - Acks: every packet is acked exactly once — at once when it is skipped or undecodable; when
 *   it has gone into the codec (the queue is shorter than the chunks not acked yet, checked on
 *   `dequeue` and on output, so a decoder that holds frames back cannot stall the flow); or when
 *   its decoder is dropped. After `close()` nothing is acked (the viewer is gone, as for JPEG).
 * - Every output frame is closed, drawn or not. Catch-up frames (`header.catchUp`: handed over so
 *   the stream can start at its last keyframe before a live start or a seek) are decoded, not drawn.
 */
import type { DecodedFrame, FramePacketHeader } from '../../../../electron/shared/frame-packet.js';
import type { H264Decoder, H264DecoderFactory, VideoFrameLike } from './h264-decoder-port.js';

/** Why a stream skips delta frames until the next keyframe. */
export type KeyframeWait = 'start' | 'gap' | 'behind' | 'error' | 'no-codec';

/** What a drawn frame came from. */
export interface ChunkInfo {
  readonly header: FramePacketHeader;
  readonly bytes: number;
  /** host.now() when it was given to the decoder. */
  readonly submittedAt: number;
}

/** The stream's ties to its viewer (H264Streams). */
export interface H264StreamHost<V extends VideoFrameLike> {
  readonly decoders: H264DecoderFactory<V>;
  readonly queueLimit: number;
  /** The cached answer of `isConfigSupported` for this codec, if asked before. */
  supportKnown(codec: string): boolean | undefined;
  /** Ask (once per codec; the answer is cached). */
  checkSupport(codec: string): Promise<boolean>;
  ack(viewerId: string): void;
  /** Draw the frame (the stream closes it afterwards). */
  draw(frame: V, info: ChunkInfo | null): void;
  skipped(frames: number): void;
  decodeError(error: unknown): void;
  /** A frame that no decoder here can take (the codec is not supported). */
  undecodable(): void;
  unsupported(viewerId: string, streamId: string | null, codec: string): void;
  now(): number;
}

interface Active {
  readonly decoder: H264Decoder;
  readonly codec: string;
}

/** Frames held while `isConfigSupported` answers; the inbox hands over only a few un-acked. */
const MAX_HELD = 16;
/** 30 fps, for timestamps when a packet has no pts. */
const FRAME_US = 33_333;

export class H264Stream<V extends VideoFrameLike> {
  private active: Active | null = null;
  private needKey: KeyframeWait | null = 'start';
  private unsupportedCodec: string | null = null;
  private lastCodec: string | null = null;
  private checking = false;
  private held: DecodedFrame[] = [];
  private closed = false;
  /** Chunks in the decoder not acked yet (their viewer ids), oldest first. */
  private unacked: string[] = [];
  /** Chunks in the decoder whose frame has not come out yet, oldest first. */
  private pending: Array<ChunkInfo & { readonly timestamp: number }> = [];
  private lastSeq: number | null = null;
  private lastDropped = 0;
  private nextSyntheticUs = 0;

  constructor(
    readonly streamId: string | null,
    private readonly host: H264StreamHost<V>,
  ) {}

  /** Why delta frames are being skipped now, or null while decoding (or unsupported). */
  get waiting(): KeyframeWait | null {
    return this.unsupportedCodec !== null || this.checking ? null : this.needKey;
  }

  /** The codec this page cannot decode, when that is why nothing shows. */
  get unsupported(): string | null {
    return this.unsupportedCodec;
  }

  push(frame: DecodedFrame): void {
    if (this.closed) return;
    if (this.checking) {
      if (this.held.length < MAX_HELD) this.held.push(frame);
      else this.skip(frame, 'behind');
      return;
    }
    this.process(frame);
  }

  /**
   * The viewer stopped or went elsewhere (a seek): drop the decoder; no more draws. What it still
   * held is acked now — after a seek the same viewer goes on, and its flow control (the page's
   * inbox, the service's gate) counts on every frame being acked once.
   */
  close(): void {
    this.closed = true;
    for (const f of this.held) this.host.ack(f.header.viewerId);
    for (const viewerId of this.unacked) this.host.ack(viewerId);
    this.held = [];
    this.unacked = [];
    this.pending = [];
    const a = this.active;
    this.active = null;
    a?.decoder.close();
  }

  private process(frame: DecodedFrame): void {
    const { header } = frame;
    const gap = this.gapBefore(header);
    if (!header.keyframe) {
      if (this.unsupportedCodec !== null) return this.refuse(frame);
      if (this.needKey !== null || this.active === null)
        return this.skip(frame, this.needKey ?? 'start');
      if (gap) return this.skip(frame, 'gap');
      if (this.active.decoder.queueSize >= this.host.queueLimit) return this.skip(frame, 'behind');
      return this.submit(frame, this.active);
    }
    const codec = header.codec ?? this.lastCodec;
    if (codec === null) return this.skip(frame, 'no-codec');
    this.lastCodec = codec;
    const a = this.active;
    if (a !== null && a.codec === codec && a.decoder.queueSize < this.host.queueLimit) {
      this.needKey = null;
      return this.submit(frame, a);
    }
    // behind (the queue is full), a new codec, or no decoder: start afresh at this keyframe
    this.dropDecoder();
    const known = this.host.supportKnown(codec);
    if (known === undefined) return this.check(frame, codec);
    if (!known) {
      this.markUnsupported(header, codec);
      return this.refuse(frame);
    }
    this.unsupportedCodec = null;
    const started = this.start(codec);
    if (started === null) return this.skip(frame, 'error');
    this.needKey = null;
    this.submit(frame, started);
  }

  /** Skipped or lost frames since the stream's last packet (its sequence, or the service's drops). */
  private gapBefore(header: FramePacketHeader): boolean {
    const { seq, dropped } = header;
    const gap =
      seq !== null && this.lastSeq !== null ? seq !== this.lastSeq + 1 : dropped > this.lastDropped;
    this.lastSeq = seq;
    this.lastDropped = Math.max(this.lastDropped, dropped);
    return gap;
  }

  private check(frame: DecodedFrame, codec: string): void {
    this.checking = true;
    this.held = [frame];
    void this.host.checkSupport(codec).then(() => {
      if (this.closed) return;
      this.checking = false;
      const held = this.held;
      this.held = [];
      // the answer is cached now: the keyframe goes through at once
      this.lastSeq = null;
      for (const f of held) {
        if (this.checking) this.held.push(f);
        else this.process(f);
      }
    });
  }

  private markUnsupported(header: FramePacketHeader, codec: string): void {
    if (this.unsupportedCodec === codec) return;
    this.unsupportedCodec = codec;
    this.needKey = 'start';
    this.host.unsupported(header.viewerId, this.streamId, codec);
  }

  private start(codec: string): Active | null {
    let self: Active | null = null;
    const decoder = this.host.decoders.create({
      output: (frame) => this.output(self, frame),
      error: (err) => this.failed(self, err),
      dequeue: () => {
        if (self !== null && self === this.active) this.settleAcks(self);
      },
    });
    self = { decoder, codec };
    this.active = self;
    try {
      decoder.configure(codec);
    } catch (err) {
      this.failed(self, err);
      return null;
    }
    return self;
  }

  private submit(frame: DecodedFrame, a: Active): void {
    const { header, image } = frame;
    const timestamp =
      header.ptsMs !== null ? Math.round(header.ptsMs * 1000) : (this.nextSyntheticUs += FRAME_US);
    try {
      a.decoder.decode({ type: header.keyframe ? 'key' : 'delta', timestamp, data: image });
    } catch (err) {
      this.host.ack(header.viewerId);
      this.host.skipped(1);
      this.failed(a, err);
      return;
    }
    this.unacked.push(header.viewerId);
    this.pending.push({ header, bytes: image.byteLength, submittedAt: this.host.now(), timestamp });
    this.settleAcks(a);
  }

  /** Ack the chunks that have left the decoder's queue. */
  private settleAcks(a: Active): void {
    while (this.unacked.length > a.decoder.queueSize) {
      const viewerId = this.unacked.shift();
      if (viewerId !== undefined) this.host.ack(viewerId);
    }
  }

  private output(a: Active | null, frame: V): void {
    if (this.closed || a === null || a !== this.active) {
      frame.close();
      return;
    }
    // frames come out in decode order (no B-frames): chunks before this one gave no frame
    let info: ChunkInfo | null = null;
    const at = this.pending.findIndex((p) => p.timestamp === frame.timestamp);
    if (at >= 0) {
      info = this.pending[at] ?? null;
      this.pending.splice(0, at + 1);
    } else info = this.pending.shift() ?? null;
    try {
      // a catch-up frame (before where the viewer starts: live, or a seek) primes the decoder only
      if (info?.header.catchUp !== true) this.host.draw(frame, info);
    } finally {
      frame.close();
    }
    this.settleAcks(a);
  }

  private failed(a: Active | null, err: unknown): void {
    if (this.closed || a === null || a !== this.active) return;
    this.host.decodeError(err);
    this.dropDecoder();
    this.needKey = 'error';
  }

  /** Close the decoder: its chunks are acked, those without a frame yet are skipped. */
  private dropDecoder(): void {
    const a = this.active;
    if (a === null) return;
    this.active = null;
    a.decoder.close();
    for (const viewerId of this.unacked) this.host.ack(viewerId);
    this.unacked = [];
    if (this.pending.length > 0) this.host.skipped(this.pending.length);
    this.pending = [];
  }

  /** Not decoded: acked and counted; the stream waits for a keyframe. */
  private skip(frame: DecodedFrame, reason: KeyframeWait): void {
    this.needKey = reason;
    this.host.ack(frame.header.viewerId);
    this.host.skipped(1);
  }

  /** The codec is not supported here: acked and counted as undecodable. */
  private refuse(frame: DecodedFrame): void {
    this.host.ack(frame.header.viewerId);
    this.host.undecodable();
  }
}
