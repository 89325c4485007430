import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { streamNameProblem } from '../../shared/stream-name.js';
import {
  HEADER,
  decodeMessage,
  decodeStreamName,
  encodeFrameMessage,
  encodeStreamName,
} from './wire-format.js';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1, 2, 3, 0xff, 0xd9]);
const meta = {
  streamId: 'cam-1',
  seq: 0,
  ptsMs: 0,
  fps: 30,
  width: 640,
  height: 360,
  capturedAt: 1,
};
const asBuffers = (h: Record<string, string>): Record<string, Buffer> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v, 'latin1')]));

describe('the stream name header (kvs-stream-name)', () => {
  it('is percent-encoded UTF-8, plain ASCII on the wire', () => {
    expect(encodeStreamName('Front door')).toBe('Front%20door');
    expect(encodeStreamName('Café 1')).toBe('Caf%C3%A9%201');
    expect(encodeStreamName('カメラ')).toBe('%E3%82%AB%E3%83%A1%E3%83%A9');
    expect(encodeStreamName('a%b')).toBe('a%25b');
    const m = encodeFrameMessage(jpeg, { ...meta, streamName: 'Hall 🎥' });
    expect(m.headers[HEADER.streamName]).toBe('Hall%20%F0%9F%8E%A5');
    expect(m.headers[HEADER.streamName]).toMatch(/^[\x21-\x7e]+$/);
  });

  it('goes out only when there is a name', () => {
    expect(encodeFrameMessage(jpeg, meta).headers).not.toHaveProperty(HEADER.streamName);
  });

  it('comes back as the same name for every usable name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (name) => {
        fc.pre(streamNameProblem(name) === null && name === name.trim());
        const m = encodeFrameMessage(jpeg, { ...meta, streamName: name });
        expect(m.headers[HEADER.streamName]).toMatch(/^[\x21-\x7e]+$/);
        const d = decodeMessage(m.value, asBuffers(m.headers));
        expect(d.kind === 'frame' && d.meta.streamName).toBe(name);
      }),
    );
  });

  it('reads what another producer wrote without failing: bad escapes, controls, long names', () => {
    expect(decodeStreamName('%')).toBeNull();
    expect(decodeStreamName('%ZZ')).toBeNull();
    expect(decodeStreamName('%C3')).toBeNull(); // not UTF-8
    expect(decodeStreamName('%20%20')).toBeNull();
    expect(decodeStreamName('plain name')).toBe('plain name');
    expect(decodeStreamName('a%0Ab%09c')).toBe('a b c');
    expect([...(decodeStreamName('x'.repeat(300)) ?? '')]).toHaveLength(100);
    const d = decodeMessage(jpeg, { [HEADER.streamName]: Buffer.from('%E0%A4%A') });
    expect(d.kind).toBe('frame');
    expect(d.kind === 'frame' && d.meta.streamName).toBeUndefined();
  });
});

describe('streamNameProblem', () => {
  it('takes 1–100 characters of any script and refuses empty names and control characters', () => {
    expect(streamNameProblem('Front door')).toBeNull();
    expect(streamNameProblem('  Kamera 2 ')).toBeNull();
    expect(streamNameProblem('🎥'.repeat(100))).toBeNull();
    expect(streamNameProblem('🎥'.repeat(101))).toMatch(/101 characters/);
    expect(streamNameProblem('   ')).toMatch(/Enter a stream name/);
    expect(streamNameProblem('a\nb')).toMatch(/control characters/);
    expect(streamNameProblem(3)).toMatch(/text/);
  });
});
