/**
 * The app services against a real broker (the first of kafkaModes(): the core itself is tested in both
 * modes) and real ffmpeg: connect, topics, produce a generated video, watch it back as frame
 * packets, and newest-frame-wins flow control.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { decodeFramePacket, type FramePacketHeader } from '../shared/frame-packet.js';
import { locateFfmpeg, type FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { createKafka } from '../core/kafka/client.js';
import { createAppServices, type AppServices } from './app-services.js';
import { call, callError, EventLog, until } from '../../scripts/test-support/service-calls.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';

const FRAMES = 20; // 2 s at 10 fps

const target = kafkaModes()[0];
let dir: string;
let video: string;
let ff: FfmpegPaths;

const topicName = (what: string): string => `services-${what}-${randomBytes(3).toString('hex')}`;

interface Received {
  header: FramePacketHeader;
  size: number;
}

/**
 * Record every frame packet from now on (all viewers; filter by id afterwards). `ack`: acknowledge each one at once, as a
 * page that keeps up would. Call `off()` at the end of the test.
 */
function collectFrames(
  services: AppServices,
  opts: { ack: boolean },
): { frames: (viewerId: string) => Received[]; off: () => void } {
  const all: Array<Received & { viewerId: string }> = [];
  const off = services.onFrame((viewerId, packet) => {
    const decoded = decodeFramePacket(packet);
    if (!decoded.ok) throw new Error(decoded.error);
    all.push({ viewerId, header: decoded.header, size: decoded.image.length });
    if (opts.ack) services.ackFrame(viewerId);
    return true;
  });
  return { frames: (viewerId) => all.filter((f) => f.viewerId === viewerId), off };
}

