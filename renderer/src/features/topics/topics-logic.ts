/** The topic table's rows and the create form's check. Pure. */
import type { TopicSummary } from '../../../../electron/shared/contract.js';
import { topicNameError } from '../../shared/topic-name.js';

/** Internal topics (__consumer_offsets, …) only when asked for; by name. */
export function visibleTopics(
  topics: readonly TopicSummary[],
  showInternal: boolean,
): TopicSummary[] {
  return topics
    .filter((t) => showInternal || !t.internal)
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name));
}

export type CreateCheck =
  | { readonly ok: true; readonly topic: string; readonly partitions: number }
  | { readonly ok: false; readonly field: 'name' | 'partitions'; readonly error: string };

export function checkCreate(
  name: string,
  partitions: string,
  existing: readonly TopicSummary[],
): CreateCheck {
  const nameError = topicNameError(name);
  if (nameError) return { ok: false, field: 'name', error: nameError };
  const topic = name.trim();
  if (existing.some((t) => t.name === topic))
    return { ok: false, field: 'name', error: `Topic "${topic}" already exists.` };
  const p = partitions.trim() === '' ? 1 : Number(partitions);
  if (!Number.isInteger(p) || p < 1 || p > 1000)
    return {
      ok: false,
      field: 'partitions',
      error: 'Partitions must be a whole number from 1 to 1000.',
    };
  return { ok: true, topic, partitions: p };
}

/**
 * A cluster's trouble with a topic's copies (issue 16): partitions without a leader (unreadable
 * until a replica is back) or short of in-sync replicas (a broker down or behind); null when fine.
 */
export function replicaWarning(t: TopicSummary): string | null {
  const of = `of ${t.partitions} partition${t.partitions === 1 ? '' : 's'}`;
  if (t.offline > 0)
    return `${t.offline} ${of} have no leader: nothing can be read or written there until a broker holding a copy is back.`;
  if (t.underReplicated > 0)
    return `${t.underReplicated} ${of} have fewer in-sync copies than the ${t.replicationFactor} they should: a broker is down or behind.`;
  return null;
}
