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
