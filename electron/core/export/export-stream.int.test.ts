/**
 * Export on a real broker with real ffmpeg: an x264 stream (h264-topic.ts) remuxed whole and by
 * range — ffprobe checks codec, frame count and duration, and the decoded pictures are
 * bit-identical to the source's (framemd5), so nothing was re-encoded — a JPEG stream encoded to
 * H.264, and the failures that must leave no file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTopic,
  h264Message,
  makeH264Clip,
  makeJpegFrames,
  type H264Clip,
} from '../../../scripts/test-support/h264-topic.js';
import { kafkaModes } from '../../../scripts/test-support/kafka-env.js';
import { createKafka, type KafkaHandle } from '../kafka/client.js';
import { locateFfmpeg, type FfmpegPaths } from '../ffmpeg/locate-ffmpeg.js';
import { encodeFrameMessage, type OutgoingMessage } from '../kafka/wire-format.js';
import { exportStream, type ExportOptions } from './export-stream.js';

function run(bin: string, args: string[], input?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${String(stderr)}`));
      else resolve(String(stdout));
    });
    if (input) child.stdin?.end(input);
  });
}

interface Probe {
  codec: string;
  frames: number;
  duration: number;
}

async function probe(ffprobe: string, file: string): Promise<Probe> {
  const out = await run(ffprobe, [
    ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
    ...['-show_entries', 'stream=codec_name,nb_read_frames:format=duration', '-of', 'json', file],
  ]);
  const j = JSON.parse(out) as {
    streams: Array<{ codec_name: string; nb_read_frames: string }>;
    format: { duration: string };
  };
  return {
    codec: j.streams[0]?.codec_name ?? '',
    frames: Number(j.streams[0]?.nb_read_frames),
    duration: Number(j.format.duration),
  };
}

/** The MD5 of each decoded picture, in order. */
async function pictureHashes(ffmpeg: string, args: string[], input?: Buffer): Promise<string[]> {
  const out = await run(ffmpeg, ['-v', 'error', ...args, '-f', 'framemd5', '-'], input);
  return out
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(',').at(-1)?.trim() ?? '');
}

/** Send with message timestamps = base + pts, so a range can be asked in known times. */
async function send(handle: KafkaHandle, topic: string, messages: OutgoingMessage[]) {
  const producer = handle.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 50)
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 50) });
  } finally {
    await producer.disconnect();
  }
}

const [target] = kafkaModes();
const FPS = 30;

