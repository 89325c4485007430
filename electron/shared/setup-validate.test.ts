import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SetupLogin } from './contract.js';
import { KvsError } from './errors.js';
import { freshFacts } from '../../scripts/test-support/setup-fixtures.js';
import { buildInstallPlan } from '../core/setup/install-plan.js';
import {
  SetupPlanError,
  type InstallChoices,
  type RemoteCommand,
} from '../core/setup/plan-types.js';
import { isFixedScript } from '../core/setup/scripts.js';
import {
  SetupValidationError,
  problemOf,
  validateHostname,
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
  validateLocalPath,
  validateMirrorUrl,
  validateSha512,
  validateUsername,
  type SetupField,
} from './setup-validate.js';

describe('validators', () => {
  it('IPv4', () => {
    expect(validateIPv4('192.168.1.20')).toBe('192.168.1.20');
    for (const bad of [
      '0.0.0.0',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4 ',
      '1.2.3.4;id',
      'localhost',
      '',
      '::1',
    ]) {
      expect(problemOf(validateIPv4, bad), bad).not.toBeNull();
    }
  });
  it('host names', () => {
    expect(validateHostname('Kafka-1.example.COM')).toBe('kafka-1.example.com');
    for (const bad of ['-a.com', 'a..b', 'a b', 'a_b', 'x'.repeat(64)])
      expect(problemOf(validateHostname, bad), bad).not.toBeNull();
  });
  it('install dir', () => {
    expect(validateInstallDir('/opt/kafka/')).toBe('/opt/kafka');
    expect(validateInstallDir('/srv/kafka_2.13-4.1.1')).toBe('/srv/kafka_2.13-4.1.1');
    for (const bad of [
      '/',
      'opt/kafka',
      '/opt/../etc',
      '/opt/./kafka',
      '/opt',
      '/usr',
      '/var/lib',
      '/opt/ka fka',
      '/opt/-rf',
      '//',
    ]) {
      expect(problemOf(validateInstallDir, bad), bad).not.toBeNull();
    }
  });
  it('Kafka version, mirror URL, user name, SHA-512', () => {
    expect(validateKafkaVersion('3.9.1')).toMatchObject({ major: 3, minor: 9, patch: 1 });
    for (const bad of ['3.9', '3.9.1-rc1', 'v3.9.1', '3.9.1\n'])
      expect(problemOf(validateKafkaVersion, bad), bad).not.toBeNull();
    expect(validateMirrorUrl('https://archive.apache.org/dist/')).toBe(
      'https://archive.apache.org/dist',
    );
    expect(validateMirrorUrl('http://10.0.0.2:8080/mirror')).toBe('http://10.0.0.2:8080/mirror');
    for (const bad of [
      'ftp://x.org',
      'https://x.org/a b',
      'https://u:p@x.org',
      'https://x.org/?q=1',
      "https://x.org/'",
      'https://x.org/$(id)',
    ]) {
      expect(problemOf(validateMirrorUrl, bad), bad).not.toBeNull();
    }
    expect(validateUsername('ubuntu')).toBe('ubuntu');
    expect(problemOf(validateUsername, 'Root')).not.toBeNull();
    expect(validateSha512('AB'.repeat(64))).toBe('ab'.repeat(64));
    expect(problemOf(validateSha512, 'ab'.repeat(63))).not.toBeNull();
  });
});

const HOSTILE = [
  ';',
  '$(id)',
  '`id`',
  '\n',
  "'",
  '"',
  ' ',
  '&&',
  '|',
  '>',
  '\\',
  '${IFS}',
  '*',
  '#',
  '\u0000',
];
const hostile = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 }))
  .map(([a, h, b]) => `${a}${h}${b}`);

const base: InstallChoices = {
  mode: 'kraft',
  kafkaVersion: '4.1.1',
  installDir: '/opt/kafka',
  advertise: '203.0.113.7',
  source: { kind: 'download', mirrorUrl: 'https://archive.apache.org/dist' },
  sha512: 'ab'.repeat(64),
};

type Field =
  'advertise' | 'installDir' | 'kafkaVersion' | 'mirrorUrl' | 'sha512' | 'tarballPath' | 'user';

