/**
 * One encoded camera frame on its way from the page to the app services (the reverse of
 * frame-packet.ts), as one binary message — the page's frame MessagePort in Electron, a binary
 * WebSocket message in the browser:
 *
 *   bytes 0–3   "KVSC"
 *   bytes 4–7   header length H (uint32, big-endian)
 *   bytes 8…    header: UTF-8 JSON, H bytes (CameraPacketHeader)
 *   then        the frame: one JPEG image, or one H.264 access unit in Annex B form
 *
 * Never base64, never JSON around the bytes. The app services parse every packet (the page is
 * not trusted): a packet that does not parse is counted and dropped. Works in Node and the page.
 */
import { z } from 'zod';

/** The codec of a camera frame: 'jpeg', or H.264's RFC 6381 string `avc1.PPCCLL`. */
export const CameraCodec = z.union([z.literal('jpeg'), z.string().regex(/^avc1\.[0-9A-Fa-f]{6}$/)]);

export const CameraPacketHeader = z.object({
  /** The camera job this frame belongs to (camera:start's jobId). */
  jobId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** 0, 1, 2, … per job, as the page encoded them. */
  seq: z.number().int().nonnegative(),
  /** Presentation time in ms from the start of the capture. */
  ptsMs: z.number().nonnegative(),
  /** ms since the epoch when the page captured the frame (for latency). */
  capturedAt: z.number().nonnegative(),
  width: z.number().int().min(1).max(8192),
  height: z.number().int().min(1).max(8192),
  /** Decodable on its own: every JPEG; an H.264 IDR access unit. */
  keyframe: z.boolean(),
  codec: CameraCodec,
});
export type CameraPacketHeader = z.infer<typeof CameraPacketHeader>;

const MAGIC = [0x4b, 0x56, 0x53, 0x43]; // "KVSC"
const MAX_HEADER = 1024;
/** The largest frame a packet may carry (a topic made by the app takes 4 MiB per message). */
export const CAMERA_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export function isCameraPacket(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

export function encodeCameraPacket(header: CameraPacketHeader, frame: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + frame.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(4, json.length, false);
  out.set(json, 8);
  out.set(frame, 8 + json.length);
  return out;
}

export type DecodedCameraPacket =
  | { readonly ok: true; readonly header: CameraPacketHeader; readonly frame: Uint8Array }
  | { readonly ok: false; readonly error: string };

/** Parse a packet; never throws. The frame is a view into `data` (no copy). */
export function decodeCameraPacket(data: ArrayBuffer | Uint8Array): DecodedCameraPacket {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (!isCameraPacket(bytes)) return { ok: false, error: 'not a camera packet' };
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  if (len > MAX_HEADER || 8 + len > bytes.length) return { ok: false, error: 'bad header length' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch {
    return { ok: false, error: 'header is not JSON' };
  }
  const header = CameraPacketHeader.strict().safeParse(parsed);
  if (!header.success) return { ok: false, error: 'header does not match the schema' };
  const frame = bytes.subarray(8 + len);
  if (frame.length === 0) return { ok: false, error: 'no frame bytes' };
  if (frame.length > CAMERA_MAX_FRAME_BYTES) return { ok: false, error: 'frame too large' };
  return { ok: true, header: header.data, frame };
}
