/**
 * Test double of WebCodecs for the H.264 path (Node has no VideoDecoder): decoders whose queue
 * the test drains by hand (`take`), frames that remember being closed, and a `supports` answer
 * the test controls. Behaves like VideoDecoder where the path relies on it: a delta chunk right
 * after configure throws, an error closes the decoder, nothing comes out of a closed decoder.
 */
import type {
  H264Chunk,
  H264Decoder,
  H264DecoderFactory,
  H264DecoderHandlers,
  VideoFrameLike,
} from './h264-decoder-port.js';

export class FakeFrame implements VideoFrameLike {
  readonly displayWidth = 4;
  readonly displayHeight = 3;
  closed = false;
  constructor(readonly timestamp: number) {}
  close(): void {
    this.closed = true;
  }
}

export class FakeDecoder implements H264Decoder {
  codec: string | null = null;
  closed = false;
  /** Chunks waiting to go into the codec. */
  queue: H264Chunk[] = [];
  /** Chunks the codec took, in order. */
  readonly decoded: H264Chunk[] = [];
  private needsKey = true;

  constructor(
    private readonly handlers: H264DecoderHandlers<FakeFrame>,
    private readonly frames: FakeFrame[],
  ) {}

  get queueSize(): number {
    return this.queue.length;
  }

  configure(codec: string): void {
    this.codec = codec;
    this.needsKey = true;
  }

  decode(chunk: H264Chunk): void {
    if (this.closed || this.codec === null) throw new Error('InvalidStateError: not configured');
    if (this.needsKey && chunk.type !== 'key')
      throw new Error('DataError: a key frame is required after configure()');
    this.needsKey = false;
    this.queue.push(chunk);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  /**
   * The codec takes `n` chunks from the queue (a dequeue event) and, unless `output` is false,
   * puts out their frames.
   */
  take(n = 1, output = true): void {
    for (let i = 0; i < n && !this.closed; i++) {
      const chunk = this.queue.shift();
      if (!chunk) return;
      this.decoded.push(chunk);
      this.handlers.dequeue();
      if (output) this.emit(chunk.timestamp);
    }
  }

  /** Put out a frame (e.g. one held back earlier). */
  emit(timestamp: number): void {
    if (this.closed) return;
    const frame = new FakeFrame(timestamp);
    this.frames.push(frame);
    this.handlers.output(frame);
  }

  /** A decoding error: the decoder closes, as VideoDecoder does. */
  fail(message = 'EncodingError: Decoding error.'): void {
    this.closed = true;
    this.queue = [];
    this.handlers.error(new Error(message));
  }
}

export class FakeDecoders implements H264DecoderFactory<FakeFrame> {
  readonly decoders: FakeDecoder[] = [];
  /** Every frame any decoder put out. */
  readonly frames: FakeFrame[] = [];
  readonly asked: string[] = [];
  /** The codecs `supports` says yes to (all when null). */
  supported: ReadonlySet<string> | null = null;
  /** When set, `supports` answers only once this promise resolves. */
  gate: Promise<void> | null = null;

  async supports(codec: string): Promise<boolean> {
    this.asked.push(codec);
    if (this.gate) await this.gate;
    return this.supported === null || this.supported.has(codec);
  }

  create(handlers: H264DecoderHandlers<FakeFrame>): FakeDecoder {
    const d = new FakeDecoder(handlers, this.frames);
    this.decoders.push(d);
    return d;
  }

  get last(): FakeDecoder {
    const d = this.decoders[this.decoders.length - 1];
    if (!d) throw new Error('no decoder was made');
    return d;
  }
}
