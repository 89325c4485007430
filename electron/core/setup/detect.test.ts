import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectionCommands,
  factsFromOutputs,
  parseAptCandidate,
  parseDfAvailableKb,
  parseDpkgStatus,
  parseInitComm,
  parseJavaVersion,
  parseKafkaVersion,
  parseListeningPorts,
  parseOsRelease,
  parseUfwStatus,
  parseUnameMachine,
  parseUser,
} from './detect.js';
import {
  APT_POLICY_JAMMY,
  APT_POLICY_NONE,
  DF,
  JAVA_VERSION,
  OS_RELEASE,
  SS_JAMMY,
  SS_XENIAL,
  UFW_ACTIVE,
} from '../../../scripts/test-support/setup-fixtures.js';

describe('parseOsRelease', () => {
  it.each([
    ['ubuntu-16.04', 'ubuntu', '16.04', 'xenial'],
    ['ubuntu-18.04', 'ubuntu', '18.04', 'bionic'],
    ['ubuntu-20.04', 'ubuntu', '20.04', 'focal'],
    ['ubuntu-22.04', 'ubuntu', '22.04', 'jammy'],
    ['ubuntu-24.04', 'ubuntu', '24.04', 'noble'],
    ['debian-12', 'debian', '12', 'bookworm'],
  ] as const)('%s is supported', (release, id, versionId, codename) => {
    const os = parseOsRelease(OS_RELEASE[release]);
    expect(os).toMatchObject({ id, versionId, codename, supported: true, reason: null });
  });

  it('names why other systems are not supported', () => {
    const centos = parseOsRelease(OS_RELEASE['centos-7']);
    expect(centos.supported).toBe(false);
    expect(centos.reason).toContain('CentOS Linux 7 (Core) is not supported');
    const mantic = parseOsRelease(OS_RELEASE['ubuntu-23.10']);
    expect(mantic.supported).toBe(false);
    expect(mantic.reason).toContain('16.04, 18.04, 20.04, 22.04, 24.04');
    expect(parseOsRelease('ID=debian\nVERSION_ID="9"\n').reason).toContain('10, 11, 12');
    expect(parseOsRelease('').reason).toContain('Could not read');
  });
});

describe('small parsers', () => {
  it('uname -m', () => {
    expect(parseUnameMachine('x86_64\n')).toBe('x86_64');
    expect(parseUnameMachine('aarch64\n')).toBe('aarch64');
    expect(parseUnameMachine('armv7l\n')).toBeNull();
  });
  it('PID 1', () => {
    expect(parseInitComm('systemd\n')).toBe(true);
    expect(parseInitComm('init\n')).toBe(false);
    expect(parseInitComm('bash\n')).toBe(false);
    expect(parseInitComm('')).toBeNull();
  });
  it('df -Pk', () => {
    expect(parseDfAvailableKb(DF)).toBe(26153208);
    expect(
      parseDfAvailableKb(
        'Filesystem 1024-blocks Used Available Capacity Mounted on\nmy disk 100 40 60 40% /mnt/my disk\n',
      ),
    ).toBe(60);
    expect(parseDfAvailableKb('df: /nope: No such file or directory\n')).toBeNull();
  });
  it.each([
    ['ubuntu-16.04-8', 8, '1.8.0_292'],
    ['ubuntu-18.04-11', 11, '11.0.19'],
    ['ubuntu-22.04-17', 17, '17.0.10'],
    ['ubuntu-24.04-21', 21, '21.0.4'],
    ['debian-12-17', 17, '17.0.15'],
    ['oracle-8', 8, '1.8.0_201'],
  ] as const)('java -version %s', (key, major, version) => {
    expect(parseJavaVersion(JAVA_VERSION[key])).toEqual({ major, version });
  });
  it('java missing', () => {
    expect(parseJavaVersion(JAVA_VERSION.missing)).toBeNull();
    expect(parseJavaVersion(JAVA_VERSION['command-not-found'])).toBeNull();
  });
  it('existing Kafka from libs/ or the marker', () => {
    expect(
      parseKafkaVersion('kafka-clients-3.9.1.jar\nkafka_2.13-3.9.1.jar\nzookeeper-3.8.4.jar\n'),
    ).toBe('3.9.1');
    expect(parseKafkaVersion('kafka_2.12-2.0.1.jar\nkafka_2.12-2.0.1-sources.jar\n')).toBe('2.0.1');
    expect(parseKafkaVersion('# Packed\nkafka.version=4.1.1\nmode=kraft\n')).toBe('4.1.1');
    expect(parseKafkaVersion('')).toBeNull();
    expect(parseKafkaVersion('kafka-clients-3.9.1.jar\n')).toBeNull();
  });
  it('dpkg status of zookeeperd', () => {
    expect(parseDpkgStatus('install ok installed 3.4.13-6ubuntu4\n')).toEqual({
      installed: true,
      version: '3.4.13-6ubuntu4',
    });
    expect(parseDpkgStatus('dpkg-query: no packages found matching zookeeperd\n')).toEqual({
      installed: false,
      version: null,
    });
    expect(parseDpkgStatus('deinstall ok config-files 3.4.13-6ubuntu4\n')).toEqual({
      installed: false,
      version: null,
    });
    expect(
      parseDpkgStatus('Package: zookeeperd\nStatus: install ok installed\nVersion: 3.8.0-11\n'),
    ).toEqual({ installed: true, version: '3.8.0-11' });
    expect(parseDpkgStatus('')).toBeNull();
  });
  it('ss on Ubuntu 16.04 (header) and 22.04 (-H)', () => {
    expect(parseListeningPorts(SS_XENIAL)).toEqual([22, 3306]);
    expect(parseListeningPorts(SS_JAMMY)).toEqual([22, 53, 2181, 9092]);
    expect(parseListeningPorts('')).toEqual([]);
    expect(parseListeningPorts('Cannot open netlink socket: Permission denied')).toBeNull();
  });
  it('ufw status', () => {
    expect(parseUfwStatus(UFW_ACTIVE)).toBe('active');
    expect(parseUfwStatus('Status: inactive\n')).toBe('inactive');
    expect(parseUfwStatus('ufw: not found\n')).toBe('absent');
    expect(parseUfwStatus('sudo: ufw: command not found\n')).toBe('absent');
    expect(parseUfwStatus('ERROR: You need to be root to run this script\n')).toBeNull();
  });
  it('apt-cache policy zookeeperd', () => {
    expect(parseAptCandidate(APT_POLICY_JAMMY)).toBe('3.4.13-6ubuntu4');
    expect(parseAptCandidate(APT_POLICY_NONE)).toBeNull();
    expect(parseAptCandidate('N: Unable to locate package zookeeperd\n')).toBeNull();
    expect(parseAptCandidate('')).toBeNull();
  });
  it('id -un', () => {
    expect(parseUser('ubuntu\n')).toBe('ubuntu');
    expect(parseUser('$(id)\n')).toBeNull();
  });
});

