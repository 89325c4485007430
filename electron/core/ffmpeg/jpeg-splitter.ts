/**
 * Incremental splitter for a concatenated JPEG byte stream (what `ffmpeg -f image2pipe -c:v mjpeg`
 * writes to stdout) into complete JPEG images. Pure: no I/O, no timers.
 *
 * It follows the JPEG structure rather than searching for FFD9 (which can legally appear inside
 * APPn/COM segments, e.g. an EXIF thumbnail):
 *   - find SOI (FF D8);
 *   - walk marker segments by their 16-bit lengths (fill bytes FF FF… allowed; RSTn/TEM have no
 *     length);
 *   - after SOS (FF DA) scan the entropy-coded data: FF 00 is a stuffed byte, FF D0–D7 a restart
 *     marker, FF FF fill; any other FF xx is a real marker — EOI (FF D9) ends the image, anything
 *     else (DHT/SOS of the next progressive scan, …) goes back to walking segments.
 *
 * Chunk boundaries can fall anywhere (even between FF and its marker byte). Memory is bounded:
 * a frame that grows beyond `maxFrameBytes` is dropped — its bytes are discarded as they arrive
 * while parsing continues so the splitter stays in sync — and reported as garbage. Bytes outside
 * any image (before an SOI, a truncated/corrupt image) are reported as garbage too.
 */

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

export type GarbageReason =
  /** Bytes before an SOI that belong to no image. */
  | 'no-image'
  /** An image whose structure broke (bad marker, bad length, a new SOI before EOI). */
  | 'corrupt'
  /** An image larger than `maxFrameBytes`: dropped. */
  | 'too-large'
  /** An image still incomplete when the stream ended. */
  | 'truncated';

export interface GarbageReport {
  readonly reason: GarbageReason;
  readonly bytes: number;
}

export interface JpegSplitterOptions {
  /** Largest image kept, in bytes (default 64 MiB). */
  readonly maxFrameBytes?: number;
  /** Called for every run of bytes that is not part of a returned image. */
  readonly onGarbage?: (report: GarbageReport) => void;
}

export interface JpegSplitterStats {
  readonly frames: number;
  readonly garbageBytes: number;
  readonly droppedFrames: number;
  /** Bytes held inside the splitter right now (unparsed input + the image in progress). */
  readonly pendingBytes: number;
}

type State =
  | 'soi' // looking for FF D8
  | 'marker' // at a marker (FF xx) between segments
  | 'skip' // skipping a segment payload, then back to `afterSkip`
  | 'entropy'; // inside entropy-coded data after SOS

const isRst = (b: number): boolean => b >= 0xd0 && b <= 0xd7;

export class JpegSplitter {
  private readonly maxFrameBytes: number;
  private readonly onGarbage: ((r: GarbageReport) => void) | undefined;

  private buf: Buffer = Buffer.alloc(0);
  private len = 0; // valid bytes in buf
  private pos = 0; // parse position in buf
  private start = -1; // where the current image starts in buf (-1: none)
  private discarded = 0; // bytes of the current (oversize) image already thrown away
  private state: State = 'soi';
  private skipLeft = 0;
  private afterSkip: 'marker' | 'entropy' = 'marker';

  private frameCount = 0;
  private garbage = 0;
  private dropped = 0;

