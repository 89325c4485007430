/** The topic name forms check the trimmed text (and send the trimmed text) against Kafka's rule. */
import { topicNameProblem } from '../../../electron/shared/topic-name.js';

/** null when the name is fine, else what is wrong with it. */
export function topicNameError(raw: string): string | null {
  return topicNameProblem(raw.trim());
}
