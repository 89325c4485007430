/** The connected cluster's topics (not the internal ones) as suggestions for a topic input. */
import type { TopicSummary } from '../../../electron/shared/contract.js';

export function TopicSuggestions({
  id,
  topics,
}: {
  /** The input's `list`. */
  readonly id: string;
  readonly topics: readonly TopicSummary[];
}) {
  return (
    <datalist id={id}>
      {topics
        .filter((t) => !t.internal)
        .map((t) => (
          <option key={t.name} value={t.name} />
        ))}
    </datalist>
  );
}