  constructor(opts: JpegSplitterOptions = {}) {
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(this.maxFrameBytes >= 4)) throw new RangeError('maxFrameBytes must be at least 4');
    this.onGarbage = opts.onGarbage;
  }

  get stats(): JpegSplitterStats {
    return {
      frames: this.frameCount,
      garbageBytes: this.garbage,
      droppedFrames: this.dropped,
      pendingBytes: this.len - (this.start >= 0 ? this.start : this.pos),
    };
  }

  /** Append bytes. Nothing is parsed until {@link shift} (or use {@link write}). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.compact();
    const need = this.len + chunk.length;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2, 64 * 1024));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    this.buf.set(chunk, this.len);
    this.len = need;
  }

  /** Parse until one complete image is available and return it (a copy), or undefined. */
  shift(): Buffer | undefined {
    for (;;) {
      const out = this.step();
      if (out === 'need-more') return undefined;
      if (out !== 'continue') return out;
    }
  }

  /** push + shift until empty: every image completed by this chunk. */
  write(chunk: Uint8Array): Buffer[] {
    this.push(chunk);
    const frames: Buffer[] = [];
    for (let f = this.shift(); f !== undefined; f = this.shift()) frames.push(f);
    return frames;
  }

  /**
   * The stream is over: whatever is still held is reported as garbage ('truncated' for an image
   * in progress) and the splitter is reset. Returns the number of bytes thrown away.
   */
  end(): number {
    let thrown = 0;
    if (this.start >= 0) {
      thrown = this.discarded + (this.len - this.start);
      this.report('truncated', thrown);
      if (this.discarded > 0) this.dropped++;
    } else {
      thrown = this.len - this.pos; // bytes before pos were reported already
      this.report('no-image', thrown);
    }
    this.buf = Buffer.alloc(0);
    this.len = this.pos = 0;
    this.start = -1;
    this.discarded = 0;
    this.state = 'soi';
    this.skipLeft = 0;
    return thrown;
  }

  // ---------------------------------------------------------------------------------------------

  private report(reason: GarbageReason, bytes: number): void {
    if (bytes <= 0) return;
    this.garbage += bytes;
    this.onGarbage?.({ reason, bytes });
  }

  /** Drop bytes that are no longer needed (before the current image / parse position). */
  private compact(): void {
    const keepFrom = this.start >= 0 ? this.start : this.pos;
    if (keepFrom === 0) return;
    this.buf.copyWithin(0, keepFrom, this.len);
    this.len -= keepFrom;
    this.pos -= keepFrom;
    if (this.start >= 0) this.start -= keepFrom;
  }

  /** The current image broke at `at`: report it and resync from `resumeAt` looking for SOI. */
  private corrupt(resumeAt: number): void {
    if (this.start >= 0) {
      this.report('corrupt', this.discarded + (resumeAt - this.start));
      if (this.discarded > 0) this.dropped++;
    }
    this.start = -1;
    this.discarded = 0;
    this.pos = resumeAt;
    this.state = 'soi';
  }

  /** Enforce the size cap on the image in progress; switches to discard mode when exceeded. */
  private checkSize(): void {
    if (this.start < 0) return;
    const size = this.discarded + (this.pos - this.start);
    if (size > this.maxFrameBytes || this.discarded > 0) {
      // Discard mode: drop parsed bytes of this image right away, keep parsing its structure.
      this.discarded += this.pos - this.start;
      this.start = this.pos;
    }
  }

  private step(): Buffer | 'need-more' | 'continue' {
    const b = this.buf;
    switch (this.state) {
      case 'soi': {
        let i = this.pos;
        for (;;) {
          i = b.indexOf(0xff, i);
          if (i < 0 || i >= this.len) {
            // Keep nothing: no FF in the rest.
            this.report('no-image', this.len - this.pos);
            this.pos = this.len;
            return 'need-more';
          }
          if (i + 1 >= this.len) {
            this.report('no-image', i - this.pos);
            this.pos = i; // keep the lone FF: its D8 may come in the next chunk
            return 'need-more';
          }
          if (b[i + 1] === 0xd8) break;
          i++;
        }
        this.report('no-image', i - this.pos);
        this.start = i;
        this.discarded = 0;
        this.pos = i + 2;
        this.state = 'marker';
        return 'continue';
      }

      case 'marker': {
        if (this.pos >= this.len) return 'need-more';
        if (b[this.pos] !== 0xff) {
          this.corrupt(this.pos);
          return 'continue';
        }
        if (this.pos + 1 >= this.len) return 'need-more';
        const m = b[this.pos + 1] as number;
        if (m === 0xff) {
          this.pos += 1; // fill byte
          this.checkSize();
          return 'continue';
        }
        if (m === 0xd8) {
          // A new image starts before this one ended: this one is broken.
          this.corrupt(this.pos);
          return 'continue';
        }
        if (m === 0xd9) {
          this.pos += 2;
          return this.finishImage();
        }
        if (m === 0x00) {
          this.corrupt(this.pos + 1);
          return 'continue';
        }
        if (isRst(m) || m === 0x01) {
          this.pos += 2;
          this.checkSize();
          return 'continue';
        }
        if (this.pos + 3 >= this.len) return 'need-more';
        const segLen = ((b[this.pos + 2] as number) << 8) | (b[this.pos + 3] as number);
        if (segLen < 2) {
          this.corrupt(this.pos + 2);
          return 'continue';
        }
        this.pos += 4;
        this.skipLeft = segLen - 2;
        this.afterSkip = m === 0xda ? 'entropy' : 'marker';
        this.state = 'skip';
        this.checkSize();
        return 'continue';
      }

      case 'skip': {
        const n = Math.min(this.skipLeft, this.len - this.pos);
        this.pos += n;
        this.skipLeft -= n;
        this.checkSize();
        if (this.skipLeft > 0) return 'need-more';
        this.state = this.afterSkip;
        return 'continue';
      }

      case 'entropy': {
        let i = this.pos;
        for (;;) {
          i = b.indexOf(0xff, i);
          if (i < 0 || i >= this.len) {
            this.pos = this.len;
            this.checkSize();
            return 'need-more';
          }
          if (i + 1 >= this.len) {
            this.pos = i; // FF at the end: decide when the next byte arrives
            this.checkSize();
            return 'need-more';
          }
          const next = b[i + 1] as number;
          if (next === 0x00 || isRst(next)) {
            i += 2;
            continue;
          }
          if (next === 0xff) {
            i += 1; // fill byte; the next FF may start a marker
            continue;
          }
          // A real marker: EOI, or the segments of the next scan.
          this.pos = i;
          this.state = 'marker';
          this.checkSize();
          return 'continue';
        }
      }
    }
  }

  private finishImage(): Buffer | 'continue' {
    const start = this.start;
    const wasDiscarding = this.discarded > 0;
    const total = this.discarded + (this.pos - start);
    this.start = -1;
    this.discarded = 0;
    this.state = 'soi';
    if (wasDiscarding || total > this.maxFrameBytes) {
      this.dropped++;
      this.report('too-large', total);
      return 'continue';
    }
    this.frameCount++;
    return Buffer.from(this.buf.subarray(start, this.pos));
  }
}

