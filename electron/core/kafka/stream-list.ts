/**
 * Which streams a topic carries (issue 17; `topics:streams`, `kvs streams`): the newest messages
 * of each partition are read and tallied (stream-tally.ts) — ids, names, partitions, formats,
 * sizes, fps, frames seen, the newest frame's time, and whether each stream has ended.
 *
 * Bounded: at most `perPartition` messages back from each partition's end (as it was when the
 * read began), fetches sized to the topic's largest message, nothing kept but one small entry per
 * stream, and a time limit (`budgetMs`) after which the answer is what was read so far
 * (`complete: false`). One short-lived consumer with its own group (no commits), as the time-range
 * reader in topics.ts. Garbage on the topic is counted, never fatal.
 */
import { randomUUID } from 'node:crypto';
import { KvsError } from '../../shared/errors.js';
import { assertTopicName, translateKafkaError, withTimeout, type KafkaHandle } from './client.js';
import { StreamTally, type StreamEntry } from './stream-tally.js';
import { partitionOffsets, topicExists, topicMaxMessageBytes, withAdmin } from './topics.js';
import { decodeMessage } from './wire-format.js';

/** Messages read back from each partition's end: 10 s of 30 fps × 4 streams sharing one partition would be 1200; 300 is the newest few seconds of each, and enough to see every stream that sent lately. */
export const STREAM_LIST_PER_PARTITION = 300;
export const STREAM_LIST_BUDGET_MS = 6_000;

export interface StreamListOptions {
  readonly perPartition?: number;
  readonly budgetMs?: number;
}

export interface TopicStreamList {
  readonly topic: string;
  readonly partitions: number;
  /** Newest frame first. */
  readonly streams: Array<Omit<StreamEntry, 'lastArrival'>>;
  readonly scanned: number;
  readonly skipped: number;
  readonly complete: boolean;
}

export async function listTopicStreams(
  handle: KafkaHandle,
  topicName: string,
  opts: StreamListOptions = {},
): Promise<TopicStreamList> {
  const topic = assertTopicName(topicName);
  const perPartition = Math.max(1, opts.perPartition ?? STREAM_LIST_PER_PARTITION);
  const budgetMs = opts.budgetMs ?? STREAM_LIST_BUDGET_MS;
  const pre = await withAdmin(
    handle,
    async (admin) => {
      if (!(await topicExists(admin, topic)))
        throw new KvsError(
          'TOPIC_NOT_FOUND',
          `Topic "${topic}" does not exist on ${handle.bootstrap}.`,
        );
      return {
        offsets: await partitionOffsets(admin, topic),
        maxMessageBytes: await topicMaxMessageBytes(admin, topic),
      };
    },
    topic,
  );
  /** partition → [first offset to read, the end when the read began] */
  const ranges = new Map<number, { start: number; end: number }>();
  for (const o of pre.offsets)
    if (o.high > o.low)
      ranges.set(o.partition, { start: Math.max(o.low, o.high - perPartition), end: o.high });
  const tally = new StreamTally();
  const summary = (complete: boolean): TopicStreamList => {
    const r = tally.result();
    return {
      topic,
      partitions: pre.offsets.length,
      streams: r.streams.map(({ lastArrival: _, ...s }) => s),
      scanned: r.scanned,
      skipped: r.skipped,
      complete: complete && r.droppedStreams === 0,
    };
  };
  if (ranges.size === 0) return summary(true);

  const fetchPerPartition = Math.max(pre.maxMessageBytes + 64 * 1024, 1024 * 1024);
  const consumer = handle.kafka.consumer({
    groupId: `kvs-streams-${randomUUID()}`,
    maxBytesPerPartition: fetchPerPartition,
    maxBytes: Math.max(fetchPerPartition * 2, 16 * 1024 * 1024),
    maxWaitTimeInMs: 100,
    retry: { retries: 1 },
  });
  const pending = new Set(ranges.keys());
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const seekAll = (): void => {
    for (const p of pending) {
      const r = ranges.get(p);
      if (r !== undefined) consumer.seek({ topic, partition: p, offset: String(r.start) });
    }
  };
  consumer.on(consumer.events.GROUP_JOIN, () => {
    try {
      seekAll();
    } catch {
      // not up yet: the seek after run() or the next join does it
    }
  });
  let complete = false;
  try {
    await withTimeout(consumer.connect(), budgetMs, `Connecting to ${handle.bootstrap}`);
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        const r = ranges.get(batch.partition);
        if (r === undefined || !pending.has(batch.partition)) return;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < r.start) continue;
          if (offset >= r.end) break;
          // decodeMessage never throws: anything that is not ours or an image is a counted skip
          tally.add(batch.partition, Number(m.timestamp), decodeMessage(m.value, m.headers));
        }
        const last = Number(batch.messages[batch.messages.length - 1]?.offset ?? -1);
        // the end reached (or passed: compaction and transaction markers leave offset holes)
        if (last + 1 >= r.end || Number(batch.highWatermark) <= last + 1) {
          pending.delete(batch.partition);
          if (pending.size === 0) done();
        }
      },
    });
    try {
      seekAll();
    } catch {
      // the group is not joined yet: the join handler seeks
    }
    complete = await withTimeout(finished, budgetMs, 'Reading the newest messages').then(
      () => true,
      () => false,
    );
  } catch (e) {
    // what was read so far is still an answer; a broker that never answered is an error
    if (tally.result().scanned === 0)
      throw translateKafkaError(e, { bootstrap: handle.bootstrap, topic });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return summary(complete);
}
