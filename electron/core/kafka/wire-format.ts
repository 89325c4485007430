/**
 * The wire format of a Kafka Video Studio stream (documented in README.md).
 *
 * One Kafka message per frame:
 * - value: the raw image bytes (JPEG), so any tutorial consumer that treats a
 *   message value as one JPEG can read our streams; or, for an H.264 stream, one access unit in
 *   Annex B form (start codes, an access unit delimiter first; every keyframe repeats SPS and PPS,
 *   so a decoder can start at any keyframe);
 * - key: the stream id (keeps one stream's frames in one partition, in order);
 * - headers (all ASCII strings): see HEADER below.
 * The end of a stream is one message with an empty value and `kvs-eos: 1`.
 *
 * Messages from other producers (no key, no headers — e.g. the tutorial's
 * Python producer) are recognized by the image's magic bytes instead.
 */
import { accessUnitFacts, startsWithStartCode } from '../h264/annexb.js';
import { MAX_STREAM_NAME_CHARS } from '../../shared/stream-name.js';

export const HEADER = {
  contentType: 'content-type',
  streamId: 'kvs-stream-id',
  seq: 'kvs-seq',
  ptsMs: 'kvs-pts-ms',
  fps: 'kvs-fps',
  width: 'kvs-width',
  height: 'kvs-height',
  /** Wall-clock ms since the epoch when the frame left ffmpeg (latency figures). */
  capturedAt: 'kvs-captured-at',
  /** H.264 only: the codec string of the stream (`avc1.PPCCLL`, from its SPS). */
  codec: 'kvs-codec',
  /** H.264 only: '1' on a keyframe (an IDR access unit, SPS and PPS before it), else '0'. */
  keyframe: 'kvs-keyframe',
  /** The stream's name, UTF-8 percent-encoded (encodeStreamName); absent when it has none. */
  streamName: 'kvs-stream-name',
  eos: 'kvs-eos',
} as const;

export const WIRE_VERSION = '1';
export type ImageType = 'image/jpeg' | 'image/png';
/** What a frame message carries: an image, or an H.264 access unit. */
export type MediaType = ImageType | 'video/h264';

export interface FrameMeta {
  readonly streamId: string;
  readonly seq: number;
  readonly ptsMs: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly capturedAt: number;
  /** H.264: the stream's codec string and whether this access unit is a keyframe. */
  readonly codec?: string;
  readonly keyframe?: boolean;
  /** The stream's name (`kvs-stream-name`); absent: none. */
  readonly streamName?: string;
}

export interface OutgoingMessage {
  /** Stream id; null for raw (tutorial-format) messages. */
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp?: string;
}

export function encodeFrameMessage(image: Buffer, meta: FrameMeta, type: MediaType = 'image/jpeg'): OutgoingMessage {
  const h264: Record<string, string> =
    type === 'video/h264'
      ? { ...(meta.codec === undefined ? {} : { [HEADER.codec]: meta.codec }), [HEADER.keyframe]: meta.keyframe ? '1' : '0' }
      : {};
  return {
    key: meta.streamId,
    value: image,
    headers: {
      [HEADER.contentType]: type,
      [HEADER.streamId]: meta.streamId,
      [HEADER.seq]: String(meta.seq),
      [HEADER.ptsMs]: String(Math.round(meta.ptsMs)),
      [HEADER.fps]: String(meta.fps),
      [HEADER.width]: String(meta.width),
      [HEADER.height]: String(meta.height),
      [HEADER.capturedAt]: String(Math.round(meta.capturedAt)),
      ...h264,
      ...(meta.streamName === undefined ? {} : { [HEADER.streamName]: encodeStreamName(meta.streamName) }),
    },
  };
}