function inject(
  field: Field,
  value: string,
): { choices: InstallChoices; facts: ReturnType<typeof freshFacts> } {
  const facts = freshFacts('ubuntu-22.04');
  switch (field) {
    case 'mirrorUrl':
      return {
        choices: {
          ...base,
          source: { kind: 'download', mirrorUrl: `https://archive.apache.org/${value}` },
        },
        facts,
      };
    case 'tarballPath':
      return {
        choices: { ...base, source: { kind: 'upload', tarballPath: `/home/me/${value}.tgz` } },
        facts,
      };
    case 'user':
      return {
        choices: { ...base, source: { kind: 'upload', tarballPath: '/tmp/k.tgz' } },
        facts: { ...facts, user: value },
      };
    case 'installDir':
      return { choices: { ...base, installDir: `/opt/${value}` }, facts };
    case 'advertise':
      return { choices: { ...base, advertise: `10.0.0.1${value}` }, facts };
    case 'kafkaVersion':
      return { choices: { ...base, kafkaVersion: `4.1.1${value}` }, facts };
    case 'sha512':
      return { choices: { ...base, sha512: `${'ab'.repeat(64)}${value}` }, facts };
  }
}

function commandsOf(plan: ReturnType<typeof buildInstallPlan>): RemoteCommand[] {
  return plan.steps.flatMap((s) => [...s.apply, ...(s.check === undefined ? [] : [s.check])]);
}

