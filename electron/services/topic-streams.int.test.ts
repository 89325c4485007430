/**
 * Several streams in one topic (issue 17), on a real broker with real ffmpeg: four named streams
 * (two JPEG, two H.264) produced at once into a topic of 4 partitions — three through the app
 * services, one by the built `kvs produce --stream-name` —
 * with some garbage between them. Each stream's messages are in its key's partition (read raw),
 * the producer's leader report follows that partition, `topics:streams` lists the four with
 * their ids and names, and a viewer of one stream (`streamId`) gets exactly that stream's frames,
 * in order with no gaps — in the app services, the core viewer and the built `kvs consume
 * --stream`; `kvs streams` lists the four.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { header, readTopic } from '../../scripts/test-support/topic-messages.js';
import { call, EventLog, until } from '../../scripts/test-support/service-calls.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';
import { decodeFramePacket, type FramePacketHeader } from '../shared/frame-packet.js';
import type { TopicStreams } from '../shared/contract.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { createKafka, type KafkaHandle } from '../core/kafka/client.js';
import { partitionForKey } from '../core/kafka/stream-partition.js';
import { startViewer } from '../core/kafka/viewer.js';
import { createAppServices, type AppServices } from './app-services.js';

const FRAMES = 20; // 2 s at 10 fps
const STREAMS = [
  { name: 'Front door', codec: 'jpeg' },
  { name: 'Café terrace', codec: 'h264' },
  { name: 'カメラ 3', codec: 'jpeg', cli: true },
  { name: 'Garden 🌳', codec: 'h264' },
] as const;

const target = kafkaModes()[0];
const bin = path.resolve(import.meta.dirname, '../../bin/kvs.mjs');

/** The built CLI (npm run build), as a person runs it. */
function kvs(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
describe.skipIf(!hasKafka())(`several streams in one topic (${target?.mode ?? 'none'})`, () => {
  const bootstrap = target?.bootstrap ?? '';
  const topic = `streams-${randomBytes(3).toString('hex')}`;
  let dir: string;
  let services: AppServices;
  let events: EventLog;
  let handle: KafkaHandle;
  /** name → stream id (from the listing) */
  const idOf = new Map<string, string>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-streams-int-'));
    const ff = await locateFfmpeg();
    const video = await makeTestVideo({ dir, seconds: 2, width: 160, height: 90, fps: 10 });
    services = createAppServices({
      userDataDir: path.join(dir, 'user'),
      allowOpenPath: true,
      ffmpeg: ff,
    });
    events = new EventLog(services);
    handle = createKafka({ bootstrap });
    await call(services, 'connection:connect', { bootstrap });
    expect(await call(services, 'topics:create', { topic, partitions: 4 })).toEqual({});
    const { videoId } = await call(services, 'video:open-path', { path: video });
    // garbage first, as another producer might leave it: it must not stop anything
    const producer = handle.kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: 'junk', value: '{"not":"a frame"}' }, { value: Buffer.from([1, 2, 3]) }],
    });
    await producer.disconnect();
    // four live streams at once, each with its name; one of them from the built CLI
    const cliRun = kvs([
      'produce',
      video,
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--codec',
      'jpeg',
      '--realtime',
      '--stream-name',
      'カメラ 3',
      '--json',
    ]);
    const jobs = await Promise.all(
      STREAMS.filter((s) => !('cli' in s)).map(async (s) => ({
        ...s,
        jobId: (
          await call(services, 'produce:start', {
            videoId,
            topic,
            realtime: true,
            loop: false,
            format: 'kvs',
            codec: s.codec,
            ...(s.codec === 'h264' ? { keyframeIntervalS: 0.5 } : {}),
            streamName: ` ${s.name} `, // trimmed by the app services
          })
        ).jobId,
      })),
    );
    for (const j of jobs) {
      const ended = await events.waitFor('produce:ended', (e) => e.jobId === j.jobId, 60_000);
      expect(ended, j.name).toMatchObject({ ok: true, acked: FRAMES, failed: 0 });
    }
    const cli = await cliRun;
    expect(cli.code, cli.stderr).toBe(0);
    expect(lastJson(cli.stdout)).toMatchObject({
      acked: FRAMES,
      failed: 0,
      streamId: expect.any(String),
    });
    const listed = await call(services, 'topics:streams', { topic });
    for (const s of listed.streams) if (s.id !== null && s.name !== null) idOf.set(s.name, s.id);
    // the producer's leader report is about its stream's partition, from the first reading on
    for (const j of jobs) {
      const id = idOf.get(j.name) ?? '';
      const leaders = events
        .of('produce:progress')
        .filter((p) => p.jobId === j.jobId)
        .flatMap((p) => (p.leader ? [p.leader.partition] : []));
      expect(leaders.length, j.name).toBeGreaterThan(0);
      expect(new Set(leaders), j.name).toEqual(new Set([partitionForKey(id, 4)]));
    }
  });

  afterAll(async () => {
    await services?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts each stream, in order, in the partition its key maps to', async () => {
    const messages = await readTopic(handle, topic);
    const byKey = new Map<string, typeof messages>();
    for (const m of messages)
      if (m.key !== null && m.key !== 'junk') byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
    expect([...byKey.keys()].sort()).toEqual([...idOf.values()].sort());
    for (const [key, ms] of byKey) {
      expect(new Set(ms.map((m) => m.partition)), key).toEqual(new Set([partitionForKey(key, 4)]));
      const frames = ms.filter((m) => header(m, 'kvs-eos') !== '1');
      expect(
        frames.map((m) => Number(header(m, 'kvs-seq'))),
        key,
      ).toEqual([...Array(FRAMES).keys()]);
      expect(new Set(frames.map((m) => header(m, 'kvs-stream-name'))).size, key).toBe(1);
    }
  });

  it('topics:streams lists the four streams with their ids, names, partitions and formats; garbage is counted', async () => {
    const listed: TopicStreams = await call(services, 'topics:streams', { topic });
    expect(listed).toMatchObject({
      topic,
      partitions: 4,
      complete: true,
      skipped: 2,
      scanned: 4 * (FRAMES + 1) + 2,
    });
    expect(listed.streams.map((s) => s.name).sort()).toEqual(STREAMS.map((s) => s.name).sort());
    for (const s of STREAMS) {
      const id = idOf.get(s.name) ?? '';
      expect(
        listed.streams.find((x) => x.id === id),
        s.name,
      ).toEqual({
        id,
        name: s.name,
        partition: partitionForKey(id, 4),
        type: s.codec === 'h264' ? 'video/h264' : 'image/jpeg',
        codec: s.codec === 'h264' ? expect.stringMatching(/^avc1\.[0-9A-F]{6}$/) : null,
        width: 160,
        height: 90,
        fps: 10,
        frames: FRAMES,
        lastSeq: FRAMES - 1,
        lastFrameAt: expect.any(Number),
        ended: true,
      });
    }
  });

  it('a viewer of one stream gets that stream only: every frame, in order, with its name', async () => {
    const received = new Map<string, FramePacketHeader[]>();
    const off = services.onFrame((viewerId, packet) => {
      const d = decodeFramePacket(packet);
      if (!d.ok) throw new Error(d.error);
      received.set(viewerId, [...(received.get(viewerId) ?? []), d.header]);
      services.ackFrame(viewerId);
      return true;
    });
    try {
      for (const s of STREAMS) {
        const streamId = idOf.get(s.name) ?? '';
        const { viewerId } = await call(services, 'watch:start', {
          viewerId: newViewerId(),
          topic,
          from: { kind: 'beginning' },
          pace: false,
          streamId,
        });
        await until(
          () => (received.get(viewerId)?.length ?? 0) >= FRAMES,
          `${s.name}: ${FRAMES} frames`,
        );
        await events.waitFor('watch:stats', (e) => e.viewerId === viewerId && e.frames === FRAMES);
        await call(services, 'watch:stop', { viewerId });
        const headers = received.get(viewerId) ?? [];
        expect(new Set(headers.map((h) => h.streamId)), s.name).toEqual(new Set([streamId]));
        expect(new Set(headers.map((h) => h.streamName)), s.name).toEqual(new Set([s.name]));
        expect(
          headers.map((h) => h.seq),
          s.name,
        ).toEqual([...Array(FRAMES).keys()]);
        expect(new Set(headers.map((h) => h.partition)), s.name).toEqual(
          new Set([partitionForKey(streamId, 4)]),
        );
      }
    } finally {
      off();
    }
  });

  it('kvs consume --stream (built CLI) gets that stream only; kvs streams lists the four', async () => {
    const streamId = idOf.get('Garden 🌳') ?? '';
    const c = await kvs([
      'consume',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--stream',
      streamId,
      '--from-beginning',
      '--until-eos',
      '--json',
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain(`stream "${streamId}"`);
    expect(lastJson(c.stdout)).toMatchObject({
      frames: FRAMES,
      gaps: 0,
      repeats: 0,
      firstSeq: 0,
      lastSeq: FRAMES - 1,
    });
    expect(Object.keys(lastJson(c.stdout).codecs as object)).toEqual([
      expect.stringMatching(/^avc1\./),
    ]);

    const l = await kvs(['streams', topic, '--bootstrap', bootstrap, '--json']);
    expect(l.code, l.stderr).toBe(0);
    const listed = lastJson(l.stdout) as unknown as TopicStreams;
    expect(listed.streams.map((x) => [x.id, x.name]).sort()).toEqual(
      [...idOf.entries()].map(([n, id]) => [id, n]).sort(),
    );
    const text = await kvs(['streams', topic, '--bootstrap', bootstrap]);
    expect(text.stdout).toContain(
      `${streamId}\tname="Garden 🌳"\tpartition=${partitionForKey(streamId, 4)}`,
    );
    expect(text.stderr).toContain(`2 of ${4 * (FRAMES + 1) + 2} messages read were not frames`);
  });

  it('the core viewer reads the whole topic and passes the other streams over', async () => {
    const [first] = STREAMS;
    const streamId = idOf.get(first.name) ?? '';
    const seqs: Array<number | null> = [];
    const viewer = await startViewer(handle, {
      topic,
      from: { kind: 'beginning' },
      untilCaughtUp: true,
      streamId,
      onFrame: (f) => void seqs.push(f.streamId === streamId ? f.seq : null),
    });
    const stats = await viewer.done;
    expect(seqs).toEqual([...Array(FRAMES).keys()]);
    // the other three streams' frames and end markers
    expect(stats).toMatchObject({
      frames: FRAMES,
      gaps: 0,
      otherStreams: 3 * (FRAMES + 1),
      skipped: 2,
      endOfStreams: 1,
    });
  });
});
