/**
 * Annex B parsing on hand-made NAL units (the rules) and on real x264 output (the encoder the app
 * uses, through Debian's ffmpeg): access units cut at their delimiters whatever the chunking,
 * keyframes told apart, the codec string read from the SPS.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccessUnitSplitter,
  codecFromSps,
  codecString,
  hasPicture,
  isKeyframe,
  nalUnits,
  startsWithStartCode,
} from './annexb.js';

const SC4 = [0, 0, 0, 1];
const SC3 = [0, 0, 1];
const AUD = [...SC4, 0x09, 0xf0];
const SPS = [...SC4, 0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01];
const PPS = [...SC4, 0x68, 0xce, 0x3c, 0x80];
const IDR = [...SC3, 0x65, 0x88, 0x84, 0x21, 0x00, 0x03, 0x01];
const P = [...SC3, 0x41, 0x9a, 0x21, 0x6c];

const key = Uint8Array.from([...AUD, ...SPS, ...PPS, ...IDR]);
const delta = Uint8Array.from([...AUD, ...P]);

function split(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const s = new AccessUnitSplitter();
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [
    ...cuts.filter((x) => x > 0 && x < stream.length).sort((a, b) => a - b),
    stream.length,
  ]) {
    out.push(...s.push(stream.subarray(at, c)));
    at = c;
  }
  out.push(...s.end());
  return out;
}

describe('NAL units', () => {
  it('finds each unit after 3- and 4-byte start codes, with its type', () => {
    expect(nalUnits(key).map((n) => n.type)).toEqual([9, 7, 8, 5]);
    expect(nalUnits(delta).map((n) => n.type)).toEqual([9, 1]);
    const sps = nalUnits(key)[1]!;
    expect(Array.from(key.subarray(sps.start, sps.end))).toEqual(SPS.slice(4));
  });

  it('tells a keyframe (an IDR slice) from a delta frame, and a picture from none', () => {
    expect(isKeyframe(key)).toBe(true);
    expect(isKeyframe(delta)).toBe(false);
    expect(hasPicture(delta)).toBe(true);
    expect(hasPicture(Uint8Array.from(AUD))).toBe(false);
    expect(startsWithStartCode(key)).toBe(true);
    expect(startsWithStartCode(Uint8Array.from([0xff, 0xd8, 0xff]))).toBe(false);
  });

  it('reads avc1.PPCCLL from the SPS (RFC 6381)', () => {
    expect(codecString(key)).toBe('avc1.42C01F');
    expect(codecString(delta)).toBeNull();
    expect(codecFromSps(Uint8Array.from([0x67, 0x64, 0x00, 0x28]))).toBe('avc1.640028');
    expect(codecFromSps(Uint8Array.from([0x68, 0x64, 0x00, 0x28]))).toBeNull();
    expect(codecFromSps(Uint8Array.from([0x67, 0x64]))).toBeNull();
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        nalUnits(bytes);
        isKeyframe(bytes);
        codecString(bytes);
      }),
    );
  });
});

describe('AccessUnitSplitter', () => {
  const stream = Uint8Array.from([...key, ...delta, ...delta, ...key, ...delta]);

  it('cuts at each access unit delimiter', () => {
    const units = split(stream, []);
    expect(units.map((u) => Array.from(u))).toEqual(
      [key, delta, delta, key, delta].map((u) => Array.from(u)),
    );
  });

  it('gives the same access units however the stream is chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 20 }),
        (cuts) => {
          const units = split(stream, cuts);
          expect(units.map((u) => Array.from(u))).toEqual(
            [key, delta, delta, key, delta].map((u) => Array.from(u)),
          );
        },
      ),
    );
  });

  it('drops (and counts) bytes before the first delimiter, and a trailing unit with no picture', () => {
    const s = new AccessUnitSplitter();
    const out = [...s.push(Uint8Array.from([1, 2, 3, ...key, ...AUD])), ...s.end()];
    expect(out.map((u) => Array.from(u))).toEqual([Array.from(key)]);
    expect(s.droppedBytes).toBe(3);
  });

  it('refuses to hold an access unit without end (no delimiters in the stream)', () => {
    const s = new AccessUnitSplitter(1000);
    s.push(Uint8Array.from(AUD));
    expect(() => s.push(new Uint8Array(2000).fill(7))).toThrow(/access unit delimiters/);
  });
});

describe('real x264 output (ffmpeg libx264, the settings the producer uses)', () => {
  it('splits 2 s at 30 fps with a 1 s GOP into 60 access units, a keyframe with SPS every 30', async () => {
    const { stdout } = await promisify(execFile)(
      process.env.FFMPEG_PATH ?? 'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
        ...['-i', 'testsrc2=size=320x240:rate=30', '-t', '2', '-an', '-c:v', 'libx264'],
        ...['-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', '30'],
        ...['-sc_threshold', '0', '-x264-params', 'repeat-headers=1:aud=1', '-f', 'h264', '-'],
      ],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    const units = split(new Uint8Array(stdout), [1000, 4096, 65536, 100_000]);
    expect(units).toHaveLength(60);
    const keys = units.flatMap((u, i) => (isKeyframe(u) ? [i] : []));
    expect(keys).toEqual([0, 30]);
    for (const i of keys) expect(codecString(units[i]!)).toMatch(/^avc1\.[0-9A-F]{6}$/);
    expect(units.every((u) => hasPicture(u))).toBe(true);
  });
});