describe('hostile values never reach a shell', () => {
  it('the plan builder rejects them with a typed error, or they stay out of every remote command', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Field>(
          'advertise',
          'installDir',
          'kafkaVersion',
          'mirrorUrl',
          'sha512',
          'tarballPath',
          'user',
        ),
        hostile,
        (field, value) => {
          // surrounding white space is trimmed by the validators (a pasted checksum, say): a value
          // that is nothing but white space leaves nothing behind to test
          fc.pre(value.trim() !== '');
          const { choices, facts } = inject(field, value);
          let plan: ReturnType<typeof buildInstallPlan>;
          try {
            plan = buildInstallPlan(facts, choices);
          } catch (e) {
            expect(e instanceof SetupValidationError || e instanceof SetupPlanError).toBe(true);
            return;
          }
          // Only a local path may carry such characters, and only as the local side of an upload.
          expect(field).toBe('tarballPath');
          const local = choices.source.kind === 'upload' ? choices.source.tarballPath : '';
          for (const c of commandsOf(plan)) {
            if ('upload' in c) expect(c.upload.localPath).toBe(local);
            else if ('argv' in c) for (const a of c.argv) expect(a.includes(local)).toBe(false);
            else
              expect(c.writeFile.content.includes(local) || c.writeFile.path.includes(local)).toBe(
                false,
              );
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('valid values travel as whole argv elements after a fixed script, never inside script text', () => {
    const octet = fc.integer({ min: 1, max: 254 });
    fc.assert(
      fc.property(
        fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
        fc.stringMatching(/^\/[a-z][a-z0-9._-]{0,10}\/[a-z][a-z0-9._-]{0,10}$/),
        fc.constantFrom('kraft', 'zookeeper') as fc.Arbitrary<'kraft' | 'zookeeper'>,
        fc.boolean(),
        (advertise, installDir, mode, systemd) => {
          const choices: InstallChoices = {
            ...base,
            mode,
            kafkaVersion: mode === 'kraft' ? '4.1.1' : '3.9.1',
            advertise,
            installDir,
          };
          let plan: ReturnType<typeof buildInstallPlan>;
          try {
            plan = buildInstallPlan(freshFacts('ubuntu-22.04', { systemd }), choices);
          } catch (e) {
            expect(e).toBeInstanceOf(SetupValidationError); // e.g. a random system folder
            return;
          }
          const dir = plan.installation.installDir;
          for (const c of commandsOf(plan)) {
            if (!('argv' in c)) continue;
            const i = c.argv.indexOf('-c');
            if (i > 0 && c.argv[i - 1] === 'sh') {
              const script = c.argv[i + 1] ?? '';
              expect(isFixedScript(script)).toBe(true);
              expect(script.includes(advertise)).toBe(false);
            }
            // a value appears only as a whole element or as a path under the install dir
            for (const a of c.argv) {
              if (a.includes(dir) && !a.startsWith('sh') && a !== c.argv[i + 1]) {
                expect(
                  a === dir ||
                    a.startsWith(`${dir}/`) ||
                    a.startsWith(`${dir}.`) ||
                    a.includes('='),
                ).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---- every validator, any input ----------------------------------------------------------------------

type Validator = {
  readonly name: string;
  readonly field: SetupField;
  readonly run: (v: unknown) => unknown;
  readonly valid: string;
  /** Values close to valid ones, so that accepted results get checked too, not only refusals. */
  readonly plausible: fc.Arbitrary<string>;
};

const small = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 999 }));
const seg = fc.oneof(
  fc.constantFrom(
    'opt',
    'kafka',
    'srv',
    'usr',
    '.',
    '..',
    '...',
    '-x',
    'k_2.13-4.1.1',
    '',
    ' ',
    '$(id)',
  ),
  fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
);
const pathish = fc.array(seg, { minLength: 1, maxLength: 4 }).map((a) => `/${a.join('/')}`);
const hex = fc
  .array(fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), { minLength: 120, maxLength: 130 })
  .map((a) => a.join(''));

const VALIDATORS: readonly Validator[] = [
  {
    name: 'validateIPv4',
    field: 'advertise',
    run: (v) => validateIPv4(v),
    valid: '192.168.1.20',
    plausible: fc.oneof(
      fc.ipV4(),
      fc.ipV4Extended(),
      fc.tuple(small, small, small, small).map((a) => a.join('.')),
    ),
  },
  {
    name: 'validateHostname',
    field: 'hostname',
    run: validateHostname,
    valid: 'kafka-1.example.com',
    plausible: fc.oneof(fc.domain(), fc.stringMatching(/^[A-Za-z0-9.-]{1,70}$/)),
  },
  {
    name: 'validateInstallDir',
    field: 'installDir',
    run: validateInstallDir,
    valid: '/opt/kafka',
    plausible: pathish,
  },
  {
    name: 'validateKafkaVersion',
    field: 'kafkaVersion',
    run: validateKafkaVersion,
    valid: '4.1.1',
    plausible: fc.tuple(small, small, small).map((a) => a.join('.')),
  },
  {
    name: 'validateMirrorUrl',
    field: 'mirrorUrl',
    run: validateMirrorUrl,
    valid: 'https://archive.apache.org/dist',
    plausible: fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc
        .tuple(
          fc.constantFrom('http://', 'https://'),
          fc.oneof(fc.domain(), fc.ipV4()),
          fc.option(fc.integer({ min: 0, max: 70_000 })),
          fc.option(pathish),
        )
        .map(
          ([scheme, host, port, p]) =>
            `${scheme}${host}${port === null ? '' : `:${port}`}${p ?? ''}`,
        ),
    ),
  },
  {
    name: 'validateUsername',
    field: 'username',
    run: validateUsername,
    valid: 'ubuntu',
    plausible: fc.stringMatching(/^[A-Za-z0-9_.-]{1,34}$/),
  },
  {
    name: 'validateSha512',
    field: 'sha512',
    run: validateSha512,
    valid: 'ab'.repeat(64),
    plausible: fc
      .tuple(hex, fc.constantFrom('', ' ', '  ', '\t', '\n'))
      .map(([h, sp]) => h.replace(/(.{32})/g, `$1${sp}`)),
  },
  {
    name: 'validateLocalPath',
    field: 'tarballPath',
    run: validateLocalPath,
    valid: '/home/me/kafka_2.13-4.1.1.tgz',
    plausible: fc.oneof(
      pathish,
      fc.string({ maxLength: 30 }).map((x) => `C:\\${x}`),
      fc.string({ maxLength: 30 }).map((x) => `/${x}`),
    ),
  },
];

function byIndex(k: number): Validator {
  const v = VALIDATORS[k];
  if (v === undefined) throw new Error(`no validator ${k}`);
  return v;
}

const INSTALL_DIR = byIndex(VALIDATORS.findIndex((v) => v.name === 'validateInstallDir'));

/** Characters a shell, a systemd unit or a .properties file would treat specially, plus every control/space. */
const SHELL_META = /[\s;&|<>$`'"\\(){}[\]*?!#^=,\p{Cc}\p{Cf}\p{Z}]/u;

const PIECES = [
  ';',
  '$(id)',
  '`id`',
  '\n',
  '\r',
  '\t',
  ' ',
  '\u00a0',
  '\u2028',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u200e',
  "'",
  '"',
  '&&',
  '|',
  '>',
  '<',
  '\\',
  '${IFS}',
  '*',
  '?',
  '#',
  '!',
  '{',
  '}',
  '(',
  ')',
  '=',
  ',',
  '~',
  '%',
  '%2e',
  '+',
  '..',
  '.',
  '/',
  '//',
  '-',
  '-rf',
  '_',
  'é',
  '\u212A',
  '\u017F',
  '\uFF11',
  '\u0661',
  '\ud800',
  '\u{1F3AC}',
  'opt',
  'kafka',
  'Kafka',
  'a',
  'Z',
  '0',
  '1',
  '00',
  '255',
  '256',
  '192.168.1.20',
  '4.1.1',
  '3.9',
  '0.7.0',
  ':',
  ':8080',
  ':0',
  ':99999',
  'https://',
  'http://',
  'ftp://',
  'archive.apache.org',
  'u:p@',
  'C:\\',
  '\\\\server\\share',
  'ab'.repeat(32),
  'ubuntu',
  'root',
  'x'.repeat(70),
];
/** Legitimate pieces glued with hostile ones, so each validator's later branches get reached. */
const soup = fc
  .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 })
  .map((a) => a.join(''));
const anyChars = fc
  .array(
    fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));
const anyValue = fc.oneof(
  soup,
  anyChars,
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.anything({
    maxDepth: 2,
    maxKeys: 4,
    withNullPrototype: true,
    withBigInt: true,
    withBoxedValues: true,
  }),
  fc.constantFrom<unknown>(
    null,
    undefined,
    0,
    22,
    Number.NaN,
    true,
    Symbol('x'),
    [],
    ['/opt/kafka'],
    new String('/opt/kafka'),
    { toString: () => '/opt/kafka' },
    'x'.repeat(10_000),
  ),
);

function expectAcceptedSafe(v: Validator, input: unknown, out: unknown): void {
  const text = v.name === 'validateKafkaVersion' ? (out as { text: string }).text : out;
  expect(typeof text, v.name).toBe('string');
  const s = text as string;
  expect(typeof input).toBe('string');
  switch (v.name) {
    case 'validateLocalPath':
      // only ever the local side of an upload: spaces and quotes are fine, control characters are not
      expect(s).toBe(input);
      expect(s).not.toMatch(/\p{Cc}/u);
      expect(s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s)).toBe(true);
      return;
    case 'validateIPv4':
      expect(
        isIPv4(s) &&
          /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(
            s,
          ),
        s,
      ).toBe(true);
      expect(['0.0.0.0', '255.255.255.255']).not.toContain(s);
      break;
    case 'validateHostname':
      expect(s).toMatch(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
      );
      expect(s.length).toBeLessThanOrEqual(253);
      expect(s).toBe((input as string).toLowerCase());
      break;
    case 'validateInstallDir': {
      expect(s).toMatch(/^(?:\/[A-Za-z0-9._-]+)+$/);
      const parts = s.split('/').slice(1);
      for (const p of parts) expect(p === '.' || p === '..' || p.startsWith('-'), s).toBe(false);
      expect(s).toBe(path.posix.normalize(input as string).replace(/\/+$/, ''));
      break;
    }
    case 'validateKafkaVersion':
      expect(s).toMatch(/^\d{1,2}\.\d{1,2}\.\d{1,2}$/);
      break;
    case 'validateMirrorUrl': {
      expect(s).toMatch(/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%+-]*)*$/);
      const url = new URL(s);
      expect(['http:', 'https:']).toContain(url.protocol);
      expect([url.username, url.password, url.search, url.hash]).toEqual(['', '', '', '']);
      expect(s.endsWith('/')).toBe(false);
      break;
    }
    case 'validateUsername':
      expect(s).toMatch(/^[a-z_][a-z0-9_-]{0,31}$/);
      break;
    case 'validateSha512':
      expect(s).toMatch(/^[0-9a-f]{128}$/);
      break;
  }
  // everything below reaches a remote command: printable ASCII, no shell/unit/properties metacharacter
  expect(s, v.name).toMatch(/^[\x21-\x7e]+$/);
  expect(s, v.name).not.toMatch(SHELL_META);
}

function check(v: Validator, input: unknown): 'accepted' | 'refused' {
  let out: unknown;
  try {
    out = v.run(input);
  } catch (e) {
    expect(e, v.name).toBeInstanceOf(SetupValidationError);
    const err = e as SetupValidationError;
    expect(err).toBeInstanceOf(KvsError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.field, v.name).toBe(v.field);
    expect(
      typeof err.message === 'string' && err.message.length > 0 && err.message.length < 400,
    ).toBe(true);
    expect(problemOf(v.run, input)).toBe(err.message);
    return 'refused';
  }
  expectAcceptedSafe(v, input, out);
  expect(problemOf(v.run, input)).toBeNull();
  return 'accepted';
}

describe('setup validators against any input (property)', () => {
  it('each returns a safe value or throws a SetupValidationError naming its field, never anything else', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...VALIDATORS.keys())
          .chain((k) => fc.tuple(fc.constant(k), fc.oneof(anyValue, byIndex(k).plausible))),
        ([k, input]) => {
          check(byIndex(k), input);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('one hostile character put anywhere into a valid value gets it refused (or, for a local path, kept only locally)', () => {
    const hostile = fc.constantFrom(
      ';',
      '$(id)',
      '`id`',
      '\n',
      '\r',
      '\u0000',
      '\u007f',
      '\u0085',
      "'",
      '"',
      '|',
      '&',
      '>',
      '<',
      '*',
      '?',
      '{',
      '(',
      '\\',
      '!',
      '#',
      '\u2028',
      '\u00a0',
      'é',
      '\ud800',
      ' ',
      '\t',
    );
    fc.assert(
      fc.property(fc.constantFrom(...VALIDATORS.keys()), hostile, fc.nat(), (k, bad, at) => {
        const v = byIndex(k);
        const i = at % (v.valid.length + 1);
        const input = `${v.valid.slice(0, i)}${bad}${v.valid.slice(i)}`;
        const verdict = check(v, input);
        if (v.name === 'validateLocalPath')
          expect(verdict).toBe(i === 0 || /\p{Cc}/u.test(bad) ? 'refused' : 'accepted');
        // a pasted checksum may be printed in groups: spaces and tabs between them are dropped
        else if (v.name === 'validateSha512' && (bad === ' ' || bad === '\t'))
          expect(verdict).toBe('accepted');
        else expect(verdict, JSON.stringify(input)).toBe('refused');
      }),
      { numRuns: 600 },
    );
  });

  it('install dirs: accepted ones are absolute, without "." / ".." parts, and never / or a system folder', () => {
    const part = fc.constantFrom(
      'opt',
      'kafka',
      'srv',
      'usr',
      'local',
      'var',
      'lib',
      'etc',
      '.',
      '..',
      '...',
      '-x',
      'a.b',
      'k_2.13-4.1.1',
      '',
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), fc.boolean(), (parts, trailing) => {
        const input = `/${parts.join('/')}${trailing ? '/' : ''}`;
        if (check(INSTALL_DIR, input) === 'accepted') {
          const out = validateInstallDir(input);
          expect(out).not.toBe('/');
          expect([
            '/opt',
            '/usr',
            '/usr/local',
            '/var',
            '/var/lib',
            '/srv',
            '/etc',
            '/usr/lib',
          ]).not.toContain(out);
          expect(parts.every((p) => p !== '.' && p !== '..')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ---- the SSH login target ----------------------------------------------------------------------------
//
// The SSH host and user are checked by the contract's SetupLogin (zod: an allowlist of characters)
// and then by openSsh (no blank, whitespace or NUL); they only ever go to ssh2's TCP connect, never
// into a shell.

const loginHost = fc.oneof(
  soup,
  fc.domain(),
  fc.ipV4(),
  fc.ipV6(),
  fc.string({ maxLength: 300 }),
  fc.anything({ maxDepth: 1 }),
);
const loginish = fc.oneof(
  fc.record(
    {
      host: loginHost,
      port: fc.oneof(
        fc.integer({ min: -5, max: 70_000 }),
        fc.double(),
        fc.constantFrom<unknown>('22', null, 22n, Number.NaN),
      ),
      user: fc.oneof(
        soup,
        fc.constantFrom('ubuntu', 'root', ''),
        fc.string({ maxLength: 80 }),
        fc.anything({ maxDepth: 1 }),
      ),
      auth: fc.oneof(
        fc.constantFrom<unknown>(
          { kind: 'agent' },
          { kind: 'saved' },
          { kind: 'password', password: 'pw' },
          { kind: 'key', privateKey: 'k' },
          { kind: 'nope' },
          null,
        ),
        fc.record(
          {
            kind: fc.constantFrom('password', 'key'),
            password: fc.anything({ maxDepth: 0 }),
            privateKey: fc.anything({ maxDepth: 0 }),
          },
          { requiredKeys: ['kind'] },
        ),
      ),
      remember: fc.oneof(fc.boolean(), fc.anything({ maxDepth: 0 })),
      sudoPassword: fc.anything({ maxDepth: 0 }),
      trustHostKey: fc.oneof(
        fc.constantFrom(`SHA256:${'A'.repeat(43)}`, 'SHA256:x'),
        fc.anything({ maxDepth: 0 }),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true }),
);

describe('SSH login target (contract SetupLogin, property)', () => {
  it.each([
    '10.0.0.5;id',
    '$(id)',
    '`id`',
    'host name',
    'a\nb',
    '-oProxyCommand=x',
    "'x'",
    '[::1]',
  ])('refuses the host %j', (host) => {
    expect(
      SetupLogin.safeParse({
        host,
        port: 22,
        user: 'ubuntu',
        auth: { kind: 'agent' },
        remember: false,
      }).success,
    ).toBe(false);
  });
  it.each(['root;id', '-x', 'a b', '$(id)'])('refuses the user %j', (user) => {
    expect(
      SetupLogin.safeParse({
        host: '10.0.0.5',
        port: 22,
        user,
        auth: { kind: 'agent' },
        remember: false,
      }).success,
    ).toBe(false);
  });

  it('safeParse never throws; an accepted login has a host of 1..253 characters, a port 1..65535 and a user', () => {
    fc.assert(
      fc.property(loginish, (login) => {
        const r = SetupLogin.safeParse(login);
        expect(typeof r.success).toBe('boolean');
        if (!r.success) return;
        expect(
          typeof r.data.host === 'string' && r.data.host.length >= 1 && r.data.host.length <= 253,
        ).toBe(true);
        expect(Number.isInteger(r.data.port) && r.data.port >= 1 && r.data.port <= 65535).toBe(
          true,
        );
        expect(
          typeof r.data.user === 'string' && r.data.user.length >= 1 && r.data.user.length <= 64,
        ).toBe(true);
        expect(['password', 'key', 'agent', 'saved']).toContain(r.data.auth.kind);
        // nothing a shell, an ssh option or a log line could read specially
        expect(r.data.host).toMatch(/^[A-Za-z0-9:][A-Za-z0-9.:-]*$/);
        expect(r.data.user).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
      }),
      { numRuns: 600 },
    );
  });

  it('every host the setup allowlist accepts (host name, IPv4, IPv6) and every valid user name get through', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()),
        fc.stringMatching(/^[a-z_][a-z0-9_-]{0,31}$/),
        fc.integer({ min: 1, max: 65535 }),
        (host, user, port) => {
          fc.pre(
            problemOf(validateHostname, host) === null ||
              problemOf(validateIPv4, host) === null ||
              isIPv6(host),
          );
          const r = SetupLogin.safeParse({
            host,
            port,
            user,
            auth: { kind: 'agent' },
            remember: false,
          });
          expect(r.success, host).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
