/** The plan's live log: a command as one line, output as lines and tails, sudo password hidden. */
import { renderCommand } from './dry-run.js';
import { type RemoteCommand } from './plan-types.js';

const TAIL_CHARS = 1500;

export function tail(text: string, max = TAIL_CHARS): string {
  const t = text.trimEnd();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}

export function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

export function describeCommand(command: RemoteCommand, sudo: boolean): string {
  return renderCommand(command, sudo, { fileContents: false, maxScriptLength: 40 })[0] ?? '';
}

const LOG_COMMAND_CHARS = 300;

/** A command as one line of the live log ("$ …" for commands, "write …"/"upload …" for files). */
export function logLine(command: RemoteCommand, sudo: boolean): string {
  const line = describeCommand(command, sudo).replace(/\r?\n/g, '⏎');
  return line.length <= LOG_COMMAND_CHARS ? line : `${line.slice(0, LOG_COMMAND_CHARS)}…`;
}

/** Splits chunks into lines for onLog (a partial line waits for its end, or for flush). */
export function lineSplitter(emit: (line: string) => void): {
  push(chunk: Buffer): void;
  flush(): void;
} {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const l of lines) emit(l);
    },
    flush() {
      if (partial !== '') emit(partial);
      partial = '';
    },
  };
}
