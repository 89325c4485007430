/**
 * What the H.264 path needs of WebCodecs, as small interfaces: the page plugs in the real
 * `VideoDecoder` (webcodecs-decoder.ts), the unit tests a fake (Node has no VideoDecoder).
 */

/** The part of a `VideoFrame` the path uses. */
export interface VideoFrameLike {
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** µs: the timestamp of the chunk it was decoded from. */
  readonly timestamp: number;
  close(): void;
}

/** One access unit for the decoder (an `EncodedVideoChunk`'s init). */
export interface H264Chunk {
  readonly type: 'key' | 'delta';
  /** µs */
  readonly timestamp: number;
  /** Annex B bytes (start codes; no avcC description is configured). */
  readonly data: Uint8Array<ArrayBuffer>;
}

export interface H264DecoderHandlers<V extends VideoFrameLike> {
  /** A decoded frame; whoever receives it must close it. */
  output(frame: V): void;
  /** The decoder failed and is closed (WebCodecs closes a decoder on error). */
  error(error: unknown): void;
  /** `decodeQueueSize` went down: a chunk went into the codec. */
  dequeue(): void;
}

export interface H264Decoder {
  /** Chunks waiting to go into the codec (`VideoDecoder.decodeQueueSize`). */
  readonly queueSize: number;
  /** Configure for Annex B input with `optimizeForLatency: true`. May throw. */
  configure(codec: string): void;
  /** May throw (e.g. a delta chunk right after configure). */
  decode(chunk: H264Chunk): void;
  /** Never throws; pending chunks are discarded, no output follows. */
  close(): void;
}

export interface H264DecoderFactory<V extends VideoFrameLike> {
  /** `VideoDecoder.isConfigSupported` for this codec string; false when there is no VideoDecoder. */
  supports(codec: string): Promise<boolean>;
  create(handlers: H264DecoderHandlers<V>): H264Decoder;
}
