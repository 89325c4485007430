/**
 * Kafka's primitive wire types (https://kafka.apache.org/protocol): a Reader and a Writer for
 * int8/16/32/64, strings, nullable strings, arrays, and size-prefixed frames. Decoders never
 * throw: `decodeWith` turns a short or malformed buffer into `{ ok: false, reason }`.
 */

// ---------------------------------------------------------------------------------------------
// Codecs: a bounds-checked reader and a writer. Decoders never throw; they return Decoded<T>.
// Response decoders ignore bytes after the last field of their version, as the Java client and
// kafkajs do (so a Kafka-compatible server that appends a field is not called "not Kafka");
// request decoders (used by test fakes) are strict.

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export class DecodeError extends Error {}

/**
 * Reads Kafka's encodings from one buffer, never past its end (DecodeError instead): the classic
 * types, and the flexible versions' unsigned varints, compact strings and arrays and tagged fields
 * (DescribeQuorum, core/kafka/describe-quorum-wire.ts).
 */
export class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) throw new DecodeError(`truncated ${what}`);
  }

  int8(what: string): number {
    this.need(1, what);
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }

  bool(what: string): boolean {
    return this.int8(what) !== 0;
  }

  int16(what: string): number {
    this.need(2, what);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(what: string): number {
    this.need(4, what);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  nullableString(what: string): string | null {
    const len = this.int16(`${what} length`);
    if (len === -1) return null;
    if (len < 0) throw new DecodeError(`negative ${what} length ${len}`);
    this.need(len, what);
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  string(what: string): string {
    const v = this.nullableString(what);
    if (v === null) throw new DecodeError(`null ${what}`);
    return v;
  }

  /** int32-length bytes; null for length -1. */
  nullableBytes(what: string): Buffer | null {
    const len = this.int32(`${what} length`);
    if (len === -1) return null;
    if (len < 0) throw new DecodeError(`negative ${what} length ${len}`);
    this.need(len, what);
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  /** An int32-counted array; the count is checked against the bytes left before any loop. */
  nullableArray<T>(what: string, minItemBytes: number, item: () => T): T[] | null {
    const count = this.int32(`${what} count`);
    if (count === -1) return null;
    if (count < 0) throw new DecodeError(`negative ${what} count ${count}`);
    if (count * minItemBytes > this.remaining) {
      throw new DecodeError(`${what} count ${count} does not fit in ${this.remaining} bytes`);
    }
    const items: T[] = [];
    for (let i = 0; i < count; i += 1) items.push(item());
    return items;
  }

  array<T>(what: string, minItemBytes: number, item: () => T): T[] {
    const v = this.nullableArray(what, minItemBytes, item);
    if (v === null) throw new DecodeError(`null ${what}`);
    return v;
  }

  int32Array(what: string): number[] {
    return this.array(what, 4, () => this.int32(what));
  }

  int64(what: string): number {
    this.need(8, what);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return Number(v);
  }

  uvarint(what: string): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      this.need(1, what);
      const b = this.buf.readUInt8(this.offset);
      this.offset += 1;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw new DecodeError(`${what}: a varint longer than 5 bytes`);
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.offset += n;
  }

  compactString(what: string): string {
    const n = this.uvarint(`${what} length`);
    if (n === 0) throw new DecodeError(`null ${what}`);
    this.need(n - 1, what);
    const s = this.buf.toString('utf8', this.offset, this.offset + n - 1);
    this.offset += n - 1;
    return s;
  }

  /** A compact array; the count is checked against the bytes left before any loop. */
  compactArray<T>(what: string, minItemBytes: number, item: () => T): T[] {
    const n = this.uvarint(`${what} count`);
    if (n === 0) throw new DecodeError(`null ${what}`);
    const count = n - 1;
    if (count * minItemBytes > this.remaining)
      throw new DecodeError(`${what} count ${count} does not fit in the reply`);
    const items: T[] = [];
    for (let i = 0; i < count; i += 1) items.push(item());
    return items;
  }

  /** Tagged fields: skipped. */
  taggedFields(what: string): void {
    const count = this.uvarint(`${what} tag count`);
    for (let i = 0; i < count; i += 1) {
      this.uvarint(`${what} tag`);
      this.skip(this.uvarint(`${what} tag size`), `${what} tagged field`);
    }
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return v;
  }

  end(what: string): void {
    if (this.remaining !== 0)
      throw new DecodeError(`${this.remaining} unexpected bytes after ${what}`);
  }
}

export function decodeWith<T>(bytes: Uint8Array, read: (r: Reader) => T): Decoded<T> {
  try {
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    return { ok: true, value: read(new Reader(buf)) };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: error.message };
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export class Writer {
  private readonly parts: Buffer[] = [];

  private fixed(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }

  int8(v: number): this {
    return this.fixed(1, (b) => b.writeInt8(v));
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    return this.fixed(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(v));
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 0x7fff) throw new RangeError(`string of ${bytes.length} bytes is too long`);
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  string(v: string): this {
    return this.nullableString(v);
  }
  nullableArray<T>(items: readonly T[] | null, item: (w: this, v: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }
  array<T>(items: readonly T[], item: (w: this, v: T) => void): this {
    return this.nullableArray(items, item);
  }
  int32Array(items: readonly number[]): this {
    return this.array(items, (w, v) => w.int32(v));
  }
  /** int32-length bytes (Kafka's BYTES). */
  sizedBytes(v: Uint8Array): this {
    return this.int32(v.length).bytes(v);
  }
  bytes(v: Uint8Array): this {
    this.parts.push(Buffer.from(v));
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function sizePrefixed(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Reads the int32 size of a whole frame and checks it matches the bytes given. */
export function readFramed(r: Reader, frameLength: number): void {
  const size = r.int32('frame size');
  if (size !== frameLength - 4) {
    throw new DecodeError(`frame size ${size} does not match the ${frameLength - 4} bytes given`);
  }
}

// --- Request and response headers -----------------------------------------------------------
