/**
 * A camera in the page, host side (issue 17), on a real broker: camera packets as a page sends
 * them (a real x264 clip cut into access units, as WebCodecs would give them) go through the app
 * services' camera:start and the same producer as a file, into Kafka. Read back raw: the frames
 * in order, unchanged, keyframes with SPS and PPS, the wire headers and the end marker. Packets
 * of another page, garbage and repeated frames are refused; a page that goes ends its job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { makeH264Clip, type H264Clip } from '../../scripts/test-support/h264-topic.js';
import { call, EventLog } from '../../scripts/test-support/service-calls.js';
import { readTopic } from '../../scripts/test-support/topic-messages.js';
import { encodeCameraPacket } from '../shared/camera-packet.js';
import { InvokeReply } from '../shared/contract.js';
import { NAL, nalUnits } from '../core/h264/annexb.js';
import { createKafka } from '../core/kafka/client.js';
import type { ProduceEndedEvent } from '../shared/contract.js';
import { createAppServices, type AppServices } from './app-services.js';
import { createCameraJobs } from './camera-jobs.js';

const target = kafkaModes()[0];

describe.skipIf(!hasKafka())(`camera jobs on a real broker (${target?.mode ?? 'none'})`, () => {
  const bootstrap = target?.bootstrap ?? '';
  let dir: string;
  let services: AppServices;
  let events: EventLog;
  let clip: H264Clip;

  const cameraStart = async (topic: string, client: string): Promise<string> => {
    const reply = InvokeReply.parse(
      await services.handle(
        'camera:start',
        {
          topic,
          codec: 'h264',
          width: clip.width,
          height: clip.height,
          fps: clip.fps,
          format: 'kvs',
        },
        { client },
      ),
    );
    if (!reply.ok) throw new Error(reply.error.message);
    return (reply.result as { jobId: string }).jobId;
  };
  const isKey = (unit: Buffer): boolean => nalUnits(unit).some((n) => n.type === NAL.idr);
  const packet = (jobId: string, seq: number, i: number): Uint8Array =>
    encodeCameraPacket(
      {
        jobId,
        seq,
        ptsMs: (i * 1000) / clip.fps,
        capturedAt: Date.now(),
        width: clip.width,
        height: clip.height,
        keyframe: isKey(clip.units[i]!),
        codec: clip.codec,
      },
      clip.units[i]!,
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-camera-int-'));
    clip = await makeH264Clip({ seconds: 2, width: 320, height: 240, fps: 15, gop: 15 });
    services = createAppServices({ userDataDir: path.join(dir, 'user'), allowOpenPath: false });
    events = new EventLog(services);
    await call(services, 'connection:connect', { bootstrap });
  });

  afterAll(async () => {
    await services?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("produces a page's camera packets into Kafka: in order, unchanged, keyframes with SPS/PPS; other pages' packets and garbage refused", async () => {
    const topic = `camera-${randomBytes(3).toString('hex')}`;
    const jobId = await cameraStart(topic, 'page-1');
    const n = clip.units.length;
    expect(n).toBe(30);

    // the trust boundary: another page's packet for this job, garbage, a packet for no job
    services.cameraFrame(packet(jobId, 0, 0), 'page-2');
    services.cameraFrame(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'page-1');
    services.cameraFrame(packet('no-such-job', 0, 0), 'page-1');
    for (let i = 0; i < n; i++) {
      services.cameraFrame(packet(jobId, i, i), 'page-1');
      // a repeat of the frame just sent: refused, not produced twice
      if (i === 5) services.cameraFrame(packet(jobId, i, i), 'page-1');
      // at the camera's pace (the queue between page and producer is bounded)
      await new Promise((r) => setTimeout(r, 1000 / clip.fps));
    }
    // Stop: the frames already received still go (the queue drains), then the end marker
    await call(services, 'produce:stop', { jobId });
    const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId);
    expect(ended).toMatchObject({ ok: true, frames: n, acked: n, failed: 0, error: null });
    const last = events
      .of('produce:progress')
      .filter((p) => p.jobId === jobId)
      .at(-1);
    expect(last?.dropped).toBe(0);

    const messages = await readTopic(createKafka({ bootstrap, clientId: 'kvs-camera-int' }), topic);
    const frames = messages.filter((m) => (m.value?.length ?? 0) > 0);
    expect(frames).toHaveLength(n);
    const streamId = frames[0]?.key;
    frames.forEach((m, i) => {
      expect(m.key).toBe(streamId);
      expect(m.headers['kvs-seq']?.toString()).toBe(String(i));
      expect(m.headers['content-type']?.toString()).toBe('video/h264');
      expect(m.headers['kvs-codec']?.toString()).toBe(clip.codec);
      expect(m.headers['kvs-width']?.toString()).toBe(String(clip.width));
      expect(m.headers['kvs-keyframe']?.toString()).toBe(isKey(clip.units[i]!) ? '1' : '0');
      expect(m.value?.equals(clip.units[i]!), `frame ${i} unchanged`).toBe(true);
    });
    const keyframes = frames.filter((m) => m.headers['kvs-keyframe']?.toString() === '1');
    expect(keyframes.map((m) => Number(m.headers['kvs-seq']?.toString()))).toEqual([0, 15]);
    for (const k of keyframes) {
      const types = nalUnits(k.value!).map((u) => u.type);
      expect(types).toEqual(expect.arrayContaining([NAL.sps, NAL.pps, NAL.idr]));
    }
    const eos = messages.at(-1);
    expect(eos?.headers['kvs-eos']?.toString()).toBe('1');
    expect(eos?.headers['kvs-total-frames']?.toString()).toBe(String(n));
  });

  it('a camera that stops sending ends its job after the idle limit, saying why; the frames before are in the topic', async () => {
    const ended: ProduceEndedEvent[] = [];
    const cameras = createCameraJobs({
      connection: {
        require: () => ({
          handle: createKafka({ bootstrap, clientId: 'kvs-camera-idle' }),
          bootstrap,
          securityKey: '',
        }),
        reportLink: () => undefined,
      },
      emit: (channel, payload) => {
        if (channel === 'produce:ended') ended.push(payload as ProduceEndedEvent);
      },
      now: () => performance.now(),
      idleMs: 1500,
    });
    const { jobId } = await cameras.start(
      {
        topic: `camera-idle-${randomBytes(3).toString('hex')}`,
        codec: 'h264',
        width: clip.width,
        height: clip.height,
        fps: clip.fps,
        format: 'kvs',
      },
      { client: 'page-9' },
    );
    expect(cameras.packet(packet(jobId, 0, 0), 'page-9')).toBe('queued');
    expect(cameras.packet(packet(jobId, 1, 1), 'page-9')).toBe('queued');
    expect(cameras.packet(packet(jobId, 2, 2), 'page-8')).toBe('refused');
    await vi.waitFor(() => expect(ended).toHaveLength(1), { timeout: 20_000 });
    expect(ended[0]).toMatchObject({ jobId, ok: false, acked: 2, failed: 0, cancelled: false });
    expect(ended[0]?.error).toMatchObject({
      code: 'CAMERA_STALLED',
      message: expect.stringMatching(/No frame came from the camera for 2 s/),
    });
    expect(cameras.refused()).toBe(1);
  });

  it('a page that goes ends its camera job, saying why', async () => {
    const jobId = await cameraStart(`camera-gone-${randomBytes(3).toString('hex')}`, 'page-3');
    services.cameraFrame(packet(jobId, 0, 0), 'page-3');
    await services.releaseClient('page-3', { jobs: false });
    const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId);
    expect(ended.ok).toBe(false);
    expect(ended.error?.message).toMatch(/page that sent the camera frames went away/);
  });
});
