/**
 * Test support: a stream's frames as the topic itself holds them — read raw with a plain kafkajs
 * consumer (topic-messages.ts), not through a viewer, whose sequence tracker shows a repeated frame
 * once and so would hide duplicates — and a check of how they repeat.
 *
 * After a partition leader moves, the producer may send a batch again that the old leader had
 * already written (producer.ts): the topic then holds that batch twice, back to back. That is the
 * only repeat allowed: a run of repeats must be one contiguous block ending at the newest frame
 * before it. Anything else (a frame missing, a repeat out of that shape, an old frame after newer
 * ones) is reported.
 */
import { decodeMessage } from '../../electron/core/kafka/wire-format.js';
import type { KafkaHandle } from '../../electron/core/kafka/client.js';
import { readTopic } from './topic-messages.js';

/** Every frame's kvs-seq in the topic (partition order; end-of-stream markers left out). */
export async function rawFrameSeqs(handle: KafkaHandle, topic: string): Promise<number[]> {
  const messages = await readTopic(handle, topic, 60_000);
  return messages.flatMap((m) => {
    const d = decodeMessage(m.value, m.headers);
    return d.kind === 'eos' || d.kind === 'skip' || d.meta.seq === null ? [] : [d.meta.seq];
  });
}

export interface FrameOrder {
  /** Each frame's first appearance, in topic order. */
  readonly firsts: number[];
  /** Frames in the topic more than once (re-sent batches). */
  readonly repeats: number;
  /** Why the repeats are not re-sent batches (null when they all are). */
  readonly problem: string | null;
}

export function frameOrder(seqs: readonly number[]): FrameOrder {
  const firsts: number[] = [];
  let newest = -1;
  let repeats = 0;
  let i = 0;
  while (i < seqs.length) {
    const s = seqs[i] ?? 0;
    if (s > newest) {
      firsts.push(s);
      newest = s;
      i += 1;
      continue;
    }
    // a re-sent batch: s, s+1, …, newest, right after the first copy
    for (let want = s; want <= newest; want += 1, i += 1) {
      if (seqs[i] !== want)
        return {
          firsts,
          repeats,
          problem: `at message ${i}: frame ${String(seqs[i])} where a re-sent batch ${s}…${newest} would have ${want}`,
        };
      repeats += 1;
    }
  }
  return { firsts, repeats, problem: null };
}
