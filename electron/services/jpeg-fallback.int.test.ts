/**
 * The JPEG fallback through the app services, against a real broker (the first of kafkaModes())
 * and real ffmpeg: a topic with two H.264 streams, one of a profile browsers refuse
 * (profile_idc 138: avc1.8A00LL); the page asks `watch:fallback` for that one, and from its next
 * keyframe on it arrives as JPEG packets carrying the access units' seq and pts, marked
 * `transcodedFrom`, while the other stream arrives as it is. Only the page that started the
 * viewer may ask; watch:stop kills the ffmpeg.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import {
  createTopic,
  h264Message,
  makeH264Clip,
  sendMessages,
  type H264Clip,
} from '../../scripts/test-support/h264-topic.js';
import { until } from '../../scripts/test-support/service-calls.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';
import { codecString, NAL, nalUnits } from '../core/h264/annexb.js';
import { jpegDimensions } from '../core/ffmpeg/jpeg-splitter.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { createKafka } from '../core/kafka/client.js';
import type { OutgoingMessage } from '../core/kafka/wire-format.js';
import { decodeFramePacket, type FramePacketHeader } from '../shared/frame-packet.js';
import { createAppServices, type AppServices } from './app-services.js';

const target = kafkaModes()[0];

/** ffmpeg processes that are children of this process. */
async function ffmpegChildren(): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && m[1] === 'ffmpeg' && Number(m[2]) === process.pid) out.push(Number(name));
  }
  return out;
}

describe.skipIf(!hasKafka())(`JPEG fallback on a real broker (${target?.mode ?? 'none'})`, () => {
  const bootstrap = target?.bootstrap ?? '';
  let dir = '';
  let services: AppServices;
  let clip: H264Clip; // 3 s, 320×180, 30 fps, keyframes 0, 30, 60
  let odd: H264Clip; // the same, profile_idc 138 in every SPS

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-fallback-int-'));
    services = createAppServices({
      userDataDir: path.join(dir, 'user'),
      allowOpenPath: false,
      ffmpeg: await locateFfmpeg(),
    });
    clip = await makeH264Clip({ seconds: 3, width: 320, height: 180, fps: 30, gop: 30 });
    const units = clip.units.map((u) => {
      const out = Buffer.from(u);
      for (const n of nalUnits(out)) if (n.type === NAL.sps) out[n.start + 1] = 138;
      return out;
    });
    odd = { ...clip, units, codec: codecString(units[0] ?? Buffer.alloc(0)) ?? '' };
    expect(odd.codec).toMatch(/^avc1\.8A00/);
    const reply = await services.handle('connection:connect', { bootstrap }, { client: 'page-a' });
    expect(reply.ok).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await services?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes the asked stream to JPEG from its next keyframe; the other stream is untouched; stop kills ffmpeg', async () => {
    const topic = `services-fallback-${randomBytes(3).toString('hex')}`;
    const handle = createKafka({ bootstrap, clientId: 'kvs-test-fallback' });
    await createTopic(handle, topic);
    const both = (from: number, to: number): OutgoingMessage[] =>
      Array.from({ length: to - from }, (_, k) => [
        h264Message(odd, from + k, { streamId: 'odd' }),
        h264Message(clip, from + k, { streamId: 'ok' }),
      ]).flat();
    await sendMessages(handle, topic, both(0, 45));

    const frames: FramePacketHeader[] = [];
    const images: Uint8Array[] = [];
    const off = services.onFrame((viewerId, packet) => {
      const d = decodeFramePacket(packet);
      if (!d.ok) throw new Error(d.error);
      frames.push(d.header);
      images.push(d.image.slice());
      services.ackFrame(viewerId); // a page that keeps up
      return true;
    });
    const viewerId = newViewerId();
    const started = await services.handle(
      'watch:start',
      { viewerId, topic, from: { kind: 'beginning' }, pace: false },
      { client: 'page-a' },
    );
    expect(started.ok).toBe(true);
    await until(() => frames.length === 90, 'the first 45 frames of both streams');
    expect(frames.every((h) => h.type === 'video/h264')).toBe(true);
    expect(frames.find((h) => h.streamId === 'odd')?.codec).toBe(odd.codec);

    // another page may not ask for this viewer; nor may anyone for a viewer that is not there
    const foreign = await services.handle(
      'watch:fallback',
      { viewerId, streamId: 'odd', codec: odd.codec },
      { client: 'page-b' },
    );
    expect(foreign).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const gone = await services.handle(
      'watch:fallback',
      { viewerId: 'nobody', streamId: 'odd', codec: odd.codec },
      { client: 'page-a' },
    );
    expect(gone).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });

    const asked = await services.handle(
      'watch:fallback',
      { viewerId, streamId: 'odd', codec: odd.codec },
      { client: 'page-a' },
    );
    expect(asked).toEqual({ ok: true, result: {} });

    frames.length = 0;
    images.length = 0;
    await sendMessages(handle, topic, both(45, 90));
    // odd: 45–59 are deltas before its next keyframe (60), then 30 JPEGs; ok: all 45 as they are
    await until(() => frames.length === 75, 'JPEGs of 60–89 and the other stream');
    const oddOut = frames.filter((h) => h.streamId === 'odd');
    const okOut = frames.filter((h) => h.streamId === 'ok');
    expect(oddOut.map((h) => h.seq)).toEqual(Array.from({ length: 30 }, (_, k) => 60 + k));
    for (const h of oddOut)
      expect(h).toMatchObject({
        type: 'image/jpeg',
        transcodedFrom: odd.codec,
        keyframe: true,
        codec: null,
        ptsMs: expect.closeTo(((h.seq ?? 0) * 1000) / 30, 0),
      });
    const firstJpeg = images[frames.findIndex((h) => h.streamId === 'odd')];
    expect(jpegDimensions(firstJpeg ?? new Uint8Array())).toEqual({ width: 320, height: 180 });
    expect(okOut.map((h) => h.seq)).toEqual(Array.from({ length: 45 }, (_, k) => 45 + k));
    expect(okOut.every((h) => h.type === 'video/h264' && h.transcodedFrom === undefined)).toBe(
      true,
    );

    expect((await ffmpegChildren()).length).toBe(1);
    const stopped = await services.handle('watch:stop', { viewerId }, { client: 'page-a' });
    expect(stopped).toEqual({ ok: true, result: {} });
    await until(async () => (await ffmpegChildren()).length === 0, 'ffmpeg gone');
    off();
  });
});
