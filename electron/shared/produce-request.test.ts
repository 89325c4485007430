/** produce:start's arguments (ProduceRequest in contract.ts): the codec and its limits. */
import { describe, expect, it } from 'vitest';
import { ProduceRequest } from './contract.js';

const base = { videoId: 'v1', topic: 'demo', realtime: true, loop: false, format: 'kvs' } as const;

describe('ProduceRequest', () => {
  it('takes H.264 with a bitrate or a CRF and a keyframe interval; no codec is JPEG as before', () => {
    expect(ProduceRequest.safeParse({ ...base }).success).toBe(true);
    expect(
      ProduceRequest.safeParse({ ...base, codec: 'h264', bitrateKbps: 2000, keyframeIntervalS: 2 })
        .success,
    ).toBe(true);
    expect(ProduceRequest.safeParse({ ...base, codec: 'h264', crf: 23 }).success).toBe(true);
    expect(ProduceRequest.safeParse({ ...base, format: 'raw', codec: 'jpeg' }).success).toBe(true);
  });

  it.each([
    [{ codec: 'h264', format: 'raw' }, /raw format carries JPEG images only/],
    [{ codec: 'h264', bitrateKbps: 2000, crf: 23 }, /either a bitrate or a CRF/],
    [{ codec: 'jpeg', bitrateKbps: 2000 }, /H\.264 only/],
    [{ keyframeIntervalS: 1 }, /H\.264 only/],
    [{ codec: 'vp9' }, /./],
    [{ codec: 'h264', bitrateKbps: 10 }, /./],
    [{ codec: 'h264', bitrateKbps: 2000.5 }, /./],
    [{ codec: 'h264', crf: 52 }, /./],
    [{ codec: 'h264', keyframeIntervalS: 0 }, /./],
    [{ codec: 'h264', keyframeIntervalS: 61 }, /./],
  ])('refuses %j', (extra, message) => {
    const r = ProduceRequest.safeParse({ ...base, ...extra });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });
});
