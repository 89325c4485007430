/**
 * A viewer played like a video on a real broker: seeks on its own consumer land on the exact frame
 * (an H.264 stream decodes from the keyframe before it: those frames come as catch-up), a paused
 * seek shows that one frame and pauses, play goes on from there, a seek back shows frames again
 * (not counted as repeats), and a seek to live waits for new frames. Frames carry the seek's
 * number. Access units are minimal Annex B units: the viewer reads NAL types, it does not decode.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kafkaModes } from '../../../scripts/test-support/kafka-env.js';
import { fakeH264Message as frame } from '../../../scripts/test-support/h264-fake-units.js';
import { sendMessages as send } from '../../../scripts/test-support/h264-topic.js';
import { until } from '../../../scripts/test-support/service-calls.js';
import { createKafka, type KafkaHandle } from './client.js';
import { createTopic } from './topics.js';
import { startViewer, type Viewer, type ViewerFrame } from './viewer.js';

const [target] = kafkaModes();

/** 60 frames 100 ms apart (message times), a keyframe every 10: frame n is at t0 + n × 100. */
const FRAMES = 60;
const GOP = 10;

describe.skipIf(target === undefined)('seeking a viewer (real broker)', () => {
  // made on first use: without a broker the suite is skipped, and '' is no address
  let client: KafkaHandle | null = null;
  const kafka = (): KafkaHandle => (client ??= createKafka({ bootstrap: target?.bootstrap ?? '' }));

  async function topicWithStream(): Promise<{ topic: string; t0: number }> {
    const topic = `seek-${randomBytes(3).toString('hex')}`;
    await createTopic(kafka(), topic);
    const t0 = Date.now() - 120_000;
    await send(
      kafka(),
      topic,
      Array.from({ length: FRAMES }, (_, seq) =>
        frame('cam', seq, seq % GOP === 0, t0 + seq * 100),
      ),
    );
    return { topic, t0 };
  }

  const shown = (frames: ViewerFrame[], epoch: number): Array<number | null> =>
    frames.filter((f) => f.epoch === epoch && !f.catchUp).map((f) => f.seq);
  const caughtUp = (frames: ViewerFrame[], epoch: number): Array<number | null> =>
    frames.filter((f) => f.epoch === epoch && f.catchUp).map((f) => f.seq);

  async function withViewer(
    topic: string,
    run: (viewer: Viewer, frames: ViewerFrame[]) => Promise<void>,
  ): Promise<void> {
    const frames: ViewerFrame[] = [];
    const viewer = await startViewer(kafka(), {
      topic,
      from: { kind: 'beginning' },
      onFrame: (f) => void frames.push(f),
    });
    try {
      await until(() => frames.length >= FRAMES, 'the whole stream');
      await run(viewer, frames);
    } finally {
      await viewer.stop();
    }
  }

  it('a paused seek to a time shows exactly the frame there, after decoding from its keyframe; play goes on', async () => {
    const { topic, t0 } = await topicWithStream();
    await withViewer(topic, async (viewer, frames) => {
      expect(frames.every((f) => f.epoch === 0)).toBe(true);
      // back to frame 25: its keyframe is 20
      const epoch = await viewer.seek({ kind: 'timestamp', ms: t0 + 25 * 100 }, { paused: true });
      expect(epoch).toBe(1);
      await until(() => shown(frames, 1).length >= 1, 'the frame at that time');
      expect(caughtUp(frames, 1)).toEqual([20, 21, 22, 23, 24]);
      expect(shown(frames, 1)).toEqual([25]);
      expect(viewer.paused).toBe(true);
      // paused: the next frame is held back until play (a second is far more than it takes)
      await new Promise((r) => setTimeout(r, 1000));
      expect(shown(frames, 1)).toEqual([25]);

      viewer.play();
      await until(() => shown(frames, 1).length >= FRAMES - 25, 'the rest of the stream');
      expect(shown(frames, 1)).toEqual(Array.from({ length: FRAMES - 25 }, (_, i) => 25 + i));
      // seen before this seek, shown again: not repeats, not gaps
      expect(viewer.stats.repeats).toBe(0);
      expect(viewer.stats.gaps).toBe(0);
    });
  });

  it('steps one frame back and forward by offset', async () => {
    const { topic, t0 } = await topicWithStream();
    await withViewer(topic, async (viewer, frames) => {
      const at40 = frames.find((f) => f.seq === 40 && f.epoch === 0);
      if (!at40) throw new Error('frame 40 was not seen');
      // one frame back from 40: 39, decoded from keyframe 30
      const back = await viewer.seek(
        {
          kind: 'offset',
          partition: at40.partition,
          offset: String(Number(at40.offset) - 1),
          ms: t0 + 39 * 100,
        },
        { paused: true },
      );
      await until(() => shown(frames, back).length >= 1, 'the frame before');
      expect(caughtUp(frames, back)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38]);
      expect(shown(frames, back)).toEqual([39]);

      // and forward again: 40 (a keyframe itself; the group before it still comes as catch-up)
      const forward = await viewer.seek(
        { kind: 'offset', partition: at40.partition, offset: at40.offset, ms: at40.timestamp },
        { paused: true },
      );
      await until(() => shown(frames, forward).length >= 1, 'the frame after');
      expect(caughtUp(frames, forward)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
      expect(shown(frames, forward)).toEqual([40]);
      await new Promise((r) => setTimeout(r, 500));
      expect(shown(frames, forward)).toEqual([40]);
    });
  });

  it('a seek to live shows only frames made after it, from their keyframe', async () => {
    const { topic } = await topicWithStream();
    await withViewer(topic, async (viewer, frames) => {
      const epoch = await viewer.seek({ kind: 'live' });
      // the stream's last group (keyframe 50) comes as catch-up
      await until(() => caughtUp(frames, epoch).length >= 10, 'the last group');
      expect(caughtUp(frames, epoch)).toEqual(Array.from({ length: 10 }, (_, i) => 50 + i));
      await send(kafka(), topic, [frame('cam', 60, false), frame('cam', 61, false)]);
      await until(() => shown(frames, epoch).length >= 2, 'the new frames');
      expect(shown(frames, epoch)).toEqual([60, 61]);
    });
  });

  it('pause holds the next frame back while heartbeating; play goes on with none lost', async () => {
    const { topic } = await topicWithStream();
    await withViewer(topic, async (viewer, frames) => {
      viewer.pause();
      await send(kafka(), topic, [frame('cam', 60, false), frame('cam', 61, false)]);
      // longer than the group's heartbeat interval: the viewer must stay in its group
      await new Promise((r) => setTimeout(r, 3000));
      expect(frames.filter((f) => (f.seq ?? 0) >= 60)).toEqual([]);
      expect(viewer.state).toBe('playing');
      viewer.play();
      await until(() => frames.some((f) => f.seq === 61), 'the frames after the pause');
      expect(frames.filter((f) => (f.seq ?? 0) >= 60).map((f) => f.seq)).toEqual([60, 61]);
    });
  });
});
