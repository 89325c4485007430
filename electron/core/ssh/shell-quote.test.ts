/**
 * shellQuote against the real /bin/sh: whatever argv goes in, the shell hands
 * exactly that argv to printf — no expansion, no splitting, no injection.
 */
import { execFile } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteArg, shellQuote } from './shell-quote.js';
import { SshError } from './ssh-errors.js';

function roundTrip(argv: readonly string[]): Promise<string[]> {
  const script = `printf '%s\\0' ${shellQuote(argv)}`;
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      const parts = stdout.toString('utf8').split('\0');
      parts.pop(); // after the last terminator
      resolve(parts);
    });
  });
}

const hostile = fc.constantFrom(
  ';',
  '$(id)',
  '`id`',
  '\n',
  "'",
  '"',
  "'\\''",
  '$VAR',
  '${HOME}',
  '*',
  '?',
  '[a-z]',
  '~',
  ' ',
  '\t',
  '\\',
  '&&',
  '|',
  '>',
  '<',
  '#',
  '!',
  '-n',
  '--',
  'é',
  '日本',
  '🙂',
  '%s',
  '',
);

const word = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
    fc.array(hostile, { maxLength: 6 }).map((a) => a.join('')),
  )
  .filter((s) => !s.includes('\0') && !/\p{Surrogate}/u.test(s));

describe('shellQuote', () => {
  it('quotes every word in single quotes and escapes quotes as \'\\\'\'', () => {
    expect(quoteArg('plain')).toBe("'plain'");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg('')).toBe("''");
    expect(shellQuote(['echo', '$(id)', 'a b'])).toBe("'echo' '$(id)' 'a b'");
  });

  it('refuses NUL bytes and an empty argv', () => {
    expect(() => shellQuote(['a\0b'])).toThrow(SshError);
    expect(() => shellQuote(['ok', '\0'])).toThrow(/NUL/);
    expect(() => shellQuote([])).toThrow(SshError);
  });

  it('round-trips hostile argv through the real /bin/sh exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 8 }), async (argv) => {
        expect(await roundTrip(argv)).toEqual(argv);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips a fixed nasty argv', async () => {
    const argv = ["'; rm -rf / #", '$(touch /tmp/pwned)', '`id`', 'line1\nline2', '*', '$HOME', "'\\''", ' lead', 'trail '];
    expect(await roundTrip(argv)).toEqual(argv);
  });
});
