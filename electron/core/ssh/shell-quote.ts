/**
 * Strict POSIX shell quoting. Every word is wrapped in single quotes (inside
 * which a POSIX shell interprets nothing), and a single quote in the word
 * becomes '\'' (close, escaped quote, reopen). NUL cannot be passed in argv at
 * all, so it is refused rather than silently truncated.
 */
import { SshError } from './ssh-errors.js';

export function quoteArg(arg: string): string {
  if (typeof arg !== 'string') {
    throw new SshError('INVALID_ARGUMENT', 'A command argument must be a string.');
  }
  if (arg.includes('\0')) {
    throw new SshError('INVALID_ARGUMENT', 'A command argument contains a NUL byte, which no shell can pass on.');
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Join argv into one shell command line, every word quoted. Refuses an empty argv. */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new SshError('INVALID_ARGUMENT', 'A command needs at least one word.');
  }
  return argv.map(quoteArg).join(' ');
}
