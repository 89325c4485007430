/**
 * Kafka's own rule for topic names, with a message a person can act on. Pure and dependency-free:
 * the contract (zod), the core (before any network step) and the forms all use this one rule.
 */
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** null when `name` is a legal topic name, else what is wrong with it. */
export function topicNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Enter a topic name.';
  if (name.length > 249)
    return `The topic name is ${name.length} characters long; Kafka allows at most 249.`;
  if (name === '.' || name === '..') return `"${name}" is not allowed as a topic name.`;
  if (!LEGAL.test(name)) {
    const bad = [...new Set([...name].filter((c) => !LEGAL.test(c)))]
      .slice(0, 8)
      .map((c) => (c === ' ' ? 'space' : JSON.stringify(c)))
      .join(', ');
    return `A topic name may use only letters, digits, ".", "_" and "-" (not ${bad}).`;
  }
  if (name.startsWith('__'))
    return 'Topic names starting with "__" are reserved for Kafka\'s internal topics.';
  return null;
}
