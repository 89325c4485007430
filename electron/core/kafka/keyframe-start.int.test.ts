/**
 * A viewer on a real broker begins an H.264 stream at its last keyframe (keyframe-start.ts), live
 * or from a time: the group since that keyframe is handed over at once, marked as catch-up, then
 * the frames to show follow. Images in the history are not shown, as live always did. Access units here are
 * minimal Annex B units (an AUD, then an IDR or a non-IDR slice): the viewer reads NAL types,
 * it does not decode.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kafkaModes } from '../../../scripts/test-support/kafka-env.js';
import {
  FAKE_JPEG as JPEG,
  fakeH264Message as frame,
} from '../../../scripts/test-support/h264-fake-units.js';
import { sendMessages as send } from '../../../scripts/test-support/h264-topic.js';
import { until } from '../../../scripts/test-support/service-calls.js';
import { createKafka, type KafkaHandle } from './client.js';
import { createTopic } from './topics.js';
import { startViewer, type ViewerFrame } from './viewer.js';
import type { OutgoingMessage } from './wire-format.js';

const [target] = kafkaModes();

describe.skipIf(target === undefined)('starting at the last keyframe (real broker)', () => {
  // made on first use: without a broker the suite is skipped, and '' is no address
  let client: KafkaHandle | null = null;
  const kafka = (): KafkaHandle => (client ??= createKafka({ bootstrap: target?.bootstrap ?? '' }));
  const topicName = (what: string): string => `live-${what}-${randomBytes(3).toString('hex')}`;

  it('hands over the group since the last keyframe at once, then plays live', async () => {
    const topic = topicName('h264');
    await createTopic(kafka(), topic);
    // 3 GOPs of 10 (a keyframe, 9 deltas), then a keyframe and 3 deltas: the last keyframe is seq 30
    const history = Array.from({ length: 34 }, (_, seq) => frame('cam', seq, seq % 10 === 0));
    await send(kafka(), topic, [...history, { key: 'pics', value: JPEG, headers: {} }]);

    const frames: ViewerFrame[] = [];
    const viewer = await startViewer(kafka(), {
      topic,
      from: { kind: 'live' },
      onFrame: (f) => void frames.push(f),
    });
    try {
      await until(() => frames.length >= 4, 'the last group');
      expect(frames.map((f) => f.seq)).toEqual([30, 31, 32, 33]);
      expect(frames[0]?.keyframe).toBe(true);
      expect(
        frames.every((f) => f.catchUp && f.type === 'video/h264' && f.codec === 'avc1.42C01F'),
      ).toBe(true);

      await send(kafka(), topic, [frame('cam', 34, false), frame('cam', 35, false)]);
      await until(() => frames.length >= 6, 'the live frames');
      expect(frames.slice(4).map((f) => [f.seq, f.catchUp])).toEqual([
        [34, false],
        [35, false],
      ]);
      expect(viewer.stats.gaps).toBe(0);
    } finally {
      await viewer.stop();
    }
  });

  it('shows nothing from the history of an image stream, or of a stream that ended', async () => {
    const topic = topicName('ended');
    await createTopic(kafka(), topic);
    const ended = Array.from({ length: 5 }, (_, seq) => frame('old', seq, seq === 0));
    const eos: OutgoingMessage = {
      key: 'old',
      value: Buffer.alloc(0),
      headers: { 'kvs-stream-id': 'old', 'kvs-eos': '1' },
    };
    await send(kafka(), topic, [...ended, eos, { key: 'pics', value: JPEG, headers: {} }]);

    const frames: ViewerFrame[] = [];
    const viewer = await startViewer(kafka(), {
      topic,
      from: { kind: 'live' },
      onFrame: (f) => void frames.push(f),
    });
    try {
      await viewer.ready;
      await send(kafka(), topic, [{ key: 'pics', value: JPEG, headers: {} }]);
      await until(() => frames.length >= 1, 'the new image');
      expect(frames.map((f) => [f.type, f.catchUp])).toEqual([['image/jpeg', false]]);
    } finally {
      await viewer.stop();
    }
  });

  it('from a time: decodes from the keyframe before it, shows from the frame at that time', async () => {
    const topic = topicName('seek');
    await createTopic(kafka(), topic);
    // 60 frames 100 ms apart (message timestamps), a keyframe every 20
    const t0 = Date.now() - 60_000;
    await send(
      kafka(),
      topic,
      Array.from({ length: 60 }, (_, seq) => frame('cam', seq, seq % 20 === 0, t0 + seq * 100)),
    );

    const frames: ViewerFrame[] = [];
    const viewer = await startViewer(kafka(), {
      topic,
      from: { kind: 'timestamp', ms: t0 + 47 * 100 },
      untilCaughtUp: true,
      onFrame: (f) => void frames.push(f),
    });
    await viewer.done;
    // the keyframe before frame 47 is 40: 40–46 to decode only, then 47 onwards to show
    expect(frames.filter((f) => f.catchUp).map((f) => f.seq)).toEqual([40, 41, 42, 43, 44, 45, 46]);
    expect(frames.filter((f) => !f.catchUp).map((f) => f.seq)).toEqual(
      Array.from({ length: 13 }, (_, i) => 47 + i),
    );
    expect(frames[0]?.keyframe).toBe(true);
  });
});
