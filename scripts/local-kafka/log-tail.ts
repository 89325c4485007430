// The log of a JVM that failed: its last lines, and the one line that best says what went wrong.
import { readFile } from 'node:fs/promises';

/** Last lines of a log, stack frames left out so more of what happened fits. */
export async function tailOf(file: string, lines = 25): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .trimEnd()
      .split('\n')
      .filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l))
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** The line of a log tail that best says what went wrong, shortened for a one-line message. */
export function keyLine(tail: string): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line =
    lines.find((l) => /^(Caused by: )?[\w.$]+(Exception|Error): /.test(l)) ??
    lines.find((l) => /\b(ERROR|FATAL)\b/.test(l)) ??
    lines.find((l) => /Exception|Error:/.test(l)) ??
    lines.at(-1) ??
    'no log output';
  const short = line.replace(/^\[[^\]]*\]\s*/, '').replace(/\.+$/, '');
  return short.length > 300 ? `${short.slice(0, 297)}…` : short;
}
