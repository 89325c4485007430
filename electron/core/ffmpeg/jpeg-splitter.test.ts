import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JpegSplitter,
  jpegDimensions,
  looksLikeCompleteJpeg,
  type GarbageReport,
} from './jpeg-splitter.js';
import { locateFfmpeg } from './locate-ffmpeg.js';

const run = promisify(execFile);

// --- fixtures -------------------------------------------------------------------------------------

/** Real JPEGs written by ffmpeg's mjpeg encoder (the thing we split in production). */
const real: Buffer[] = [];
let dir = '';

beforeAll(async () => {
  const { ffmpegPath } = await locateFfmpeg();
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-jpeg-'));
  const variants: [size: string, q: string, pixFmt: string][] = [
    ['64x48', '5', 'yuvj420p'],
    ['320x240', '2', 'yuvj420p'],
    ['160x90', '20', 'gray'],
    ['33x17', '31', 'yuvj444p'],
    ['640x360', '3', 'yuvj422p'],
  ];
  for (const [i, [size, q, pixFmt]] of variants.entries()) {
    const file = path.join(dir, `f${i}.jpg`);
    await run(ffmpegPath, [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=1`,
      '-frames:v', '1', '-vf', `scale=${size.replace('x', ':')}`, '-pix_fmt', pixFmt,
      '-c:v', 'mjpeg', '-q:v', q, file,
    ]); // prettier-ignore
    real.push(await readFile(file));
  }
  // The same image with a COM segment that contains FF D9 and FF D8: a naive "search for FFD9"
  // splitter cuts here; walking segments by length does not.
  const base = real[0] as Buffer;
  const comPayload = Buffer.from([0x61, 0xff, 0xd9, 0xff, 0xd8, 0xff, 0xd9, 0x62]);
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, comPayload.length + 2]), comPayload]);
  real.push(Buffer.concat([base.subarray(0, 2), com, base.subarray(2)]));
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// --- helpers --------------------------------------------------------------------------------------

const seg = (marker: number, payload: Uint8Array): Buffer =>
  Buffer.concat([
    Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
    payload,
  ]);

/** Entropy-coded bytes: every FF is followed by a stuffed 00 or an RSTn marker. */
const entropyArb = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xfe }), fc.constantFrom(0xff)), { maxLength: 300 })
  .chain((bytes) =>
    fc
      .array(fc.integer({ min: 0, max: 8 }), { minLength: bytes.length, maxLength: bytes.length })
      .map((after) => {
        const out: number[] = [];
        bytes.forEach((b, i) => {
          out.push(b);
          if (b === 0xff) out.push((after[i] as number) === 8 ? 0x00 : 0xd0 + (after[i] as number));
        });
        return Buffer.from(out);
      }),
  );

/**
 * Structurally valid (not decodable) JPEGs: APPn/COM segments whose payload may contain FF D9,
 * SOF/DQT/DHT, one or more scans (progressive style: DHT + SOS between scans), fill bytes.
 */
const syntheticJpegArb = fc
  .record({
    app: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 3 }),
    scans: fc.array(entropyArb, { minLength: 1, maxLength: 3 }),
    fill: fc.integer({ min: 0, max: 3 }),
    rstBetweenScans: fc.boolean(),
  })
  .map(({ app, scans, fill, rstBetweenScans }) => {
    const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
    app.forEach((p, i) => parts.push(seg(i % 2 === 0 ? 0xe1 : 0xfe, p)));
    parts.push(seg(0xdb, Buffer.alloc(65, 1)));
    parts.push(seg(0xc2, Buffer.from([8, 0, 16, 0, 16, 1, 1, 0x11, 0])));
    scans.forEach((data, i) => {
      if (i > 0 && rstBetweenScans) parts.push(Buffer.from([0xff, 0xd0]));
      parts.push(seg(0xc4, Buffer.from([0, 1, 2, 3])));
      parts.push(seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])));
      parts.push(data);
    });
    parts.push(Buffer.alloc(fill, 0xff), Buffer.from([0xff, 0xd9]));
    return Buffer.concat(parts);
  });

/** Cut `whole` into chunks of the given sizes (cycled), at least 1 byte each. */
function chunk(whole: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let k = 0;
  while (at < whole.length) {
    const n = Math.max(1, sizes.length ? (sizes[k++ % sizes.length] as number) : whole.length);
    out.push(whole.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Fast exact comparison (deep-equal on big Buffers is slow). */
function expectSame(actual: Buffer[], expected: Buffer[]): void {
  expect(actual.map((b) => b.length)).toEqual(expected.map((b) => b.length));
  actual.forEach((b, i) => expect(b.equals(expected[i] as Buffer)).toBe(true));
}

function splitAll(chunks: Buffer[], splitter = new JpegSplitter()): Buffer[] {
  const frames: Buffer[] = [];
  for (const c of chunks) frames.push(...splitter.write(c));
  return frames;
}

// --- tests ----------------------------------------------------------------------------------------

describe('JpegSplitter', () => {
  it('returns a single real JPEG unchanged', () => {
    for (const jpg of real) {
      expect(looksLikeCompleteJpeg(jpg)).toBe(true);
      const s = new JpegSplitter();
      expectSame(s.write(jpg), [jpg]);
      expect(s.stats).toMatchObject({ frames: 1, garbageBytes: 0, pendingBytes: 0 });
    }
  });

  it('does not cut at FF D9 / FF D8 inside a COM segment', () => {
    const withCom = real[real.length - 1] as Buffer;
    expect(withCom.indexOf(Buffer.from([0xff, 0xd9]))).toBeLessThan(withCom.length - 2);
    expectSame(splitAll(chunk(Buffer.concat([withCom, withCom]), [7])), [withCom, withCom]);
  });

  it('property: any chunking of a sequence of real JPEGs yields exactly the originals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: real.length - 1 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }),
        (picks, bigSizes, tinySizes) => {
          const frames = picks.map((i) => real[i] as Buffer);
          const whole = Buffer.concat(frames);
          const splitter = new JpegSplitter();
          // Mix big and tiny chunks so boundaries land everywhere, including between FF and its marker.
          const out = splitAll(chunk(whole, [...bigSizes, ...tinySizes]), splitter);
          expectSame(out, frames);
          expect(splitter.stats.garbageBytes).toBe(0);
          expect(splitter.stats.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: synthetic multi-scan JPEGs with stuffing, RSTn and fill bytes, any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(syntheticJpegArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (frames, sizes) => {
          const splitter = new JpegSplitter();
          expectSame(splitAll(chunk(Buffer.concat(frames), sizes), splitter), frames);
          expect(splitter.stats.garbageBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: garbage between images is skipped and counted exactly', () => {
    const noFf = fc
      .uint8Array({ maxLength: 100 })
      .map((u) => Buffer.from(u.map((b) => (b === 0xff ? 0xfe : b))));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noFf, fc.integer({ min: 0, max: real.length - 1 })), {
          minLength: 1,
          maxLength: 6,
        }),
        noFf,
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
        (pairs, trailing, sizes) => {
          const reports: GarbageReport[] = [];
          const splitter = new JpegSplitter({ onGarbage: (r) => reports.push(r) });
          const frames = pairs.map(([, i]) => real[i] as Buffer);
          const whole = Buffer.concat([
            ...pairs.flatMap(([g, i]) => [g, real[i] as Buffer]),
            trailing,
          ]);
          expectSame(splitAll(chunk(whole, sizes), splitter), frames);
          splitter.end();
          const garbage = pairs.reduce((n, [g]) => n + g.length, trailing.length);
          expect(splitter.stats.garbageBytes).toBe(garbage);
          expect(reports.every((r) => r.reason === 'no-image')).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a cut-off image followed by a new SOI is reported as corrupt; the next image is intact', () => {
    const a = real[1] as Buffer;
    const b = real[2] as Buffer;
    const cut = a.subarray(0, Math.floor(a.length / 2));
    const reports: GarbageReport[] = [];
    const s = new JpegSplitter({ onGarbage: (r) => reports.push(r) });
    expectSame(splitAll(chunk(Buffer.concat([cut, b, a]), [333]), s), [b, a]);
    expect(reports).toEqual([{ reason: 'corrupt', bytes: cut.length }]);
  });

  it('end() reports a trailing half image as truncated', () => {
    const a = real[0] as Buffer;
    const reports: GarbageReport[] = [];
    const s = new JpegSplitter({ onGarbage: (r) => reports.push(r) });
    expectSame(s.write(Buffer.concat([a, a.subarray(0, 100)])), [a]);
    expect(s.end()).toBe(100);
    expect(reports).toEqual([{ reason: 'truncated', bytes: 100 }]);
    expect(s.stats.pendingBytes).toBe(0);
  });

  it('drops an image over maxFrameBytes with bounded memory and stays in sync', () => {
    const small = real[0] as Buffer; // ~1–2 KB
    const big = real[4] as Buffer; // 640x360 at q 3: tens of KB
    const max = small.length + 100;
    expect(big.length).toBeGreaterThan(max * 4);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 6 }),
        (sizes) => {
          const reports: GarbageReport[] = [];
          const s = new JpegSplitter({ maxFrameBytes: max, onGarbage: (r) => reports.push(r) });
          const out: Buffer[] = [];
          let peak = 0;
          for (const c of chunk(Buffer.concat([small, big, small, big, big, small]), sizes)) {
            out.push(...s.write(c));
            peak = Math.max(peak, s.stats.pendingBytes);
          }
          expectSame(out, [small, small, small]);
          expect(reports).toEqual([
            { reason: 'too-large', bytes: big.length },
            { reason: 'too-large', bytes: big.length },
            { reason: 'too-large', bytes: big.length },
          ]);
          expect(s.stats.droppedFrames).toBe(3);
          // Never holds a whole big frame: at most the cap plus one chunk.
          expect(peak).toBeLessThanOrEqual(max + 4096 + 4);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('handles an empty push and a lone FF at a chunk end before SOI', () => {
    const a = real[0] as Buffer;
    const s = new JpegSplitter();
    expectSame(s.write(Buffer.alloc(0)), []);
    expectSame(s.write(Buffer.from([0x00, 0xff])), []);
    expectSame(s.write(Buffer.concat([Buffer.from([0xff]), a])), [a]);
    expect(s.stats.garbageBytes).toBe(3); // 00, the lone FF, the extra FF before the real FF D8
  });

  it('jpegDimensions reads SOF', () => {
    expect(jpegDimensions(real[0] as Buffer)).toEqual({ width: 64, height: 48 });
    expect(jpegDimensions(real[3] as Buffer)).toEqual({ width: 33, height: 17 });
    expect(jpegDimensions(real[5] as Buffer)).toEqual({ width: 64, height: 48 });
    expect(jpegDimensions(Buffer.from('not a jpeg'))).toBeNull();
  });
});
