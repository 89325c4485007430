/**
 * Test support: every message of a topic, from the beginning up to its end offsets at the time of
 * the call, read with a plain kafkajs consumer (no viewer in between), in order per partition.
 */
import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import type { KafkaHandle } from '../../electron/core/kafka/client.js';

export interface TopicMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export async function readTopic(
  handle: KafkaHandle,
  topic: string,
  timeoutMs = 30_000,
): Promise<TopicMessage[]> {
  const admin = handle.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
  );
  const messages: TopicMessage[] = [];
  if (remaining.size === 0) return messages;
  const consumer = handle.kafka.consumer({
    groupId: `test-read-${randomBytes(4).toString('hex')}`,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length} messages of ${topic}, then nothing came`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const offset = Number(message.offset);
            messages.push({
              partition,
              offset,
              key: message.key === null ? null : message.key.toString(),
              value: message.value,
              headers: message.headers ?? {},
            });
            if (offset + 1 >= (remaining.get(partition) ?? Infinity)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** A header's value as a string ('' when absent). */
export function header(m: TopicMessage, name: string): string {
  const v = m.headers[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? '' : one.toString();
}
