/**
 * IVF, the smallest container ffmpeg reads from a pipe that carries a timestamp per frame: a
 * 32-byte file header (`DKIF`, a fourcc, the time base) then, per frame, a 12-byte header (size,
 * 64-bit pts) and the frame's bytes. The export writes it to ffmpeg's stdin so the MP4's
 * timestamps are the stream's own (a raw `-f h264` / `-f mjpeg` pipe only knows a constant rate).
 * ffmpeg's `ivfdec.c` maps the fourcc through its BMP tag table, so `H264` (Annex B, parsed),
 * `MJPG` and `MPNG` all work; the time base here is 1/1000: pts in milliseconds.
 */
import type { MediaType } from '../kafka/wire-format.js';

const FOURCC: Record<MediaType, string> = {
  'video/h264': 'H264',
  'image/jpeg': 'MJPG',
  'image/png': 'MPNG',
};

/** The file header: fourcc of the frames, size (0 when unknown), time base 1/1000. */
export function ivfFileHeader(type: MediaType, width = 0, height = 0): Buffer {
  const b = Buffer.alloc(32);
  b.write('DKIF', 0, 'latin1');
  b.writeUInt16LE(0, 4); // version
  b.writeUInt16LE(32, 6); // header size
  b.write(FOURCC[type], 8, 'latin1');
  b.writeUInt16LE(Math.min(0xffff, Math.max(0, width)), 12);
  b.writeUInt16LE(Math.min(0xffff, Math.max(0, height)), 14);
  b.writeUInt32LE(1000, 16); // time base denominator: ms
  b.writeUInt32LE(1, 20); // time base numerator
  b.writeUInt32LE(0, 24); // frame count: unknown while streaming (ffmpeg does not need it)
  return b;
}

/** One frame's header: its size and its pts (ms, ≥ 0, whole). */
export function ivfFrameHeader(size: number, ptsMs: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(size, 0);
  b.writeBigUInt64LE(BigInt(Math.max(0, Math.round(ptsMs))), 4);
  return b;
}