/** True when `buf` starts with SOI and ends with EOI (cheap sanity check, not a full decode). */
export function looksLikeCompleteJpeg(buf: Uint8Array): boolean {
  const n = buf.length;
  return n >= 4 && buf[0] === 0xff && buf[1] === 0xd8 && buf[n - 2] === 0xff && buf[n - 1] === 0xd9;
}

/**
 * Width and height from a JPEG's SOFn segment (walking segments by length), or null when the
 * buffer is not a well-formed JPEG header.
 */
export function jpegDimensions(buf: Uint8Array): { width: number; height: number } | null {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  let i = 2;
  while (i + 3 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const m = buf[i + 1] as number;
    if (m === 0xff) {
      i++;
      continue;
    }
    if (m === 0xd9 || m === 0xda) return null; // no SOF before the scan
    if (isRst(m) || m === 0x01) {
      i += 2;
      continue;
    }
    const segLen = ((buf[i + 2] as number) << 8) | (buf[i + 3] as number);
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof) {
      if (i + 8 >= buf.length) return null;
      const height = ((buf[i + 5] as number) << 8) | (buf[i + 6] as number);
      const width = ((buf[i + 7] as number) << 8) | (buf[i + 8] as number);
      return { width, height };
    }
    if (segLen < 2) return null;
    i += 2 + segLen;
  }
  return null;
}