describe.skipIf(!hasKafka())(`app services on a real broker (${target?.mode ?? 'none'})`, () => {
  const bootstrap = target?.bootstrap ?? '';
  let services: AppServices;
  let events: EventLog;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-services-int-'));
    ff = await locateFfmpeg();
    video = await makeTestVideo({ dir, seconds: 2, width: 320, height: 180, fps: 10 });
    services = createAppServices({
      userDataDir: path.join(dir, 'user'),
      allowOpenPath: true,
      ffmpeg: ff,
    });
    events = new EventLog(services);
  });

  afterAll(async () => {
    await services?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects: cluster id and the advertised brokers, status events, recent list persisted', async () => {
    const status = await call(services, 'connection:connect', { bootstrap });
    expect(status.state).toBe('connected');
    expect(status.bootstrap).toBe(bootstrap);
    expect(status.clusterId).toEqual(expect.any(String));
    expect(status.clusterId?.length).toBeGreaterThan(0);
    expect(status.brokers.length).toBeGreaterThanOrEqual(1);
    const [host0, port0] = bootstrap.split(':');
    expect(status.brokers[0]).toMatchObject({
      host: host0,
      port: Number(port0),
      nodeId: expect.any(Number),
    });
    expect(events.of('connection:status').map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(await call(services, 'connection:status', {})).toEqual(status);
    expect(await call(services, 'connection:recent', {})).toEqual([bootstrap]);

    // a new app-services instance (the app restarted) reads the list from the user-data folder
    const again = createAppServices({ userDataDir: path.join(dir, 'user'), allowOpenPath: false });
    try {
      expect(await call(again, 'connection:recent', {})).toEqual([bootstrap]);
    } finally {
      await again.dispose();
    }
  });

  it('lists, creates and deletes topics', async () => {
    const topic = topicName('topics');
    expect(await call(services, 'topics:create', { topic, partitions: 2 })).toEqual({});
    const listed = await call(services, 'topics:list', {});
    expect(listed.find((t) => t.name === topic)).toEqual({
      name: topic,
      partitions: 2,
      messages: 0,
      firstTimestamp: null,
      lastTimestamp: null,
      internal: false,
      // one broker: its default (1 copy), all in sync
      replicationFactor: 1,
      underReplicated: 0,
      offline: 0,
    });
    expect((await callError(services, 'topics:create', { topic })).code).toBe('TOPIC_EXISTS');
    // the contract refuses it before the app services do anything, with Kafka's rule in plain words
    expect(await callError(services, 'topics:create', { topic: 'bad name!' })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('(not space, "!")'),
    });
    expect(await call(services, 'topics:delete', { topic })).toEqual({});
    await until(
      async () => !(await call(services, 'topics:list', {})).some((t) => t.name === topic),
      'the deleted topic to go',
    );
    expect((await callError(services, 'topics:delete', { topic })).code).toBe('TOPIC_NOT_FOUND');
  });

  describe('produce and watch', () => {
    const topic = topicName('video');
    let videoId: string;

    it('produces a video opened by path: progress events, then one ended event with every frame acked', async () => {
      videoId = (await call(services, 'video:open-path', { path: video })).videoId;
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic,
        realtime: false,
        loop: false,
        format: 'kvs',
      });
      const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId, 60_000);
      expect(ended).toMatchObject({
        jobId,
        ok: true,
        frames: FRAMES,
        acked: FRAMES,
        failed: 0,
        cancelled: false,
        error: null,
      });
      const progress = events.of('produce:progress').filter((p) => p.jobId === jobId);
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress.at(-1)).toMatchObject({ acked: FRAMES, total: FRAMES });
      expect(events.of('produce:ended').filter((e) => e.jobId === jobId)).toHaveLength(1);
    });

    it('watches from the beginning: one packet per frame, in order, when the page acks', async () => {
      const collector = collectFrames(services, { ack: true });
      const id = (
        await call(services, 'watch:start', {
          viewerId: newViewerId(),
          topic,
          from: { kind: 'beginning' },
          pace: false,
        })
      ).viewerId;
      await until(() => collector.frames(id).length >= FRAMES, 'all frames');
      const frames = collector.frames(id);
      const stats = await events.waitFor(
        'watch:stats',
        (s) => s.viewerId === id && s.frames === FRAMES,
      );
      expect(stats).toMatchObject({
        state: 'playing',
        gaps: 0,
        skipped: 0,
        dropped: 0,
        error: null,
      });
      expect(frames.map((f) => f.header.seq)).toEqual([...Array(FRAMES).keys()]);
      expect(frames[0]?.header).toMatchObject({
        viewerId: id,
        type: 'image/jpeg',
        width: 320,
        height: 180,
        dropped: 0,
      });
      expect(frames.every((f) => f.size > 100)).toBe(true);
      await call(services, 'watch:stop', { viewerId: id });
      await events.waitFor('watch:stats', (s) => s.viewerId === id && s.state === 'stopped');
      collector.off();
    });

    it('produces H.264 with the codec options it was given, and plays it back as access units', async () => {
      const h264Topic = topicName('h264');
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic: h264Topic,
        realtime: false,
        loop: false,
        format: 'kvs',
        codec: 'h264',
        bitrateKbps: 300,
        keyframeIntervalS: 0.5,
      });
      const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId, 60_000);
      expect(ended).toMatchObject({ ok: true, frames: FRAMES, acked: FRAMES, failed: 0 });

      const collector = collectFrames(services, { ack: true });
      const id = (
        await call(services, 'watch:start', {
          viewerId: newViewerId(),
          topic: h264Topic,
          from: { kind: 'beginning' },
          pace: false,
        })
      ).viewerId;
      await until(() => collector.frames(id).length >= FRAMES, 'all access units');
      const headers = collector.frames(id).map((f) => f.header);
      collector.off();
      await call(services, 'watch:stop', { viewerId: id });
      expect(headers.every((h) => h.type === 'video/h264')).toBe(true);
      // 10 fps and a keyframe every 0.5 s: frames 0, 5, 10, …
      expect(headers.filter((h) => h.keyframe).map((h) => h.seq)).toEqual(
        Array.from({ length: FRAMES / 5 }, (_, i) => i * 5),
      );
      expect(headers[0]?.codec).toMatch(/^avc1\.[0-9A-F]{6}$/);
    });

    it('newest frame wins: without acks only 2 packets go out and dropped grows; an ack sends the newest', async () => {
      const collector = collectFrames(services, { ack: false });
      const { viewerId } = await call(services, 'watch:start', {
        viewerId: newViewerId(),
        topic,
        from: { kind: 'beginning' },
        pace: false,
      });
      const frames = (): Received[] => collector.frames(viewerId);
      const stats = await events.waitFor(
        'watch:stats',
        (s) => s.viewerId === viewerId && s.frames === FRAMES,
      );
      expect(frames()).toHaveLength(2);
      expect(stats.dropped).toBe(FRAMES - 3); // 2 delivered, 1 waiting, the rest replaced
      services.ackFrame(viewerId);
      expect(frames()).toHaveLength(3);
      expect(frames()[2]?.header).toMatchObject({ seq: FRAMES - 1, dropped: FRAMES - 3 });
      services.ackFrame(viewerId);
      services.ackFrame(viewerId);
      expect(frames()).toHaveLength(3); // nothing newer is waiting

      // new frames flow again now that the page keeps up
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic,
        realtime: false,
        loop: false,
        format: 'kvs',
      });
      await events.waitFor('produce:ended', (e) => e.jobId === jobId, 60_000);
      await until(() => frames().length >= 5, 'frames after acks');
      expect(frames()).toHaveLength(5); // two slots free again; then the newest waits
      await call(services, 'watch:stop', { viewerId });
      collector.off();
    });

    it('stops a looping job cleanly: ended with cancelled = true', async () => {
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic,
        realtime: true,
        loop: true,
        format: 'kvs',
      });
      await events.waitFor('produce:progress', (p) => p.jobId === jobId && p.acked > 0, 30_000);
      expect(await call(services, 'produce:stop', { jobId })).toEqual({});
      const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId);
      expect(ended).toMatchObject({ ok: true, cancelled: true, error: null });
      expect(ended.acked).toBeGreaterThan(0);
      expect(ended.acked).toBe(ended.frames);
    });

    it('garbage on a live-watched topic: the viewer keeps playing, shows the images and counts the skips', async () => {
      const mixed = topicName('garbage');
      await call(services, 'topics:create', { topic: mixed });
      const collector = collectFrames(services, { ack: true });
      const { viewerId } = await call(services, 'watch:start', {
        viewerId: newViewerId(),
        topic: mixed,
        from: { kind: 'live' },
        pace: false,
      });
      await events.waitFor('watch:stats', (s) => s.viewerId === viewerId && s.state === 'playing');
      const produceOnce = async (): Promise<void> => {
        const { jobId } = await call(services, 'produce:start', {
          videoId,
          topic: mixed,
          realtime: false,
          loop: false,
          format: 'kvs',
        });
        expect(
          await events.waitFor('produce:ended', (e) => e.jobId === jobId, 60_000),
        ).toMatchObject({ acked: FRAMES });
      };
      await produceOnce();
      // someone else writes to the topic: noise, an empty value, a tombstone, a cut JPEG, JSON, and one PNG
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      );
      const other = createKafka({ bootstrap }).kafka.producer();
      await other.connect();
      await other.send({
        topic: mixed,
        acks: -1,
        messages: [
          { value: randomBytes(3000) },
          { value: Buffer.alloc(0) },
          { value: null },
          {
            value: Buffer.from([
              0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 3, 4, 5,
            ]),
          },
          { value: Buffer.from(JSON.stringify({ frame: 'aGVsbG8=', seq: 1 })) },
          { value: png },
        ],
      });
      await other.disconnect();
      await produceOnce();
      await until(
        () => collector.frames(viewerId).length >= 2 * FRAMES + 1,
        'the frames after the garbage',
      );
      const stats = await events.waitFor(
        'watch:stats',
        (s) => s.viewerId === viewerId && s.frames === 2 * FRAMES + 1 && s.skipped === 5,
      );
      expect(stats).toMatchObject({ state: 'playing', error: null, gaps: 0 });
      expect(collector.frames(viewerId).map((f) => f.header.type)).toContain('image/png');
      await call(services, 'watch:stop', { viewerId });
      collector.off();
    });

    it('refuses to watch a topic that does not exist, as data', async () => {
      const error = await callError(services, 'watch:start', {
        viewerId: newViewerId(),
        topic: topicName('missing'),
        from: { kind: 'live' },
        pace: false,
      });
      expect(error.code).toBe('TOPIC_NOT_FOUND');
    });

    it('a viewer whose topic is deleted reports it and the app services keep working', async () => {
      const doomed = topicName('doomed');
      await call(services, 'topics:create', { topic: doomed });
      const { viewerId } = await call(services, 'watch:start', {
        viewerId: newViewerId(),
        topic: doomed,
        from: { kind: 'live' },
        pace: false,
      });
      await events.waitFor('watch:stats', (s) => s.viewerId === viewerId && s.state === 'playing');
      await call(services, 'topics:delete', { topic: doomed });
      // kafkajs either reports an error (reconnecting/failed) or keeps polling the empty topic;
      // both are fine, as long as nothing throws and the viewer can be stopped
      expect((await call(services, 'connection:status', {})).state).toBe('connected');
      expect(await call(services, 'watch:stop', { viewerId })).toEqual({});
      const last = await events.waitFor(
        'watch:stats',
        (s) => s.viewerId === viewerId && (s.state === 'stopped' || s.state === 'failed'),
      );
      expect(['stopped', 'failed']).toContain(last.state);
    });

    it('connecting again to the same address keeps the connection and its viewers', async () => {
      const { viewerId } = await call(services, 'watch:start', {
        viewerId: newViewerId(),
        topic,
        from: { kind: 'live' },
        pace: false,
      });
      await events.waitFor('watch:stats', (s) => s.viewerId === viewerId && s.state === 'playing');
      const before = events.of('connection:status').length;
      expect(await call(services, 'connection:connect', { bootstrap })).toMatchObject({
        state: 'connected',
        bootstrap,
      });
      expect(events.of('connection:status')).toHaveLength(before); // nothing was closed or reopened
      // the viewer is still there: watch:start from a page that raced the connect would have found it
      expect((await call(services, 'topics:list', {})).some((t) => t.name === topic)).toBe(true);
      expect(
        events
          .of('watch:stats')
          .filter((s) => s.viewerId === viewerId)
          .at(-1)?.state,
      ).toBe('playing');
      await call(services, 'watch:stop', { viewerId });
    });

    it('disconnect stops every viewer and job of the connection', async () => {
      const { viewerId } = await call(services, 'watch:start', {
        viewerId: newViewerId(),
        topic,
        from: { kind: 'live' },
        pace: false,
      });
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic,
        realtime: true,
        loop: true,
        format: 'kvs',
      });
      const status = await call(services, 'connection:disconnect', {});
      expect(status.state).toBe('disconnected');
      await events.waitFor('watch:stats', (s) => s.viewerId === viewerId && s.state === 'stopped');
      expect(await events.waitFor('produce:ended', (e) => e.jobId === jobId)).toMatchObject({
        cancelled: true,
      });
      expect((await callError(services, 'topics:list', {})).message).toBe(
        'Connect to a broker first.',
      );
    });
  });
});
