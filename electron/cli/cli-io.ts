/** What every `kvs` command writes to and reads from: one type, so each command is tested the same way. */
export interface CliIo {
  /** One line of the command's output (stdout). */
  out(line: string): void;
  /** Messages and progress (stderr), as given: the caller adds line ends. */
  err(text: string): void;
  /** stderr is a terminal: progress may redraw one line. */
  isTTY: boolean;
  /** All of stdin (tests inject it); default: process.stdin. */
  readStdin?: () => Promise<string>;
}

/** The real thing. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
};
