/**
 * One frame on its way to the screen, as one binary message (a WebSocket
 * binary message in the browser, a MessagePort message in Electron):
 *
 *   bytes 0–3   "KVSF"
 *   bytes 4–7   header length H (uint32, big-endian)
 *   bytes 8…    header: UTF-8 JSON, H bytes (FramePacketHeader)
 *   then        the image bytes (JPEG or PNG) or the H.264 access unit, unchanged from the Kafka
 *               message
 *
 * Never base64, never JSON around the image. Works in Node and in the page.
 */
import { z } from 'zod';

export const FramePacketHeader = z.object({
  viewerId: z.string().max(64),
  /** Sequence number from the producer's headers; null for plain image messages. */
  seq: z.number().nullable(),
  ptsMs: z.number().nullable(),
  /** ms since epoch: frame left ffmpeg (producer clock), when the producer said. */
  capturedAt: z.number().nullable(),
  /** ms since epoch: the app services received it from Kafka. */
  receivedAt: z.number(),
  /** Kafka message timestamp. */
  timestamp: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  /** An image (drawn as it is) or an H.264 access unit (Annex B; decoded with WebCodecs). */
  type: z.enum(['image/jpeg', 'image/png', 'video/h264']),
  /** The stream the frame belongs to (the producer's key); null for plain image messages. */
  streamId: z.string().max(256).nullable(),
  /** H.264: the codec string (`avc1.PPCCLL`) when known; null for images. */
  codec: z.string().max(64).nullable(),
  /** Decodable on its own: every image; an H.264 access unit with an IDR slice. */
  keyframe: z.boolean(),
  /**
   * Handed over so that an H.264 stream can start at its last keyframe before where the viewer
   * starts (live, or a time): decode it, do not show it. Absent means false.
   */
  catchUp: z.boolean().optional(),
  /** Frames the app services dropped for this viewer so far because the screen fell behind. */
  dropped: z.number(),
  /** Where the message is in the topic (for stepping one frame from it). */
  partition: z.number().int().optional(),
  offset: z.string().max(20).optional(),
  /** The viewer's seek number when it was read (watch:control); absent means 0. */
  epoch: z.number().int().optional(),
  /**
   * A JPEG the app services decoded from an H.264 access unit of this codec, because the page
   * could not (`watch:fallback`); the other fields are the access unit's. Absent: not transcoded.
   */
  transcodedFrom: z.string().max(64).optional(),
  /** The stream's name (its `kvs-stream-name` header); absent when it has none. */
  streamName: z.string().max(1000).optional(),
});
export type FramePacketHeader = z.infer<typeof FramePacketHeader>;

const MAGIC = [0x4b, 0x56, 0x53, 0x46]; // "KVSF"
const MAX_HEADER = 4096;

export function encodeFramePacket(header: FramePacketHeader, image: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + image.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(4, json.length, false);
  out.set(json, 8);
  out.set(image, 8 + json.length);
  return out;
}

/** A frame packet decoded (once, on arrival): its header and a view of its image bytes. */
export interface DecodedFrame {
  readonly header: FramePacketHeader;
  readonly image: Uint8Array<ArrayBuffer>;
}

export type DecodedPacket = ({ ok: true } & DecodedFrame) | { ok: false; error: string };

/** Parse a packet; never throws. The image is a view into `data` (no copy). */
export function decodeFramePacket(data: ArrayBuffer | Uint8Array): DecodedPacket {
  // packets never live in shared memory (a WebSocket message, a MessagePort message, a Buffer)
  const bytes = (
    data instanceof Uint8Array ? data : new Uint8Array(data)
  ) as Uint8Array<ArrayBuffer>;
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b))
    return { ok: false, error: 'not a frame packet' };
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  if (len > MAX_HEADER || 8 + len > bytes.length) return { ok: false, error: 'bad header length' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch {
    return { ok: false, error: 'header is not JSON' };
  }
  const header = FramePacketHeader.safeParse(parsed);
  if (!header.success) return { ok: false, error: 'header does not match the schema' };
  return { ok: true, header: header.data, image: bytes.subarray(8 + len) };
}