export function encodeEndOfStream(streamId: string, seq: number, totalFrames: number): OutgoingMessage {
  return {
    key: streamId,
    value: Buffer.alloc(0),
    headers: {
      [HEADER.streamId]: streamId,
      [HEADER.seq]: String(seq),
      [HEADER.eos]: '1',
      'kvs-total-frames': String(totalFrames),
    },
  };
}

/**
 * A stream name as a header value. Kafka header values are bytes, but our headers are ASCII
 * strings (what every client library, kcat and the console consumer print as they are), so the
 * name's UTF-8 bytes are percent-encoded as encodeURIComponent does (every byte outside
 * A–Z a–z 0–9 - _ . ! ~ * ' ( ) becomes %XX; any percent-decoder reads it): "Café 1" → "Caf%C3%A9%201".
 */
export function encodeStreamName(name: string): string {
  return encodeURIComponent(name);
}

/**
 * A `kvs-stream-name` value back to the name; null when it is not valid percent-encoded UTF-8 or
 * holds nothing but spaces. Control characters become spaces and the name is cut to
 * MAX_STREAM_NAME_CHARS, so whatever another producer wrote is one short line of text.
 */
export function decodeStreamName(value: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(value);
  } catch {
    return null; // a lone %, %ZZ, or bytes that are not UTF-8
  }
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim();
  if (clean.length === 0) return null;
  const chars = [...clean];
  return chars.length > MAX_STREAM_NAME_CHARS ? chars.slice(0, MAX_STREAM_NAME_CHARS).join('').trimEnd() : clean;
}