describe.skipIf(target === undefined)('kvs export (real broker, real ffmpeg)', () => {
  // made only when the suite runs: an empty bootstrap throws (KVS_NO_KAFKA=1 runs)
  let handle: KafkaHandle;
  const newTopic = (what: string): string => `export-${what}-${randomBytes(3).toString('hex')}`;
  let dir: string;
  let ff: FfmpegPaths;
  let clip: H264Clip;
  let sourceHashes: string[];
  let h264Topic: string;
  let jpegTopic: string;
  const base = Date.now() - 60_000;
  const at = (seq: number): number => base + Math.round((seq * 1000) / FPS);
  const opts = (o: Partial<ExportOptions> & { out: string }): ExportOptions => ({
    topic: h264Topic,
    ffmpegPath: ff.ffmpegPath,
    ...o,
  });
  const leftovers = async (): Promise<string[]> => readdir(dir);

  beforeAll(async () => {
    handle = createKafka({ bootstrap: target?.bootstrap ?? '' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-export-'));
    ff = await locateFfmpeg();
    // 3 s, a keyframe every 30 frames (seq 0, 30, 60)
    clip = await makeH264Clip({ seconds: 3, fps: FPS, gop: 30, width: 320, height: 180 });
    sourceHashes = await pictureHashes(
      ff.ffmpegPath,
      ['-f', 'h264', '-i', 'pipe:0'],
      Buffer.concat(clip.units),
    );
    h264Topic = newTopic('h264');
    await createTopic(handle, h264Topic);
    await send(
      handle,
      h264Topic,
      clip.units.map((_, seq) => ({
        ...h264Message(clip, seq, { streamId: 'cam' }),
        timestamp: String(at(seq)),
      })),
    );
    jpegTopic = newTopic('jpeg');
    await createTopic(handle, jpegTopic);
    const jpegs = await makeJpegFrames(20, { ffmpegPath: ff.ffmpegPath });
    await send(
      handle,
      jpegTopic,
      jpegs.map((j, seq) =>
        encodeFrameMessage(j, {
          streamId: 'pics',
          seq,
          ptsMs: seq * 100,
          fps: 10,
          width: 320,
          height: 180,
          capturedAt: 0,
        }),
      ),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('an H.264 topic exported whole: remuxed, every frame, the same pictures', async () => {
    const out = path.join(dir, 'whole.mp4');
    const progress: number[] = [];
    const r = await exportStream(handle, opts({ out, onProgress: (p) => progress.push(p.share) }));
    expect(r).toMatchObject({ frames: 90, durationMs: 3000, codec: 'h264', remuxed: true });
    expect(r).toMatchObject({ streamId: 'cam', source: 'video/h264', file: out });
    expect(r.bytes).toBe((await stat(out)).size);
    expect(progress).toHaveLength(90);
    expect(progress.at(-1)).toBe(1);
    const p = await probe(ff.ffprobePath, out);
    expect(p.codec).toBe('h264');
    expect(p.frames).toBe(90);
    expect(Math.abs(p.duration - 3)).toBeLessThanOrEqual(1 / FPS);
    // copied, not re-encoded: every decoded picture is bit-identical to the source's
    expect(await pictureHashes(ff.ffmpegPath, ['-i', out])).toEqual(sourceHashes);
    expect(await leftovers()).toEqual(['whole.mp4']);
  });

  it('an H.264 range starts at the keyframe before --from and ends before --to', async () => {
    const out = path.join(dir, 'range.mp4');
    // 45 … 74 asked; the group from the keyframe at 30 comes first
    const r = await exportStream(handle, opts({ out, range: { fromMs: at(45), toMs: at(75) } }));
    expect(r).toMatchObject({ frames: 45, durationMs: 1500, remuxed: true });
    expect(r.firstTimestamp).toBe(at(30));
    expect(r.lastTimestamp).toBe(at(74));
    const p = await probe(ff.ffprobePath, out);
    expect(p.codec).toBe('h264');
    expect(p.frames).toBe(45);
    expect(Math.abs(p.duration - 1.5)).toBeLessThanOrEqual(1 / FPS);
    expect(await pictureHashes(ff.ffmpegPath, ['-i', out])).toEqual(sourceHashes.slice(30, 75));
  });

  it('timestamps come from the pts header: a 2 s gap in pts stays 2 s in the file', async () => {
    // frames 0–59 of the clip sent in one burst (message times a few ms apart), pts with a gap:
    // 0 … 967 ms, then 3000 … 3967 ms — 60 frames lasting 4 s, not 2 s
    const topic = newTopic('gap');
    await createTopic(handle, topic);
    const ptsOf = (seq: number): number => Math.round((seq * 1000) / FPS) + (seq >= 30 ? 2000 : 0);
    await send(
      handle,
      topic,
      clip.units.slice(0, 60).map((_, seq) => {
        const m = h264Message(clip, seq, { streamId: 'cam' });
        return { ...m, headers: { ...m.headers, 'kvs-pts-ms': String(ptsOf(seq)) } };
      }),
    );
    const out = path.join(dir, 'gap.mp4');
    const r = await exportStream(handle, opts({ topic, out }));
    expect(r).toMatchObject({ frames: 60, durationMs: 4000, remuxed: true });
    const p = await probe(ff.ffprobePath, out);
    expect(p).toMatchObject({ codec: 'h264', frames: 60 });
    expect(Math.abs(p.duration - 4)).toBeLessThanOrEqual(1 / FPS);
    // still copied: the same pictures
    expect(await pictureHashes(ff.ffmpegPath, ['-i', out])).toEqual(sourceHashes.slice(0, 60));
    const times = await run(ff.ffprobePath, [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time'],
      ...['-of', 'csv=p=0', out],
    ]);
    const pts = times.trim().split('\n').map(Number);
    expect(pts[29]).toBeCloseTo(0.967, 3);
    expect(pts[30]).toBeCloseTo(3, 3);
  });

  it('a JPEG stream at a variable rate keeps its pts (encoded frame for frame)', async () => {
    const topic = newTopic('vfr');
    await createTopic(handle, topic);
    const jpegs = await makeJpegFrames(10, { ffmpegPath: ff.ffmpegPath });
    // 5 frames 100 ms apart, then 5 frames 400 ms apart: 0 … 400, 800 … 2400, and the last
    // frame lasts one frame at the stream's 10 fps: 2.5 s (at a constant rate it would be 1 s)
    const ptsOf = (seq: number): number => (seq < 5 ? seq * 100 : 400 + (seq - 4) * 400);
    await send(
      handle,
      topic,
      jpegs.map((j, seq) =>
        encodeFrameMessage(j, {
          streamId: 'vfr',
          seq,
          ptsMs: ptsOf(seq),
          fps: 10,
          width: 320,
          height: 180,
          capturedAt: 0,
        }),
      ),
    );
    const out = path.join(dir, 'vfr.mp4');
    const r = await exportStream(handle, opts({ topic, out }));
    expect(r).toMatchObject({ frames: 10, durationMs: 2500, remuxed: false });
    const p = await probe(ff.ffprobePath, out);
    expect(p).toMatchObject({ codec: 'h264', frames: 10 });
    expect(Math.abs(p.duration - 2.5)).toBeLessThanOrEqual(0.05);
  });

  it('a JPEG topic is encoded to an H.264 MP4 with every frame', async () => {
    const out = path.join(dir, 'jpeg.mp4');
    const r = await exportStream(handle, opts({ topic: jpegTopic, out }));
    expect(r).toMatchObject({ frames: 20, durationMs: 2000, remuxed: false, source: 'image/jpeg' });
    const p = await probe(ff.ffprobePath, out);
    expect(p).toMatchObject({ codec: 'h264', frames: 20 });
    expect(Math.abs(p.duration - 2)).toBeLessThanOrEqual(0.1);
  });

  it('a JPEG topic with an ffmpeg that cannot encode H.264: FFMPEG_NO_H264 with the fix, and no file', async () => {
    // an "ffmpeg" whose encoder list has no libx264 (an LGPL build)
    const lgpl = path.join(dir, 'ffmpeg-lgpl');
    await writeFile(lgpl, "#!/bin/sh\necho ' V....D mjpeg  MJPEG'\n", { mode: 0o755 });
    const out = path.join(dir, 'no-h264.mp4');
    await expect(
      exportStream(handle, opts({ topic: jpegTopic, out, ffmpegPath: lgpl })),
    ).rejects.toMatchObject({ code: 'FFMPEG_NO_H264', message: expect.stringMatching(/libx264/) });
    expect((await leftovers()).filter((f) => f.startsWith('no-h264'))).toEqual([]);
  });

  it('an empty range, a topic with no frames, a stream not there: EXPORT_EMPTY and no file', async () => {
    const empty = newTopic('empty');
    await createTopic(handle, empty);
    const cases: ExportOptions[] = [
      opts({ out: path.join(dir, 'e1.mp4'), range: { fromMs: at(200), toMs: at(300) } }),
      opts({
        out: path.join(dir, 'e2.mp4'),
        range: { fromMs: base - 50_000, toMs: base - 40_000 },
      }),
      opts({ out: path.join(dir, 'e3.mp4'), topic: empty }),
      opts({ out: path.join(dir, 'e4.mp4'), streamId: 'no-such-stream' }),
    ];
    const before = await leftovers();
    for (const c of cases)
      await expect(exportStream(handle, c)).rejects.toMatchObject({
        code: 'EXPORT_EMPTY',
        message: expect.stringMatching(/Nothing to export.*No file was written/),
      });
    expect(await leftovers()).toEqual(before);
  });

  it('refuses an existing file without --force; --force replaces it', async () => {
    const out = path.join(dir, 'exists.mp4');
    await writeFile(out, 'not a video');
    await expect(exportStream(handle, opts({ out }))).rejects.toMatchObject({
      code: 'FILE_EXISTS',
    });
    expect((await stat(out)).size).toBe(11);
    const r = await exportStream(handle, opts({ out, force: true, range: { toMs: at(30) } }));
    expect(r.frames).toBe(30);
    expect((await probe(ff.ffprobePath, out)).frames).toBe(30);
    expect((await leftovers()).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('a folder that cannot be written: FOLDER_NOT_WRITABLE before reading Kafka', async () => {
    const noTopic = newTopic('never-read'); // would be TOPIC_NOT_FOUND if Kafka were asked
    for (const out of [
      path.join(dir, 'no-such-folder', 'x.mp4'),
      path.join('/proc', 'kvs-export.mp4'),
    ])
      await expect(exportStream(handle, opts({ topic: noTopic, out }))).rejects.toMatchObject({
        code: 'FOLDER_NOT_WRITABLE',
      });
  });

  it('cancel mid-way: CANCELLED, ffmpeg stopped, no file and no .part left', async () => {
    const out = path.join(dir, 'cancelled.mp4');
    const ctl = new AbortController();
    let seen = 0;
    const p = exportStream(
      handle,
      opts({
        out,
        signal: ctl.signal,
        onProgress: (pr) => {
          seen = pr.frames;
          if (pr.frames === 10) ctl.abort();
        },
      }),
    );
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen).toBe(10);
    expect((await leftovers()).filter((f) => f.startsWith('cancelled'))).toEqual([]);
  });
});
