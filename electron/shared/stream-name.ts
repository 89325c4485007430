/**
 * A stream's name (issue 17): what a person calls one stream of a topic ("Front door"), carried in
 * every frame's `kvs-stream-name` header. Any Unicode text, 1–100 characters, no control
 * characters. Pure and dependency-free: the contract (zod), the core, the CLI and the producer
 * form use this one rule. How it goes on the wire (percent-encoded UTF-8): core/kafka/wire-format.ts.
 */
export const MAX_STREAM_NAME_CHARS = 100;

// C0 and C1 controls, DEL, and the line/paragraph separators: a name is one line of text
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** null when `name` is a usable stream name (after trimming), else what is wrong with it. */
export function streamNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'The stream name must be text.';
  const t = name.trim();
  if (t.length === 0) return 'Enter a stream name, or leave the field empty for none.';
  const chars = [...t].length;
  if (chars > MAX_STREAM_NAME_CHARS)
    return `The stream name is ${chars} characters long; at most ${MAX_STREAM_NAME_CHARS} are allowed.`;
  if (CONTROL.test(t))
    return 'A stream name cannot contain control characters such as a line break or a tab.';
  return null;
}
