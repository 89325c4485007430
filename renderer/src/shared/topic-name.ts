/** Kafka's own rule for topic names, with a message a person can act on. */
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** null when the name is fine, else what is wrong with it. */
export function topicNameError(raw: string): string | null {
  const name = raw.trim();
  if (name === '') return 'Enter a topic name.';
  if (name.length > 249)
    return `The topic name is ${name.length} characters long; Kafka allows at most 249.`;
  if (name === '.' || name === '..') return `"${name}" is not allowed as a topic name.`;
  if (!LEGAL.test(name)) {
    const bad = [...new Set([...name].filter((c) => !LEGAL.test(c)))]
      .map((c) => (c === ' ' ? 'space' : `"${c}"`))
      .join(', ');
    return `A topic name may use only letters, digits, ".", "_" and "-" (not ${bad}).`;
  }
  return null;
}
