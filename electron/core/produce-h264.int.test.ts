/**
 * H.264 streams into real Kafka (KRaft and ZooKeeper mode) with the real ffmpeg (libx264), read
 * back with a plain kafkajs consumer and decodeMessage: one access unit per message, keyframes
 * every N with SPS/PPS and the codec header, seq/pts in order, the end-of-stream marker, no
 * message over the topic's limit — and a topic too small for the first keyframe.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { header, readTopic, type TopicMessage } from '../../scripts/test-support/topic-messages.js';
import type { KvsError } from '../shared/errors.js';
import { NAL, codecString, nalUnits } from './h264/annexb.js';
import { locateFfmpeg, type FfmpegPaths } from './ffmpeg/locate-ffmpeg.js';
import { createKafka } from './kafka/client.js';
import { createTopic } from './kafka/topics.js';
import { decodeMessage } from './kafka/wire-format.js';
import { produceFile } from './produce-file.js';

let dir: string;
let video: string; // 2 s, 320x180, 30 fps
let ff: FfmpegPaths;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-h264-kafka-'));
  ff = await locateFfmpeg();
  video = await makeTestVideo({ dir, seconds: 2, width: 320, height: 180, fps: 30 });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const topicName = (what: string): string => `it-h264-${what}-${randomBytes(3).toString('hex')}`;

/** The frames of a topic (EOS last), each checked to be one H.264 access unit of ours. */
function frameMessages(messages: readonly TopicMessage[], streamId: string) {
  const eos = messages.at(-1);
  expect(eos && header(eos, 'kvs-eos')).toBe('1');
  return messages.slice(0, -1).map((m) => {
    const d = decodeMessage(m.value, m.headers);
    if (d.kind !== 'frame') throw new Error(`offset ${m.offset} is a ${d.kind}`);
    expect(d.type).toBe('video/h264');
    expect(m.key).toBe(streamId);
    expect(header(m, 'content-type')).toBe('video/h264');
    const types = nalUnits(d.image).map((n) => n.type);
    expect(types[0]).toBe(NAL.aud); // one access unit, delimiter first
    expect(types.filter((t) => t === NAL.aud)).toHaveLength(1);
    expect(header(m, 'kvs-keyframe')).toBe(d.keyframe ? '1' : '0');
    if (d.keyframe) expect(types).toEqual(expect.arrayContaining([NAL.sps, NAL.pps, NAL.idr]));
    return {
      seq: Number(header(m, 'kvs-seq')),
      pts: Number(header(m, 'kvs-pts-ms')),
      keyframe: d.keyframe,
      codec: header(m, 'kvs-codec'),
      bytes: m.value?.length ?? 0,
      image: d.image,
    };
  });
}

