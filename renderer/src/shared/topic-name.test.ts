import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topicNameProblem } from '../../../electron/shared/topic-name.js';
import { topicNameError } from './topic-name.js';

describe('topicNameError', () => {
  it('accepts legal names', () => {
    expect(topicNameError('distributed-video1')).toBeNull();
    expect(topicNameError(' a.b_c-1 ')).toBeNull();
  });
  it('explains illegal names', () => {
    expect(topicNameError('')).toBe('Enter a topic name.');
    expect(topicNameError('..')).toContain('not allowed');
    expect(topicNameError('my topic/x')).toBe(
      'A topic name may use only letters, digits, ".", "_" and "-" (not space, "/").',
    );
    expect(topicNameError('x'.repeat(250))).toContain('at most 249');
  });

  it("refuses names reserved for Kafka's internal topics, as the service does", () => {
    expect(topicNameError('__consumer_offsets')).toMatch(/reserved/);
    expect(topicNameError(' __x ')).toMatch(/reserved/);
    expect(topicNameError('_x')).toBeNull();
  });

  // The form checks the trimmed text and sends the trimmed text (produce, watch, topics, autostart).
  it('agrees with the core on every string: accepted here ⇔ the service accepts the trimmed name (property)', () => {
    const tokens = [
      'demo',
      'a.b',
      '_',
      '__',
      '-',
      '.',
      '..',
      'x'.repeat(124),
      ' ',
      '\t',
      '\n',
      '\u00a0',
      '\u3000',
      '\ufeff',
      '\u0000',
      ';',
      '$(id)',
      '`id`',
      "'",
      '"',
      '/',
      'é',
      '\u{1F3AC}',
      '\u212A',
      '\ud800',
    ];
    const text = fc.oneof(
      fc.array(fc.constantFrom(...tokens), { maxLength: 6 }).map((a) => a.join('')),
      fc.stringMatching(/^\s{0,2}[A-Za-z0-9._-]{0,252}\s{0,2}$/),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc
        .array(
          fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
          { maxLength: 20 },
        )
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(text, (raw) => {
        const here = topicNameError(raw);
        expect(here === null || (typeof here === 'string' && here.length > 0)).toBe(true);
        expect(here === null, JSON.stringify(raw)).toBe(topicNameProblem(raw.trim()) === null);
      }),
      { numRuns: 1000 },
    );
  });
});
