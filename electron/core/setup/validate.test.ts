import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshFacts } from './fixtures.test-support.js';
import { SetupPlanError, buildInstallPlan, isFixedScript, type InstallChoices, type RemoteCommand } from './plan.js';
import {
  SetupValidationError,
  problemOf,
  validateHostname,
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
  validateMirrorUrl,
  validateSha512,
  validateUsername,
} from './validate.js';

describe('validators', () => {
  it('IPv4', () => {
    expect(validateIPv4('192.168.1.20')).toBe('192.168.1.20');
    for (const bad of ['0.0.0.0', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4 ', '1.2.3.4;id', 'localhost', '', '::1']) {
      expect(problemOf(validateIPv4, bad), bad).not.toBeNull();
    }
  });
  it('host names', () => {
    expect(validateHostname('Kafka-1.example.COM')).toBe('kafka-1.example.com');
    for (const bad of ['-a.com', 'a..b', 'a b', 'a_b', 'x'.repeat(64)]) expect(problemOf(validateHostname, bad), bad).not.toBeNull();
  });
  it('install dir', () => {
    expect(validateInstallDir('/opt/kafka/')).toBe('/opt/kafka');
    expect(validateInstallDir('/srv/kafka_2.13-4.1.1')).toBe('/srv/kafka_2.13-4.1.1');
    for (const bad of ['/', 'opt/kafka', '/opt/../etc', '/opt/./kafka', '/opt', '/usr', '/var/lib', '/opt/ka fka', '/opt/-rf', '//']) {
      expect(problemOf(validateInstallDir, bad), bad).not.toBeNull();
    }
  });
  it('Kafka version, mirror URL, user name, SHA-512', () => {
    expect(validateKafkaVersion('3.9.1')).toMatchObject({ major: 3, minor: 9, patch: 1 });
    for (const bad of ['3.9', '3.9.1-rc1', 'v3.9.1', '3.9.1\n']) expect(problemOf(validateKafkaVersion, bad), bad).not.toBeNull();
    expect(validateMirrorUrl('https://archive.apache.org/dist/')).toBe('https://archive.apache.org/dist');
    expect(validateMirrorUrl('http://10.0.0.2:8080/mirror')).toBe('http://10.0.0.2:8080/mirror');
    for (const bad of ['ftp://x.org', 'https://x.org/a b', 'https://u:p@x.org', 'https://x.org/?q=1', "https://x.org/'", 'https://x.org/$(id)']) {
      expect(problemOf(validateMirrorUrl, bad), bad).not.toBeNull();
    }
    expect(validateUsername('ubuntu')).toBe('ubuntu');
    expect(problemOf(validateUsername, 'Root')).not.toBeNull();
    expect(validateSha512('AB'.repeat(64))).toBe('ab'.repeat(64));
    expect(problemOf(validateSha512, 'ab'.repeat(63))).not.toBeNull();
  });
});

const HOSTILE = [';', '$(id)', '`id`', '\n', "'", '"', ' ', '&&', '|', '>', '\\', '${IFS}', '*', '#', '\u0000'];
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

type Field = 'advertise' | 'installDir' | 'kafkaVersion' | 'mirrorUrl' | 'sha512' | 'tarballPath' | 'user';

function inject(field: Field, value: string): { choices: InstallChoices; facts: ReturnType<typeof freshFacts> } {
  const facts = freshFacts('ubuntu-22.04');
  switch (field) {
    case 'mirrorUrl':
      return { choices: { ...base, source: { kind: 'download', mirrorUrl: `https://archive.apache.org/${value}` } }, facts };
    case 'tarballPath':
      return { choices: { ...base, source: { kind: 'upload', tarballPath: `/home/me/${value}.tgz` } }, facts };
    case 'user':
      return { choices: { ...base, source: { kind: 'upload', tarballPath: '/tmp/k.tgz' } }, facts: { ...facts, user: value } };
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
        fc.constantFrom<Field>('advertise', 'installDir', 'kafkaVersion', 'mirrorUrl', 'sha512', 'tarballPath', 'user'),
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
            else expect(c.writeFile.content.includes(local) || c.writeFile.path.includes(local)).toBe(false);
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
          const choices: InstallChoices = { ...base, mode, kafkaVersion: mode === 'kraft' ? '4.1.1' : '3.9.1', advertise, installDir };
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
                expect(a === dir || a.startsWith(`${dir}/`) || a.startsWith(`${dir}.`) || a.includes('=')).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