describe.each(kafkaModes())('H.264 producer on Kafka in $mode mode', ({ bootstrap }) => {
  const handle = createKafka({ bootstrap });

  it('one message per access unit: keyframes every N with SPS/PPS and the codec, seq and pts in order, EOS', async () => {
    const topic = topicName('roundtrip');
    const result = await produceFile(
      handle,
      video,
      { topic, codec: 'h264', keyframeIntervalS: 0.5, streamId: 'cam-1' },
      { ffmpeg: ff },
    );
    expect(result).toMatchObject({
      frames: 60,
      acked: 60,
      failed: 0,
      keyframes: 4,
      rateLowered: null,
    });
    expect(result.info).toMatchObject({ codec: 'h264', h264: { keyframeInterval: 15 } });
    expect(result.codec).toMatch(/^avc1\.[0-9A-F]{6}$/);

    const messages = await readTopic(handle, topic);
    expect(messages).toHaveLength(61);
    expect(header(messages[60]!, 'kvs-total-frames')).toBe('60');
    expect(header(messages[60]!, 'kvs-seq')).toBe('60');
    const frames = frameMessages(messages, 'cam-1');
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames.map((f) => f.pts)).toEqual(frames.map((_, i) => Math.round((i * 1000) / 30)));
    expect(frames.filter((f) => f.keyframe).map((f) => f.seq)).toEqual([0, 15, 30, 45]);
    expect(new Set(frames.map((f) => f.codec))).toEqual(new Set([result.codec]));
    expect(codecString(frames[0]!.image)).toBe(result.codec);
    const largest = Math.max(...frames.map((f) => f.bytes));
    expect(largest).toBe(result.largestFrameBytes);
    expect(largest).toBeLessThan(result.maxMessageBytes);
  });

  it('loop: every pass starts with a keyframe, seq and pts keep counting', async () => {
    const topic = topicName('loop');
    const controller = new AbortController();
    const result = await produceFile(
      handle,
      video,
      {
        topic,
        codec: 'h264',
        loop: true,
        streamId: 'loop',
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.acked >= 130) controller.abort();
        },
      },
      { ffmpeg: ff },
    );
    expect(result.cancelled).toBe(true);
    const frames = frameMessages(await readTopic(handle, topic), 'loop');
    expect(frames.length).toBeGreaterThanOrEqual(130);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    for (let i = 1; i < frames.length; i++)
      expect(frames[i]!.pts).toBeGreaterThan(frames[i - 1]!.pts);
    // 1 s keyframe interval and a 2 s file: a keyframe at each pass start (0, 60, 120, …) and
    // between, and nowhere else (how many frames went out before the abort took hold varies)
    expect(frames.filter((f) => f.keyframe).map((f) => f.seq)).toEqual(
      Array.from({ length: Math.ceil(frames.length / 30) }, (_, i) => i * 30),
    );
  });

  it('an access unit over the topic limit: the encoder starts again lower, says so once, and every message fits', async () => {
    const topic = topicName('small');
    const limit = 7000; // 320x180 keyframes: ~10 KB at 2000 kbit/s, ~9 KB at 1000, ~6 KB at 500
    await createTopic(handle, topic, { config: { 'max.message.bytes': String(limit) } });
    const warnings: KvsError[] = [];
    const result = await produceFile(
      handle,
      video,
      {
        topic,
        codec: 'h264',
        bitrateKbps: 2000,
        streamId: 'small',
        onWarning: (w) => warnings.push(w),
      },
      { ffmpeg: ff },
    );
    expect(result).toMatchObject({ frames: 60, acked: 60, failed: 0, maxMessageBytes: limit });
    expect(result.rateLowered).toMatch(/^the bitrate from \d+ kbit\/s to \d+ kbit\/s$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      code: 'FRAME_TOO_LARGE',
      message: expect.stringMatching(
        /larger than topic .* allows .*encoding again from that frame with the bitrate from 2000 kbit\/s to 1000 kbit\/s/,
      ),
    });
    const messages = await readTopic(handle, topic);
    for (const m of messages) expect(m.value?.length ?? 0).toBeLessThan(limit);
    const frames = frameMessages(messages, 'small');
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames[0]?.keyframe).toBe(true);
  });

  it('refuses plainly when even the lowest rate does not fit', async () => {
    const topic = topicName('tiny');
    await createTopic(handle, topic, { config: { 'max.message.bytes': '2000' } });
    await expect(
      produceFile(handle, video, { topic, codec: 'h264', bitrateKbps: 2000 }, { ffmpeg: ff }),
    ).rejects.toMatchObject({
      code: 'FRAME_TOO_LARGE',
      message: expect.stringMatching(
        /H\.264 keyframe.*accepts at most 2\.0 KiB.*even after lowering the bitrate from 250 kbit\/s to 125 kbit\/s.*--bitrate/,
      ),
    });
    await expect(
      produceFile(handle, video, { topic, codec: 'h264', oversize: 'refuse' }, { ffmpeg: ff }),
    ).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });
});

describe('H.264 and the tutorial format', () => {
  it('raw + h264 is refused before any network step', async () => {
    const handle = createKafka({ bootstrap: '127.0.0.1:1' });
    await expect(
      produceFile(handle, video, { topic: 't', codec: 'h264', format: 'raw' }, { ffmpeg: ff }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/JPEG images only/),
    });
  });
});
