/** A frame packet header for tests of the page's transports (override what the test is about). */
import type { FramePacketHeader } from '../../electron/shared/frame-packet.js';

export function testFrameHeader(
  viewerId: string,
  extra: Partial<FramePacketHeader> = {},
): FramePacketHeader {
  return {
    viewerId,
    seq: 1,
    ptsMs: 0,
    capturedAt: null,
    receivedAt: 1,
    timestamp: 1,
    width: 2,
    height: 2,
    type: 'image/jpeg',
    streamId: null,
    codec: null,
    keyframe: true,
    dropped: 0,
    ...extra,
  };
}
