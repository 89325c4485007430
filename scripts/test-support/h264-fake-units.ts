/**
 * Test support: minimal H.264 access units for tests of the viewer's paths (an AUD, then an IDR
 * or a non-IDR slice) — the viewer reads NAL types, it does not decode — as Kafka messages in the
 * app's wire format (send them with h264-topic.ts's sendMessages, which also makes streams a
 * decoder can play).
 */
import { encodeFrameMessage, type OutgoingMessage } from '../../electron/core/kafka/wire-format.js';

const AUD = [0, 0, 0, 1, 0x09, 0xf0];
const SPS = [0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0xda];
const IDR = [0, 0, 1, 0x65, 0x88];
export const FAKE_KEYFRAME = Buffer.from([...AUD, ...SPS, ...IDR]);
export const FAKE_DELTA = Buffer.from([...AUD, 0, 0, 1, 0x41, 0x9a]);
export const FAKE_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

/** Frame `seq` of stream `stream` (pts seq × 33 ms), at message time `timestamp` when given. */
export function fakeH264Message(
  stream: string,
  seq: number,
  keyframe: boolean,
  timestamp?: number,
): OutgoingMessage {
  const meta = {
    streamId: stream,
    seq,
    ptsMs: seq * 33,
    fps: 30,
    width: 2,
    height: 2,
    capturedAt: 0,
  };
  const m = encodeFrameMessage(
    keyframe ? FAKE_KEYFRAME : FAKE_DELTA,
    { ...meta, codec: 'avc1.42C01F', keyframe },
    'video/h264',
  );
  return timestamp === undefined ? m : { ...m, timestamp: String(timestamp) };
}
