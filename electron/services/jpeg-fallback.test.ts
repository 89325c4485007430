/**
 * The JPEG fallback with the real ffmpeg and a real FrameGate (no broker: the frames are built
 * here; jpeg-fallback.int.test.ts plays a topic): the asked stream's access units come out as
 * JPEG packets with their own seq/pts/times, from the next keyframe, catch-up ones not shown;
 * other streams are not taken; close() kills ffmpeg; a failing ffmpeg is reported and restarted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFramePacket,
  encodeFramePacket,
  type FramePacketHeader,
} from '../shared/frame-packet.js';
import { jpegDimensions, looksLikeCompleteJpeg } from '../core/ffmpeg/jpeg-splitter.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import type { ViewerFrame } from '../core/kafka/viewer.js';
import { makeH264Clip, type H264Clip } from '../../scripts/test-support/h264-topic.js';
import { FrameGate } from './frame-gate.js';
import { JpegFallback, MAX_RESTARTS, type FallbackFrame } from './jpeg-fallback.js';

let ffmpegPath = '';
let clip: H264Clip; // 2 s, 320×180, 30 fps, keyframes at 0 and 30
const open: JpegFallback[] = [];

beforeAll(async () => {
  ffmpegPath = (await locateFfmpeg()).ffmpegPath;
  clip = await makeH264Clip({ seconds: 2, width: 320, height: 180, fps: 30, gop: 30 });
}, 120_000);
afterAll(() => Promise.all(open.map((f) => f.close())));

function frame(seq: number, opts: { streamId?: string; catchUp?: boolean } = {}): ViewerFrame {
  const unit = clip.units[seq];
  if (!unit) throw new RangeError(`no unit ${seq}`);
  return {
    topic: 't',
    partition: 0,
    offset: String(1000 + seq),
    timestamp: 1_700_000_000_000 + seq,
    type: 'video/h264',
    image: unit,
    keyframe: seq % 30 === 0,
    codec: 'avc1.8A001E',
    streamId: opts.streamId ?? 'cam',
    streamName: null,
    seq,
    ptsMs: (seq * 1000) / 30,
    fps: 30,
    width: 320,
    height: 180,
    capturedAt: 1_600_000_000_000 + seq,
    receivedAt: 1_700_000_000_100 + seq,
    missingBefore: 0,
    catchUp: opts.catchUp ?? false,
    epoch: 0,
  };
}

/** As viewers.ts makes a packet (the fields the page reads). */
function packet(f: FallbackFrame) {
  return (dropped: number) =>
    encodeFramePacket(
      {
        viewerId: 'v1',
        seq: f.seq,
        ptsMs: f.ptsMs,
        capturedAt: f.capturedAt,
        receivedAt: f.receivedAt,
        timestamp: f.timestamp,
        width: f.width,
        height: f.height,
        type: f.type,
        streamId: f.streamId,
        codec: f.codec,
        keyframe: f.keyframe,
        dropped,
        partition: f.partition,
        offset: f.offset,
        ...(f.transcodedFrom !== undefined ? { transcodedFrom: f.transcodedFrom } : {}),
      },
      f.image,
    );
}

interface Sent {
  header: FramePacketHeader;
  image: Uint8Array;
}

