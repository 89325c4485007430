import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HEADER, decodeMessage, detectImageType, encodeEndOfStream, encodeFrameMessage, messageOverheadBytes } from './wire-format.js';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1, 2, 3, 0xff, 0xd9]);
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const meta = { streamId: 'cam-1', seq: 41, ptsMs: 1366.6, fps: 30, width: 640, height: 360, capturedAt: 1764064800123 };

describe('wire format', () => {
  it('puts the raw JPEG in the value, the stream id in the key, and the documented headers', () => {
    const m = encodeFrameMessage(jpeg, meta);
    expect(m.value).toBe(jpeg);
    expect(m.key).toBe('cam-1');
    expect(m.headers).toEqual({
      'content-type': 'image/jpeg',
      'kvs-stream-id': 'cam-1',
      'kvs-seq': '41',
      'kvs-pts-ms': '1367',
      'kvs-fps': '30',
      'kvs-width': '640',
      'kvs-height': '360',
      'kvs-captured-at': '1764064800123',
    });
  });

  it('decodes its own frames (headers arrive as Buffers from kafkajs)', () => {
    const m = encodeFrameMessage(jpeg, meta);
    const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)]));
    const d = decodeMessage(m.value, headers);
    expect(d).toEqual({
      kind: 'frame',
      type: 'image/jpeg',
      image: jpeg,
      keyframe: true,
      meta: { streamId: 'cam-1', seq: 41, ptsMs: 1367, fps: 30, width: 640, height: 360, capturedAt: 1764064800123 },
    });
  });

  describe('H.264 access units', () => {
    const AUD = [0, 0, 0, 1, 0x09, 0xf0];
    const key = Buffer.from([...AUD, 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0xda, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 1, 0x65, 0x88, 0x84]);
    const delta = Buffer.from([...AUD, 0, 0, 1, 0x41, 0x9a, 0x21]);
    const h264Meta = { ...meta, codec: 'avc1.42C01F' };

    it('carries the codec and the keyframe flag in headers, the access unit as the value', () => {
      const k = encodeFrameMessage(key, { ...h264Meta, keyframe: true }, 'video/h264');
      expect(k.value).toBe(key);
      expect(k.headers).toMatchObject({ [HEADER.contentType]: 'video/h264', [HEADER.codec]: 'avc1.42C01F', [HEADER.keyframe]: '1' });
      const d = encodeFrameMessage(delta, { ...h264Meta, keyframe: false }, 'video/h264');
      expect(d.headers[HEADER.keyframe]).toBe('0');
      // images carry neither
      expect(encodeFrameMessage(jpeg, meta).headers).not.toHaveProperty(HEADER.keyframe);
    });

    it('decodes them: keyframe and codec read from the bytes, the header used only for a delta frame\'s codec', () => {
      const k = encodeFrameMessage(key, { ...h264Meta, codec: 'avc1.000000', keyframe: false }, 'video/h264');
      expect(decodeMessage(k.value, k.headers)).toMatchObject({ kind: 'frame', type: 'video/h264', keyframe: true, meta: { codec: 'avc1.42C01F', seq: 41 } });
      const d = encodeFrameMessage(delta, { ...h264Meta, keyframe: true }, 'video/h264');
      expect(decodeMessage(d.value, d.headers)).toMatchObject({ kind: 'frame', type: 'video/h264', keyframe: false, meta: { codec: 'avc1.42C01F' } });
    });

    it('plays headerless access units (Annex B with a picture); refuses start codes with no picture', () => {
      expect(decodeMessage(key)).toMatchObject({ kind: 'frame', type: 'video/h264', keyframe: true, meta: { codec: 'avc1.42C01F', streamId: null } });
      expect(decodeMessage(Buffer.from(AUD))).toEqual({ kind: 'skip', reason: 'not-image' });
      // a codec header that is not a codec string is not trusted
      expect(decodeMessage(delta, { [HEADER.codec]: 'avc1.42C01F"><script>' })).toMatchObject({ kind: 'frame', meta: {} });
      expect((decodeMessage(delta, { [HEADER.codec]: 'x' }) as { meta: { codec?: string } }).meta.codec).toBeUndefined();
    });
  });

  it('marks the end of a stream with an empty value and kvs-eos', () => {
    const m = encodeEndOfStream('cam-1', 150, 150);
    expect(m.value.length).toBe(0);
    expect(decodeMessage(m.value, m.headers)).toEqual({ kind: 'eos', streamId: 'cam-1', seq: 150, totalFrames: 150 });
  });

  it('plays plain images with no key and no headers, by magic bytes', () => {
    expect(decodeMessage(jpeg)).toMatchObject({ kind: 'frame', type: 'image/jpeg', meta: { streamId: null, seq: null } });
    expect(decodeMessage(png, {})).toMatchObject({ kind: 'frame', type: 'image/png' });
    expect(detectImageType(jpeg)).toBe('image/jpeg');
    expect(detectImageType(Buffer.from([0xff, 0xd8]))).toBeNull();
  });

  it.each([
    [null, 'empty'],
    [Buffer.alloc(0), 'empty'],
    [Buffer.from('{"frame":"AAAA"}'), 'json'],
    [Buffer.from('  [1,2,3]'), 'json'],
    [Buffer.from('hello world'), 'text'],
    [Buffer.from([0, 1, 2, 3, 250, 251]), 'not-image'],
    [jpeg.subarray(0, 8), 'truncated-jpeg'],
  ])('skips %j as %s', (value, reason) => {
    expect(decodeMessage(value)).toEqual({ kind: 'skip', reason });
  });

  it('ignores malformed headers instead of trusting them', () => {
    const d = decodeMessage(jpeg, { [HEADER.seq]: 'abc', [HEADER.fps]: '-5', [HEADER.width]: '1e9', [HEADER.streamId]: 'x'.repeat(1000) });
    expect(d).toMatchObject({ kind: 'frame', meta: { seq: null, streamId: null } });
    if (d.kind === 'frame') {
      expect(d.meta.fps).toBeUndefined();
      expect(d.meta.width).toBeUndefined();
    }
  });

  it('an empty stream id header is no stream id (the stream list and the filter never see "")', () => {
    expect(decodeMessage(jpeg, { [HEADER.streamId]: '' })).toMatchObject({ kind: 'frame', meta: { streamId: null } });
    expect(decodeMessage(Buffer.alloc(0), { [HEADER.streamId]: '', [HEADER.eos]: '1' })).toMatchObject({ kind: 'eos', streamId: null });
  });

  it('never throws on any value and headers (property)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))),
        fc.dictionary(fc.constantFrom(...Object.values(HEADER), 'x'), fc.oneof(fc.string(), fc.uint8Array().map((a) => Buffer.from(a)))),
        (value, headers) => {
          const d = decodeMessage(value, headers);
          expect(['frame', 'eos', 'skip']).toContain(d.kind);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('estimates per-message overhead from key and headers', () => {
    const m = encodeFrameMessage(jpeg, meta);
    const n = messageOverheadBytes(m);
    expect(n).toBeGreaterThan(150);
    expect(n).toBeLessThan(400);
    expect(messageOverheadBytes({ key: null, headers: {} })).toBe(24);
  });
});