describe('totality', () => {
  const parsers = [
    parseOsRelease,
    parseUnameMachine,
    parseInitComm,
    parseDfAvailableKb,
    parseJavaVersion,
    parseKafkaVersion,
    parseDpkgStatus,
    parseListeningPorts,
    parseUfwStatus,
    parseAptCandidate,
    parseUser,
  ] as const;
  it('no parser throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.anything(),
          fc
            .array(
              fc.constantFrom(
                'Status:',
                'Candidate:',
                ':',
                '"',
                'version',
                '1.',
                '%',
                '/',
                '\n',
                ' ',
                '[',
                ']',
                'ID=',
                '9092',
                'kafka_2.13-',
                '.jar',
                'install ok installed',
              ),
              { maxLength: 30 },
            )
            .map((parts) => parts.join('')),
        ),
        (input) => {
          for (const parse of parsers) expect(() => parse(input as string)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('factsFromOutputs', () => {
  it('reads a whole Ubuntu 22.04 server', () => {
    const ok = (stdout: string, stderr = '') => ({ stdout, stderr, exitCode: 0 });
    const facts = factsFromOutputs({
      osRelease: ok(OS_RELEASE['ubuntu-22.04']),
      arch: ok('x86_64\n'),
      init: ok('systemd\n'),
      disk: ok(DF),
      java: ok(JAVA_VERSION['ubuntu-22.04-17']),
      kafka: ok(''),
      zookeeperd: ok('dpkg-query: no packages found matching zookeeperd\n'),
      zookeeperdPolicy: ok(APT_POLICY_JAMMY),
      ports: ok(SS_JAMMY),
      ufw: ok(UFW_ACTIVE),
      user: ok('ubuntu\n'),
    });
    expect(facts).toMatchObject({
      os: { id: 'ubuntu', versionId: '22.04', supported: true },
      arch: 'x86_64',
      systemd: true,
      diskFreeKb: 26153208,
      java: { major: 17 },
      kafkaVersion: null,
      zookeeperd: { installed: false },
      zookeeperdCandidate: '3.4.13-6ubuntu4',
      portsInUse: [22, 53, 2181, 9092],
      ufw: 'active',
      user: 'ubuntu',
    });
    expect(factsFromOutputs({}).portsInUse).toBeNull();
  });

  it('detection commands are argv; values only as positional arguments', () => {
    const cmds = detectionCommands('/opt/kafka');
    for (const { command } of Object.values(cmds)) {
      if (command.argv[0] === 'sh') {
        expect(command.argv[1]).toBe('-c');
        expect(command.argv[2]).not.toContain('/opt/kafka');
      }
    }
    expect(cmds.disk.command.argv.at(-1)).toBe('/opt/kafka');
  });
});