/** Bytes a message adds to a record batch beyond its value: key, headers and record framing. */
export function messageOverheadBytes(msg: Pick<OutgoingMessage, 'key' | 'headers'>): number {
  let n = 24 + (msg.key === null ? 0 : Buffer.byteLength(msg.key)); // varints: length, attributes, deltas, key/value lengths
  for (const [k, v] of Object.entries(msg.headers)) n += 10 + Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** Fixed size of a Kafka v2 record batch header. */
export const RECORD_BATCH_OVERHEAD = 61;

const JPEG_MAGIC = [0xff, 0xd8, 0xff] as const;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

function startsWith(buf: Uint8Array, magic: readonly number[]): boolean {
  if (buf.length < magic.length) return false;
  return magic.every((b, i) => buf[i] === b);
}

export function detectImageType(buf: Uint8Array | null | undefined): ImageType | null {
  if (!buf) return null;
  if (startsWith(buf, JPEG_MAGIC)) return 'image/jpeg';
  if (startsWith(buf, PNG_MAGIC)) return 'image/png';
  return null;
}

export interface IncomingMeta {
  streamId: string | null;
  seq: number | null;
  ptsMs?: number;
  fps?: number;
  width?: number;
  height?: number;
  capturedAt?: number;
  /** H.264: the codec string (from the SPS when the access unit has one, else the header). */
  codec?: string;
  /** The stream's name (`kvs-stream-name`, decoded); absent when it has none or it is unreadable. */
  streamName?: string;
}

export type SkipReason = 'empty' | 'json' | 'text' | 'not-image' | 'truncated-jpeg';

export type DecodedMessage =
  | {
      readonly kind: 'frame';
      readonly type: MediaType;
      /** The image, or the H.264 access unit. */
      readonly image: Buffer;
      /** Decodable on its own: every image; an H.264 access unit with an IDR slice (read from the bytes, not the header). */
      readonly keyframe: boolean;
      /** What our headers said; all absent for plain image messages (e.g. the tutorial's producer). */
      readonly meta: IncomingMeta;
    }
  | { readonly kind: 'eos'; readonly streamId: string | null; readonly seq: number | null; readonly totalFrames: number | null }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

function headerString(headers: RawHeaders, name: string, maxLength = 256): string | null {
  const v = headers?.[name];
  if (v === undefined) return null;
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  if (one === undefined) return null;
  const s = typeof one === 'string' ? one : one.toString('latin1');
  return s.length > maxLength ? null : s;
}

/** 100 characters of 4-byte UTF-8, percent-encoded, is 1200; longer is not ours. */
const MAX_ENCODED_NAME = 4 * 3 * MAX_STREAM_NAME_CHARS;

function headerInt(headers: RawHeaders, name: string): number | undefined {
  const s = headerString(headers, name);
  if (s === null || !/^-?\d{1,16}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function headerNumber(headers: RawHeaders, name: string): number | undefined {
  const s = headerString(headers, name);
  if (s === null || !/^\d{1,9}(\.\d{1,9})?$/.test(s)) return undefined;
  return Number(s);
}

/** A complete JPEG ends with EOI (FF D9); some encoders pad a few bytes after it. */
function hasJpegEnd(buf: Buffer): boolean {
  const from = Math.max(2, buf.length - 64);
  for (let i = buf.length - 2; i >= from; i--) if (buf[i] === 0xff && buf[i + 1] === 0xd9) return true;
  return false;
}

function classifyNonImage(value: Buffer): SkipReason {
  const sample = value.subarray(0, 256);
  // text: printable ASCII or any UTF-8 multi-byte sequence (bytes ≥ 0x80 are allowed, control bytes are not)
  const printable = sample.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127));
  if (!printable) return 'not-image';
  const first = sample.toString('utf8').trimStart();
  return first.startsWith('{') || first.startsWith('[') ? 'json' : 'text';
}

/**
 * Classify one consumed message. Never throws: anything that is not a complete
 * JPEG/PNG image, an H.264 access unit with a picture (Annex B, whatever its headers say) or
 * our end-of-stream marker is a skip with a reason.
 */
export function decodeMessage(value: Buffer | null, headers?: RawHeaders): DecodedMessage {
  const seq = headerInt(headers, HEADER.seq) ?? null;
  // an empty id (another producer's header) is no id: a stream id is never empty
  const streamId = headerString(headers, HEADER.streamId) || null;
  if (headerString(headers, HEADER.eos) === '1')
    return { kind: 'eos', streamId, seq, totalFrames: headerInt(headers, 'kvs-total-frames') ?? null };
  if (!value || value.length === 0) return { kind: 'skip', reason: 'empty' };
  const image = detectImageType(value);
  const au = image === null && startsWithStartCode(value) ? accessUnitFacts(value) : null;
  const h264 = au !== null && au.picture;
  if (image === null && !h264) return { kind: 'skip', reason: classifyNonImage(value) };
  if (image === 'image/jpeg' && !hasJpegEnd(value)) return { kind: 'skip', reason: 'truncated-jpeg' };
  const type: MediaType = image ?? 'video/h264';
  const keyframe = !h264 || au.keyframe;
  const meta: IncomingMeta = { streamId, seq };
  if (h264) {
    const codec = (au.keyframe ? au.codec : null) ?? headerString(headers, HEADER.codec);
    if (codec !== null && /^avc1\.[0-9A-Fa-f]{6}$/.test(codec)) meta.codec = codec;
  }
  const ptsMs = headerInt(headers, HEADER.ptsMs);
  const fps = headerNumber(headers, HEADER.fps);
  const width = headerInt(headers, HEADER.width);
  const height = headerInt(headers, HEADER.height);
  const capturedAt = headerInt(headers, HEADER.capturedAt);
  if (ptsMs !== undefined) meta.ptsMs = ptsMs;
  if (fps !== undefined && fps > 0) meta.fps = fps;
  if (width !== undefined && width > 0) meta.width = width;
  if (height !== undefined && height > 0) meta.height = height;
  if (capturedAt !== undefined) meta.capturedAt = capturedAt;
  const rawName = headerString(headers, HEADER.streamName, MAX_ENCODED_NAME);
  const streamName = rawName === null ? null : decodeStreamName(rawName);
  if (streamName !== null) meta.streamName = streamName;
  return { kind: 'frame', type, image: value, keyframe, meta };
}
