import { describe, expect, it } from 'vitest';
import {
  CAMERA_MAX_FRAME_BYTES,
  decodeCameraPacket,
  encodeCameraPacket,
  isCameraPacket,
  type CameraPacketHeader,
} from './camera-packet.js';
import { encodeFramePacket } from './frame-packet.js';

const header: CameraPacketHeader = {
  jobId: 'job_1',
  seq: 7,
  ptsMs: 233.3,
  capturedAt: 1_700_000_000_000,
  width: 640,
  height: 360,
  keyframe: true,
  codec: 'avc1.42E01F',
};
const frame = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67]);

function withHeader(json: string, body = frame): Uint8Array {
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + body.length);
  out.set([0x4b, 0x56, 0x53, 0x43]);
  new DataView(out.buffer).setUint32(4, h.length, false);
  out.set(h, 8);
  out.set(body, 8 + h.length);
  return out;
}

describe('camera packets', () => {
  it('round-trips the header and the frame bytes unchanged, the frame as a view', () => {
    const packet = encodeCameraPacket(header, frame);
    expect(isCameraPacket(packet)).toBe(true);
    const d = decodeCameraPacket(packet);
    if (!d.ok) throw new Error(d.error);
    expect(d.header).toEqual(header);
    expect([...d.frame]).toEqual([...frame]);
    expect(d.frame.buffer).toBe(packet.buffer);
    // from an ArrayBuffer too (a WebSocket message)
    const again = decodeCameraPacket(packet.slice().buffer);
    expect(again.ok && again.header.seq).toBe(7);
  });

  it('takes a JPEG frame with codec "jpeg"', () => {
    const d = decodeCameraPacket(encodeCameraPacket({ ...header, codec: 'jpeg' }, frame));
    expect(d.ok && d.header.codec).toBe('jpeg');
  });

  it('refuses what is not a camera packet: empty, short, a viewer frame packet, random bytes', () => {
    expect(decodeCameraPacket(new Uint8Array())).toEqual({
      ok: false,
      error: 'not a camera packet',
    });
    expect(decodeCameraPacket(new Uint8Array([0x4b, 0x56, 0x53]))).toMatchObject({ ok: false });
    const viewer = encodeFramePacket(
      {
        viewerId: 'v',
        seq: 0,
        ptsMs: 0,
        capturedAt: 0,
        receivedAt: 0,
        timestamp: 0,
        width: 1,
        height: 1,
        type: 'image/jpeg',
        streamId: null,
        codec: null,
        keyframe: true,
        dropped: 0,
      },
      frame,
    );
    expect(decodeCameraPacket(viewer)).toEqual({ ok: false, error: 'not a camera packet' });
    expect(decodeCameraPacket(new Uint8Array(64).fill(0xab)).ok).toBe(false);
  });

  it('refuses bad headers: a length past the end, not JSON, wrong types, extra keys, a bad codec or job id', () => {
    const bad = encodeCameraPacket(header, frame);
    new DataView(bad.buffer).setUint32(4, 10_000, false);
    expect(decodeCameraPacket(bad)).toEqual({ ok: false, error: 'bad header length' });
    expect(decodeCameraPacket(withHeader('{nope'))).toEqual({
      ok: false,
      error: 'header is not JSON',
    });
    for (const h of [
      { ...header, seq: -1 },
      { ...header, seq: 1.5 },
      { ...header, width: 0 },
      { ...header, keyframe: 'yes' },
      { ...header, codec: 'vp8' },
      { ...header, codec: 'avc1.42E01F; rm -rf' },
      { ...header, jobId: '../../etc' },
      { ...header, extra: 1 },
      { ...header, capturedAt: undefined },
    ])
      expect(decodeCameraPacket(withHeader(JSON.stringify(h))), JSON.stringify(h)).toEqual({
        ok: false,
        error: 'header does not match the schema',
      });
  });

  it('refuses a packet without frame bytes, and one over the size limit', () => {
    expect(decodeCameraPacket(encodeCameraPacket(header, new Uint8Array()))).toEqual({
      ok: false,
      error: 'no frame bytes',
    });
    const big = encodeCameraPacket(header, new Uint8Array(CAMERA_MAX_FRAME_BYTES + 1));
    expect(decodeCameraPacket(big)).toEqual({ ok: false, error: 'frame too large' });
  });
});
