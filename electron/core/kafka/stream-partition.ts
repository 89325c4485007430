/**
 * Which partition a stream's frames go to: its key's, by kafkajs's own default partitioner (the
 * one every producer here uses; murmur2 of the key modulo the partition count, as Java's client
 * computes it), so the answer is exactly where the producer sends it. Known before the first send,
 * so the producer's leader watch follows that partition from the start (leader-watch.ts).
 */
import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from './kafkajs.js';

/** The partition of `key` in a topic of `partitions` partitions (0…partitions-1). */
export function partitionForKey(key: string, partitions: number, topic = 'topic'): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions: ${partitions}`);
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({
    topic,
    partitionMetadata,
    message: { key, value: null },
  });
}
