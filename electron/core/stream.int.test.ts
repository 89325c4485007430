/**
 * The streaming core against real Apache Kafka (KRaft and ZooKeeper mode, both
 * started by scripts/test-support/global-kafka.ts) and real ffmpeg: a video
 * file goes into a topic and comes back frame for frame.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { KvsError } from '../shared/errors.js';
import { locateFfmpeg, type FfmpegPaths } from './ffmpeg/locate-ffmpeg.js';
import { makeBadFiles, makeTestVideo, type BadFiles } from '../../scripts/test-support/test-video.js';
import { jpegDimensions } from './ffmpeg/jpeg-splitter.js';
import { createKafka, type KafkaHandle } from './kafka/client.js';
import { createTopic, deleteTopic, listTopics } from './kafka/topics.js';
import { startViewer, type StartFrom, type ViewerFrame } from './kafka/viewer.js';
import { produceFile } from './produce-file.js';
import { countDecodableJpegs } from '../../scripts/test-support/jpeg-decode.js';

let dir: string;
let video: string;
let bad: BadFiles;
let ff: FfmpegPaths;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-stream-'));
  ff = await locateFfmpeg();
  video = await makeTestVideo({ dir, seconds: 5, width: 640, height: 360, fps: 30 });
  bad = await makeBadFiles(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const topicName = (what: string): string => `it-${what}-${randomBytes(3).toString('hex')}`;

async function collect(
  handle: KafkaHandle,
  topic: string,
  from: StartFrom = { kind: 'beginning' },
): Promise<{ frames: ViewerFrame[]; stats: Awaited<ReturnType<typeof startViewer>>['stats']; eos: number }> {
  const frames: ViewerFrame[] = [];
  let eos = 0;
  const viewer = await startViewer(handle, {
    topic,
    from,
    untilCaughtUp: true,
    onFrame: (f) => void frames.push(f),
    onEndOfStream: () => void eos++,
  });
  const stats = await viewer.done;
  return { frames, stats: { ...stats }, eos };
}

async function sendRaw(handle: KafkaHandle, topic: string, values: Array<Buffer | null>): Promise<void> {
  const producer = handle.kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

describe.each(kafkaModes())('streaming core on Kafka in $mode mode', ({ bootstrap }) => {
  const handle = createKafka({ bootstrap });

  it('round-trips a 5 s 640x360 30 fps video frame for frame', async () => {
    const topic = topicName('roundtrip');
    const result = await produceFile(handle, video, { topic }, { ffmpeg: ff });
    expect(result.frames).toBe(150);
    expect(result.acked).toBe(150);
    expect(result.failed).toBe(0);
    expect(result.createdTopic).toBe(true);

    const { frames, stats, eos } = await collect(handle, topic);
    expect(frames).toHaveLength(150);
    expect(eos).toBe(1);
    expect(stats.gaps).toBe(0);
    expect(stats.skipped).toBe(0);
    expect(stats.bytes).toBe(result.bytes);
    const seqs = frames.map((f) => f.seq);
    expect(seqs).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const pts = frames.map((f) => f.ptsMs ?? -1);
    for (let i = 1; i < pts.length; i++) expect(pts[i]).toBeGreaterThan(pts[i - 1] as number);
    for (const f of frames) {
      expect(f.streamId).toBe(result.streamId);
      expect(f.type).toBe('image/jpeg');
      expect([f.width, f.height]).toEqual([640, 360]);
      expect(jpegDimensions(f.image)).toEqual({ width: 640, height: 360 });
    }
    expect(await countDecodableJpegs(ff.ffmpegPath, frames.map((f) => f.image))).toBe(150);
  });

  it('plays headerless JPEG messages (the tutorial format) and skips and counts garbage', async () => {
    const topic = topicName('mixed');
    await createTopic(handle, topic);
    // 20 raw frames, as the tutorial's Python producer sends them: no key, no headers
    const raw = await produceFile(handle, video, { topic, format: 'raw', fps: 4 }, { ffmpeg: ff });
    expect(raw.acked).toBe(20);
    const jpeg = (await collect(handle, topic)).frames[0]?.image as Buffer;
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    await sendRaw(handle, topic, [
      Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)), // binary noise, no image magic
      Buffer.alloc(0),
      null,
      Buffer.from(JSON.stringify({ frame: jpeg.toString('base64') })),
      Buffer.from('hello, not an image'),
      jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      png,
      jpeg,
    ]);
    const { frames, stats } = await collect(handle, topic);
    expect(frames).toHaveLength(22);
    expect(frames.filter((f) => f.seq === null && f.streamId === null)).toHaveLength(22);
    expect(frames[20]?.type).toBe('image/png');
    expect(stats.skipped).toBe(6);
    expect(stats.skippedByReason).toEqual({ 'not-image': 1, empty: 2, json: 1, text: 1, 'truncated-jpeg': 1 });
    expect(stats.gaps).toBe(0);
  });

  it('gives two concurrent viewers every frame each', async () => {
    const topic = topicName('two-viewers');
    await createTopic(handle, topic);
    const got: [number[], number[]] = [[], []];
    const viewers = await Promise.all(
      got.map((list) => startViewer(handle, { topic, from: { kind: 'live' }, onFrame: (f) => void list.push(f.seq ?? -1) })),
    );
    await Promise.all(viewers.map((v) => v.ready)); // both joined their own groups and fixed their start offsets
    const result = await produceFile(handle, video, { topic, fps: 10 }, { ffmpeg: ff });
    expect(result.acked).toBe(50);
    const deadline = Date.now() + 20_000;
    while ((got[0].length < 50 || got[1].length < 50) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await Promise.all(viewers.map((v) => v.stop()));
    const all = Array.from({ length: 50 }, (_, i) => i);
    expect(got[0]).toEqual(all);
    expect(got[1]).toEqual(all);
  });

  it('fits frames over the topic limit by re-encoding them, or refuses with a clear message', async () => {
    const topic = topicName('small');
    const limit = 12_000;
    await createTopic(handle, topic, { config: { 'max.message.bytes': String(limit) } });
    const warnings: KvsError[] = [];
    const result = await produceFile(handle, video, { topic, fps: 5, quality: 100, onWarning: (w) => warnings.push(w) }, { ffmpeg: ff });
    expect(result.maxMessageBytes).toBe(limit);
    expect(result.shrunk).toBeGreaterThan(0);
    expect(result.acked).toBe(25);
    expect(warnings.some((w) => w.code === 'FRAME_TOO_LARGE')).toBe(true);
    const { frames } = await collect(handle, topic);
    expect(frames).toHaveLength(25);
    for (const f of frames) expect(f.image.length).toBeLessThan(limit);
    expect(await countDecodableJpegs(ff.ffmpegPath, frames.map((f) => f.image))).toBe(25);

    const refused = produceFile(handle, video, { topic, fps: 5, quality: 100, oversize: 'refuse' }, { ffmpeg: ff });
    await expect(refused).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE', message: expect.stringMatching(/accepts at most 11\.7 KiB.*max\.message\.bytes/) });
  });

  it('starts a viewer at a point in time', async () => {
    const topic = topicName('from-time');
    const first = await produceFile(handle, video, { topic, fps: 2, streamId: 'first' }, { ffmpeg: ff });
    await new Promise((r) => setTimeout(r, 50));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    const second = await produceFile(handle, video, { topic, fps: 2, streamId: 'second' }, { ffmpeg: ff });
    expect(first.acked + second.acked).toBe(20);
    const { frames, eos } = await collect(handle, topic, { kind: 'timestamp', ms: middle });
    expect(frames.map((f) => f.streamId)).toEqual(Array(10).fill('second'));
    expect(eos).toBe(1);
  });

  it('lists, creates and deletes topics with counts and time ranges', async () => {
    const topic = topicName('listing');
    const before = Date.now();
    await produceFile(handle, video, { topic, fps: 2 }, { ffmpeg: ff });
    const listed = (await listTopics(handle)).find((t) => t.name === topic);
    expect(listed).toMatchObject({ partitions: 1, messages: 11, internal: false }); // 10 frames + end marker
    expect(listed?.firstTimestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(listed?.lastTimestamp).toBeGreaterThanOrEqual(listed?.firstTimestamp ?? Infinity);
    await expect(createTopic(handle, topic)).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
    await deleteTopic(handle, topic);
    await expect(deleteTopic(handle, topic)).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    await expect(startViewer(handle, { topic: topicName('missing'), from: { kind: 'live' }, onFrame: () => undefined })).rejects.toMatchObject({
      code: 'TOPIC_NOT_FOUND',
    });
  });
});

describe('bad input gets a clear message and loses nothing', () => {
  const [first] = kafkaModes();
  const handle = createKafka({ bootstrap: first?.bootstrap ?? '127.0.0.1:9092' });

  it.each([
    ['missing file', () => path.join(dir, 'nope.mp4'), 'FILE_NOT_FOUND'],
    ['0-byte file', () => bad.empty, 'FILE_EMPTY'],
    ['text file named .mp4', () => bad.text, 'FILE_NOT_VIDEO'],
    ['truncated mp4', () => bad.truncated, 'FILE_TRUNCATED'],
    ['audio-only file', () => bad.audioOnly, 'FILE_NO_VIDEO_STREAM'],
    ['a folder', () => dir, 'FILE_NOT_A_FILE'],
  ])('%s → %s, before any network step', async (_what, file, code) => {
    // an unreachable broker proves the file is checked first
    const unreachable = createKafka({ bootstrap: '127.0.0.1:1' });
    const err = await produceFile(unreachable, file(), { topic: 'never' }, { ffmpeg: ff }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvsError);
    expect((err as KvsError).code).toBe(code);
    expect((err as KvsError).message).toMatch(/\S/);
  });

  it('gives every bad file its own message', async () => {
    const unreachable = createKafka({ bootstrap: '127.0.0.1:1' });
    const files = [path.join(dir, 'nope.mp4'), bad.empty, bad.text, bad.truncated, bad.audioOnly];
    const messages = await Promise.all(files.map((f) => produceFile(unreachable, f, { topic: 'never' }, { ffmpeg: ff }).catch((e: KvsError) => e.message)));
    expect(new Set(messages).size).toBe(files.length);
  });

  it.skipIf(!first)('produces from a path with spaces, CJK and an emoji', async () => {
    const topic = topicName('unicode');
    const result = await produceFile(handle, bad.unicode, { topic, fps: 5 }, { ffmpeg: ff });
    expect(result.acked).toBe(10);
  });

  it('reports an unreachable broker quickly and plainly', async () => {
    const unreachable = createKafka({ bootstrap: '127.0.0.1:1' });
    const started = Date.now();
    const err = await produceFile(unreachable, video, { topic: 'x' }, { ffmpeg: ff }).catch((e: unknown) => e);
    expect((err as KvsError).code).toBe('BROKER_UNREACHABLE');
    expect((err as KvsError).message).toMatch(/127\.0\.0\.1:1.*connection refused.*advertised\.listeners/);
    expect(Date.now() - started).toBeLessThan(30_000); // bounded, never a hang
  });

  it.each([
    ['has space', /\(not space\)/],
    ['a/b', /\(not "\/"\)/],
    ['x'.repeat(250), /at most 249/],
    ['..', /not allowed/],
    ['__internal', /reserved/],
  ])('refuses the topic name %j', async (topic, message) => {
    const err = await produceFile(handle, video, { topic }, { ffmpeg: ff }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TOPIC_INVALID', message: expect.stringMatching(message) });
  });

  it('refuses a bad bootstrap string before connecting', () => {
    expect(() => createKafka({ bootstrap: 'PLAINTEXT://10.0.0.5:9092' })).toThrow(/client gives only host:port/);
  });
});