function setup(path = ffmpegPath) {
  const sent: Sent[] = [];
  let changes = 0;
  // a page that keeps up: every packet acked at once
  const gate: FrameGate = new FrameGate(
    (p) => {
      const d = decodeFramePacket(p);
      if (!d.ok) throw new Error(d.error);
      sent.push({ header: d.header, image: d.image });
      queueMicrotask(() => gate.ack());
      return true;
    },
    2,
    'every-frame',
  );
  const fallback = new JpegFallback({
    ffmpegPath: () => Promise.resolve(path),
    packet,
    offer: (make, f) => gate.offer(make, f),
    changed: () => changes++,
  });
  open.push(fallback);
  return { sent, fallback, gate, changes: () => changes };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('JpegFallback', () => {
  it('takes only the streams asked for, and only their H.264 frames', async () => {
    const { fallback } = setup();
    expect(fallback.takes(frame(0))).toBe(false);
    await fallback.start('cam', 'avc1.8A001E');
    await fallback.start('cam', 'avc1.8A001E'); // idempotent
    expect(fallback.streamCount).toBe(1);
    expect(fallback.takes(frame(0))).toBe(true);
    expect(fallback.takes(frame(0, { streamId: 'other' }))).toBe(false);
    expect(fallback.takes({ ...frame(0), type: 'image/jpeg' })).toBe(false);
  });

  it('sends each access unit from the next keyframe as a JPEG packet with its own seq, pts and times', async () => {
    const { sent, fallback } = setup();
    await fallback.start('cam', 'avc1.8A001E');
    // joins at 10: 10–29 are deltas before the next keyframe (30)
    for (let seq = 10; seq < 60; seq++) await fallback.push(frame(seq));
    await until(() => sent.length === 30);
    expect(sent.map((s) => s.header.seq)).toEqual([...Array(30).keys()].map((k) => k + 30));
    const first = sent[0];
    expect(first?.header).toMatchObject({
      type: 'image/jpeg',
      transcodedFrom: 'avc1.8A001E',
      codec: null,
      keyframe: true,
      streamId: 'cam',
      seq: 30,
      ptsMs: 1000,
      capturedAt: 1_600_000_000_030,
      receivedAt: 1_700_000_000_130,
      timestamp: 1_700_000_000_030,
      offset: '1030',
    });
    for (const s of sent) {
      expect(looksLikeCompleteJpeg(s.image)).toBe(true);
      expect(jpegDimensions(s.image)).toEqual({ width: 320, height: 180 });
    }
  });

  it('decodes catch-up units without sending their JPEGs', async () => {
    const { sent, fallback } = setup();
    await fallback.start('cam', 'avc1.8A001E');
    for (let seq = 30; seq < 45; seq++) await fallback.push(frame(seq, { catchUp: seq < 40 }));
    await until(() => sent.length === 5);
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.map((s) => s.header.seq)).toEqual([40, 41, 42, 43, 44]);
  });

  it('close() kills ffmpeg; nothing is sent afterwards', async () => {
    await Promise.all(open.map((f) => f.close())); // only this test's ffmpeg is a child then
    const { sent, fallback } = setup();
    await fallback.start(null, 'avc1.8A001E');
    const nullStream = (seq: number): ViewerFrame => ({ ...frame(seq), streamId: null });
    for (let seq = 0; seq < 5; seq++) await fallback.push(nullStream(seq));
    await until(() => sent.length === 5);
    const before = ffmpegChildren();
    expect(before.length).toBeGreaterThan(0);
    await fallback.close();
    expect(ffmpegChildren().filter((pid) => before.includes(pid))).toEqual([]);
    expect(fallback.push(nullStream(5))).toBeUndefined();
    expect(fallback.takes(nullStream(5))).toBe(false);
    await expect(fallback.start('x', 'avc1.8A001E')).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('a failing ffmpeg is reported in words and started again, a few times at most', async () => {
    // exits at once with code 1, in ffmpeg's place
    const { fallback, changes } = setup('/bin/false');
    await fallback.start('cam', 'avc1.8A001E');
    for (let round = 0; round <= MAX_RESTARTS + 1; round++) {
      await fallback.push(frame(0)); // a keyframe starts a (new) ffmpeg
      await until(() => changes() > Math.min(round, MAX_RESTARTS));
    }
    expect(changes()).toBe(MAX_RESTARTS + 1);
    expect(fallback.error).toMatchObject({
      code: 'FFMPEG_FAILED',
      message: expect.stringMatching(
        /^The service could not decode the stream “cam” \(avc1\.8A001E\) to JPEG for this page: ffmpeg exited/,
      ),
    });
    // given up: the stream's frames are still taken (the page cannot decode them) and dropped
    expect(fallback.takes(frame(0))).toBe(true);
    expect(fallback.push(frame(0))).toBeUndefined();
  });
});

/** ffmpeg processes that are children of this test process. */
function ffmpegChildren(): number[] {
  // /proc/<pid>/stat: "pid (comm) state ppid …"
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === process.pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
