import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBootstrap, type BootstrapEntry, type BootstrapResult } from './bootstrap.js';

describe('parseBootstrap', () => {
  it('accepts the documented IPv4 form', () => {
    const r = parseBootstrap('10.0.0.5:9092');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.brokers).toEqual(['10.0.0.5:9092']);
    expect(r.notes).toEqual([]);
  });

  it('fills in 9092 when the port is omitted, and says so', () => {
    const r = parseBootstrap(' 10.0.0.5 , 10.0.0.6:9093 ');
    expect(r.ok && r.normalized).toBe('10.0.0.5:9092,10.0.0.6:9093');
    expect(r.ok && r.notes.map((n) => n.code)).toEqual(['PORT_DEFAULTED']);
  });

  it('accepts localhost and 127.x with a note that only this machine can use it', () => {
    for (const s of ['localhost:9092', '127.0.0.1:9092', '127.1.2.3']) {
      const r = parseBootstrap(s);
      expect(r.ok, s).toBe(true);
      expect(r.ok && r.notes.some((n) => n.code === 'LOOPBACK_ONLY'), s).toBe(true);
    }
  });

  it('accepts bracketed IPv6', () => {
    const r = parseBootstrap('[::1]:9092,[fe80::1]');
    expect(r.ok && r.brokers).toEqual(['[::1]:9092', '[fe80::1]:9092']);
  });

  it.each([
    [
      'PLAINTEXT://10.0.0.5:9092',
      /PLAINTEXT:\/\/.*client gives only host:port, e.g. 10.0.0.5:9092/,
    ],
    ['10.0.0.256:9092', /each part must be 0–255/],
    ['10.0.0:9092', /four numbers/],
    ['10.0.0.05:9092', /leading zero/],
    ['10.0.0.5:99999', /out of range/],
    ['10.0.0.5:0', /out of range/],
    ['10.0.0.5:abc', /not a number/],
    ['10.0.0.5:', /port after ':' is empty/],
    ['10.0.0.5 :9092', /contains a space/],
    ['10.0.0.5:9092,,10.0.0.6:9092', /empty: remove the extra comma/],
    ['', /Enter the broker's address/],
    ['0.0.0.0:9092', /all interfaces/],
    ['::1:9092', /brackets|more than one/],
    ['fe80::1', /brackets/],
    ['my_host:9092', /not a valid host name/],
    ['10.0.0.5:9092,10.0.0.5:9092', /twice/],
    [':9092', /no host/],
  ])('refuses %j with a precise message', (input, message) => {
    const r = parseBootstrap(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('never throws and always returns a typed result (property)', () => {
    const alphabet = fc.constantFrom(
      ...'0123456789.:,[]abcdefxyzPLAINTEXT/ -_@%\n\t\u00e9\u{1F3AC}'.split(''),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
        ),
        (s) => {
          const r = parseBootstrap(s);
          if (r.ok) {
            expect(r.brokers.length).toBeGreaterThan(0);
            for (const e of r.entries) {
              expect(e.port).toBeGreaterThanOrEqual(1);
              expect(e.port).toBeLessThanOrEqual(65535);
              expect(e.address).not.toMatch(/\s|,/);
            }
          } else {
            expect(typeof r.error).toBe('string');
            expect(r.error.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
    for (const v of [null, undefined, 42, {}, []]) expect(parseBootstrap(v).ok).toBe(false);
  });

  it('round-trips every valid IPv4 host:port (property)', () => {
    fc.assert(
      fc.property(
        fc.ipV4().filter((ip) => ip !== '0.0.0.0'),
        fc.integer({ min: 1, max: 65535 }),
        (ip, port) => {
          const r = parseBootstrap(`${ip}:${port}`);
          expect(r.ok && r.normalized).toBe(`${ip}:${port}`);
        },
      ),
    );
  });

  it('refuses malformed bracketed IPv6 and accepts real ones', () => {
    for (const bad of [
      '[:::]',
      '[1:::2]',
      '[::1:]',
      '[:1::]',
      '[1.2.3.4::]',
      '[1:2:3:4:5:6:7:8:9]',
      '[1::2::3]',
      '[::1%eth0]',
      '[12345::]',
      '[::256.0.0.1]',
    ]) {
      expect(parseBootstrap(bad).ok, bad).toBe(false);
    }
    for (const ok of [
      '[::]',
      '[::ffff:10.0.0.5]:9092',
      '[1:2:3:4:5:6:7:8]',
      '[1:2:3:4:5:6:10.0.0.5]',
    ]) {
      expect(parseBootstrap(ok).ok, ok).toBe(true);
    }
  });
});

// ---- hostile input ---------------------------------------------------------------------------------

/** What an accepted entry's host may look like, by kind. Anything else must never get through. */
const HOSTNAME_ALLOWED =
  /^(?=.{1,254}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function expectEntryAllowed(e: BootstrapEntry): void {
  expect(Number.isInteger(e.port), e.address).toBe(true);
  expect(e.port).toBeGreaterThanOrEqual(1);
  expect(e.port).toBeLessThanOrEqual(65535);
  switch (e.kind) {
    case 'ipv4':
      expect(isIPv4(e.host), e.host).toBe(true);
      expect(e.host).not.toBe('0.0.0.0');
      expect(e.address).toBe(`${e.host}:${e.port}`);
      break;
    case 'ipv6':
      expect(isIPv6(e.host) && !e.host.includes('%'), e.host).toBe(true);
      expect(e.address).toBe(`[${e.host}]:${e.port}`);
      break;
    case 'hostname':
      expect(e.host, e.host).toMatch(HOSTNAME_ALLOWED);
      expect(e.address).toBe(`${e.host}:${e.port}`);
      break;
  }
}

function expectTyped(r: BootstrapResult): void {
  if (r.ok) {
    expect(r.entries.length).toBeGreaterThan(0);
    expect(r.brokers).toEqual(r.entries.map((e) => e.address));
    expect(r.normalized).toBe(r.brokers.join(','));
    for (const e of r.entries) expectEntryAllowed(e);
  } else {
    expect(typeof r.error).toBe('string');
    expect(r.error.length).toBeGreaterThan(0);
    if (r.entryIndex !== undefined)
      expect(Number.isInteger(r.entryIndex) && r.entryIndex >= 0).toBe(true);
  }
}

const HOSTILE_TOKENS = [
  ';',
  '$(id)',
  '`id`',
  '\n',
  '\r\n',
  '\t',
  "'",
  '"',
  ' ',
  '\u00a0',
  '\u2028',
  '\u0000',
  '&&',
  '|',
  '>',
  '\\',
  '${IFS}',
  '*',
  '#',
  '@',
  '?',
  '/',
  '%',
  '%eth0',
  'é',
  '\u{1F3AC}',
  '\u212A',
  '\u017F',
  '\uFF11',
  '\u0661',
  '\ud800',
  'PLAINTEXT://',
  'SASL_SSL://',
  'kafka://',
  '//',
  '[',
  ']',
  '::',
  ':',
  ',',
  '.',
  '..',
  '-',
  '_',
  '10.0.0.5',
  '0.0.0.0',
  '256',
  '127.0.0.1',
  'localhost',
  'kafka-1.example.com',
  'fe80',
  'ffff',
  '::1',
  '9092',
  '0',
  '65535',
  '65536',
  '99999999999999999999',
  '007',
  '1e3',
  '0x10',
  '-1',
  '+1',
];

/** Strings glued from legitimate pieces and hostile ones, so both parsers' branches get reached. */
const hostileBootstrap = fc
  .array(fc.constantFrom(...HOSTILE_TOKENS), { maxLength: 14 })
  .map((a) => a.join(''));

/** Plausible-looking entries (most valid) joined by commas with hostile separators now and then. */
const entryLike = fc.oneof(
  fc
    .tuple(fc.ipV4(), fc.option(fc.integer({ min: -10, max: 70000 })))
    .map(([h, p]) => (p === null ? h : `${h}:${p}`)),
  fc
    .tuple(fc.ipV6(), fc.option(fc.integer({ min: 0, max: 70000 })))
    .map(([h, p]) => (p === null ? `[${h}]` : `[${h}]:${p}`)),
  fc.ipV6(),
  fc
    .tuple(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 })))
    .map(([h, p]) => (p === null ? h : `${h}:${p}`)),
  hostileBootstrap,
);
const listLike = fc
  .tuple(
    fc.array(entryLike, { minLength: 1, maxLength: 4 }),
    fc.constantFrom(',', ', ', ',,', ';', ' ', '\n'),
  )
  .map(([entries, sep]) => entries.join(sep));

/** Any code points at all, lone surrogates included (cheaper than fc.string({ unit: 'binary' })). */
const anyChars = fc
  .array(
    fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));

const anyValue = fc.oneof(
  fc.anything({
    maxDepth: 2,
    maxKeys: 4,
    withNullPrototype: true,
    withBigInt: true,
    withBoxedValues: true,
  }),
  fc.constantFrom(
    null,
    undefined,
    9092,
    Number.NaN,
    Infinity,
    -0,
    true,
    Symbol('x'),
    () => '10.0.0.5:9092',
    ['10.0.0.5:9092'],
    { toString: () => '10.0.0.5:9092' },
  ),
);

describe('parseBootstrap against hostile input (property)', () => {
  it('never throws; an ok result holds only allowlisted hosts and ports 1..65535', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileBootstrap,
          listLike,
          anyChars,
          fc.string({ unit: 'grapheme', maxLength: 40 }),
          anyValue,
        ),
        (input) => {
          expectTyped(parseBootstrap(input));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('anything that is not a string is refused with a message', () => {
    fc.assert(
      fc.property(
        anyValue.filter((v) => typeof v !== 'string'),
        (v) => {
          const r = parseBootstrap(v);
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hostile characters never survive into an accepted list', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.string({ maxLength: 6 }),
          fc.constantFrom(
            ';',
            '$(id)',
            '`id`',
            '\n',
            "'",
            '"',
            '\u0000',
            '|',
            '&',
            '\\',
            '/',
            '@',
            '%',
          ),
          fc.string({ maxLength: 6 }),
        ),
        fc.constantFrom('10.0.0.5', 'kafka-1', '[::1]'),
        ([a, bad, b], host) => {
          for (const input of [
            `${a}${bad}${b}`,
            `${host}${bad}:9092`,
            `${host}:90${bad}92`,
            `${host}:9092,${a}${bad}${b}`,
          ]) {
            const r = parseBootstrap(input);
            expectTyped(r);
            if (r.ok) expect(r.normalized, JSON.stringify(input)).toMatch(/^[A-Za-z0-9.:,[\]-]+$/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('bracketed IPv6 is accepted exactly when it is a real IPv6 address', () => {
    const v6ish = fc
      .array(fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), '::', 'ffff', '1.2.3.4'), {
        minLength: 1,
        maxLength: 24,
      })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), v6ish), (h) => {
        const r = parseBootstrap(`[${h}]:9092`);
        expect(r.ok, h).toBe(isIPv6(h));
      }),
      { numRuns: 1000 },
    );
  });

  it('huge, long and empty-entry inputs are refused quickly, with a message', () => {
    const samples = [
      'x'.repeat(10_000),
      `10.0.0.5:${'9'.repeat(5000)}`,
      `${'a.'.repeat(2000)}b:9092`,
      ','.repeat(3000),
      ` , ${'10.0.0.5:9092,'.repeat(10)}`,
      `[${'1:'.repeat(2000)}]:9092`,
    ];
    for (const s of samples) expectTyped(parseBootstrap(s));
    fc.assert(
      fc.property(fc.string({ minLength: 4097, maxLength: 10_000 }), (s) => {
        expect(parseBootstrap(s).ok).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
