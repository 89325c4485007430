import { describe, expect, it } from 'vitest';
import { serverProperties, zookeeperProperties, kafkaSystemdUnit } from './config.js';
import { renderPlan, shellQuote } from './dry-run.js';
import { freshFacts } from '../../../scripts/test-support/setup-fixtures.js';
import { buildInstallPlan } from './install-plan.js';
import { chooseZookeeper, javaFor, javaMajorsFor } from './installation.js';
import {
  SetupPlanError,
  type InstallChoices,
  type PlanStep,
  type RemoteCommand,
} from './plan-types.js';
import { isFixedScript } from './scripts.js';
import {
  buildAdvertisePlan,
  buildStartPlan,
  buildStatusPlan,
  buildStopPlan,
} from './service-plans.js';
import { buildUninstallPlan } from './uninstall-plan.js';
import { validateKafkaVersion } from '../../shared/setup-validate.js';

const SHA = 'ab'.repeat(64);
const kraft: InstallChoices = {
  mode: 'kraft',
  kafkaVersion: '4.1.1',
  advertise: '203.0.113.7',
  source: { kind: 'download', mirrorUrl: 'https://archive.apache.org/dist/' },
  sha512: SHA,
};
const zk: InstallChoices = { ...kraft, mode: 'zookeeper', kafkaVersion: '3.9.1' };

function step(steps: PlanStep[], id: string): PlanStep {
  const s = steps.find((x) => x.id === id);
  if (s === undefined) throw new Error(`no step ${id} in ${steps.map((x) => x.id).join(',')}`);
  return s;
}
function argvOf(c: RemoteCommand | undefined): readonly string[] {
  if (c === undefined || !('argv' in c)) throw new Error('not argv');
  return c.argv;
}
function planError(f: () => unknown): SetupPlanError {
  try {
    f();
  } catch (e) {
    if (e instanceof SetupPlanError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('Java for a Kafka version', () => {
  const v = validateKafkaVersion;
  it('8 for Kafka ≤ 2.0, 11 for 2.1–2.8, 17 for 3.x/4.x', () => {
    expect(javaMajorsFor(v('0.11.0'))).toEqual([8]);
    expect(javaMajorsFor(v('2.0.1'))).toEqual([8]);
    expect(javaMajorsFor(v('2.1.0'))).toEqual([11, 8]);
    expect(javaMajorsFor(v('3.9.1'))).toEqual([17, 11]);
    expect(javaMajorsFor(v('4.1.1'))).toEqual([17]);
  });
  it('picks what apt offers on the release', () => {
    const os = (id: string, versionId: string) => ({ id, versionId });
    expect(javaFor(v('2.0.1'), os('ubuntu', '16.04'))).toEqual({
      major: 8,
      package: 'openjdk-8-jre-headless',
    });
    expect(javaFor(v('4.1.1'), os('ubuntu', '24.04'))).toEqual({
      major: 17,
      package: 'openjdk-17-jre-headless',
    });
    expect(javaFor(v('3.9.1'), os('debian', '10'))).toEqual({
      major: 11,
      package: 'openjdk-11-jre-headless',
    });
    expect(javaFor(v('4.1.1'), os('ubuntu', '16.04'))).toBeNull();
    expect(javaFor(v('2.0.1'), os('debian', '12'))).toBeNull();
  });
  it('the plan installs it and the services use its JAVA_HOME', () => {
    const plan = buildInstallPlan(freshFacts('ubuntu-20.04'), { ...zk, kafkaVersion: '2.0.1' });
    expect(argvOf(step(plan.steps, 'java').apply[0])).toContain('openjdk-8-jre-headless');
    expect(step(plan.steps, 'java').why).toContain('Java 9');
    expect(plan.installation.javaHome).toBe('/usr/lib/jvm/java-8-openjdk-amd64');
    expect(plan.installation.scala).toBe('2.12');
    const unit = step(plan.steps, 'kafka-unit').apply[0];
    expect(unit !== undefined && 'writeFile' in unit && unit.writeFile.content).toContain(
      'Environment="JAVA_HOME=/usr/lib/jvm/java-8-openjdk-amd64"',
    );
    const err = planError(() => buildInstallPlan(freshFacts('ubuntu-16.04'), kraft));
    expect(err.reason).toBe('JAVA_UNAVAILABLE');
    expect(err.message).toContain('Java 17');
  });
});

describe('mode and version', () => {
  it('ZooKeeper needs Kafka ≤ 3.9; KRaft needs ≥ 3.3', () => {
    expect(
      planError(() => buildInstallPlan(freshFacts(), { ...zk, kafkaVersion: '4.0.0' })).message,
    ).toContain('Kafka 4 removed it');
    expect(
      planError(() => buildInstallPlan(freshFacts(), { ...kraft, kafkaVersion: '3.2.3' })).reason,
    ).toBe('MODE_VERSION');
    const old = buildInstallPlan(freshFacts(), { ...kraft, kafkaVersion: '3.6.2' });
    expect(step(old.steps, 'server-properties').apply[0]).toMatchObject({
      writeFile: { content: expect.stringContaining('controller.quorum.voters=1@127.0.0.1:9093') },
    });
    expect(argvOf(step(old.steps, 'format').apply[0]).at(-1)).toBe('static');
  });
  it('refuses unsupported systems, little disk, taken ports and another Kafka', () => {
    expect(planError(() => buildInstallPlan(freshFacts('centos-7'), kraft)).reason).toBe(
      'OS_UNSUPPORTED',
    );
    expect(
      planError(() => buildInstallPlan(freshFacts('ubuntu-22.04', { arch: null }), kraft)).reason,
    ).toBe('ARCH_UNSUPPORTED');
    expect(
      planError(() => buildInstallPlan(freshFacts('ubuntu-22.04', { diskFreeKb: 1000 }), kraft))
        .reason,
    ).toBe('DISK_LOW');
    const port = planError(() =>
      buildInstallPlan(freshFacts('ubuntu-22.04', { portsInUse: [22, 9093] }), kraft),
    );
    expect(port.reason).toBe('PORT_IN_USE');
    expect(port.message).toContain('9093');
    expect(
      planError(() =>
        buildInstallPlan(freshFacts('ubuntu-22.04', { kafkaVersion: '3.9.1' }), kraft),
      ).reason,
    ).toBe('EXISTING_KAFKA');
    // the same version again: a re-run, finished steps are skipped by their checks
    const again = buildInstallPlan(
      freshFacts('ubuntu-22.04', { kafkaVersion: '4.1.1', portsInUse: [9092, 9093] }),
      kraft,
    );
    expect(again.notes.join(' ')).toContain('already');
  });
});

describe('ZooKeeper: zookeeperd or bundled', () => {
  it('zookeeperd when apt has a candidate', () => {
    expect(chooseZookeeper({ zookeeperd: null, zookeeperdCandidate: '3.4.13-6ubuntu4' })).toBe(
      'zookeeperd',
    );
    const plan = buildInstallPlan(freshFacts('ubuntu-22.04'), zk);
    expect(plan.installation.zookeeper).toBe('zookeeperd');
    expect(argvOf(step(plan.steps, 'zookeeper').apply[0])).toContain('zookeeperd');
    expect(plan.steps.some((s) => s.id === 'zookeeper-unit')).toBe(false);
    const unit = step(plan.steps, 'kafka-unit').apply[0];
    expect(unit !== undefined && 'writeFile' in unit && unit.writeFile.content).toContain(
      'Requires=zookeeper.service',
    );
    expect(
      planError(() => buildInstallPlan(freshFacts('ubuntu-22.04', { portsInUse: [2181] }), zk))
        .reason,
    ).toBe('PORT_IN_USE');
    // installed zookeeperd owns 2181: fine
    const installed = freshFacts('ubuntu-22.04', {
      portsInUse: [2181],
      zookeeperd: { installed: true, version: '3.4.13' },
    });
    expect(buildInstallPlan(installed, zk).installation.zookeeper).toBe('zookeeperd');
  });
  it('the bundled ZooKeeper as its own unit when apt has none', () => {
    const facts = freshFacts('debian-12', { zookeeperdCandidate: null });
    expect(chooseZookeeper(facts)).toBe('bundled');
    expect(() => chooseZookeeper(facts, 'zookeeperd')).toThrow(SetupPlanError);
    const plan = buildInstallPlan(facts, zk);
    const ids = plan.steps.map((s) => s.id);
    expect(ids).not.toContain('zookeeper');
    expect(ids).toEqual(
      expect.arrayContaining([
        'zookeeper-properties',
        'zookeeper-unit',
        'start-zookeeper',
        'kafka-unit',
      ]),
    );
    expect(ids.indexOf('start-zookeeper')).toBeLessThan(ids.indexOf('start-kafka'));
    const unit = step(plan.steps, 'zookeeper-unit').apply[0];
    expect(unit !== undefined && 'writeFile' in unit && unit.writeFile.content).toContain(
      'ExecStart=/opt/kafka/bin/zookeeper-server-start.sh /opt/kafka/config/zookeeper.properties',
    );
    expect(argvOf(step(plan.steps, 'verify-ports').apply[0]).slice(4)).toEqual([
      '90',
      '2181',
      '9092',
    ]);
  });
});

describe('steps', () => {
  it('each step that can be skipped has a check (idempotent re-runs)', () => {
    for (const facts of [
      freshFacts(),
      freshFacts('debian-12', { systemd: false, zookeeperdCandidate: null, ufw: 'active' }),
    ]) {
      for (const choices of [kraft, zk, { ...kraft, openFirewall: true }]) {
        const plan = buildInstallPlan(facts, choices);
        const unchecked = plan.steps.filter((s) => s.check === undefined).map((s) => s.id);
        // preflight and verify always run; an informational firewall step has nothing to run
        expect(
          unchecked.filter(
            (id) =>
              !['preflight', 'verify-ports'].includes(id) &&
              !(id === 'firewall' && choices.openFirewall !== true),
          ),
        ).toEqual([]);
      }
    }
  });

  it('downloads resumably to .part, verifies SHA-512, then renames', () => {
    const plan = buildInstallPlan(freshFacts(), kraft);
    const dl = step(plan.steps, 'download');
    expect(dl.check).toEqual({ argv: ['test', '-f', '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz'] });
    expect(argvOf(dl.apply[0])).toEqual([
      'curl',
      '-fL',
      '--retry',
      '3',
      '-C',
      '-',
      '-o',
      '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.part',
      'https://archive.apache.org/dist/kafka/4.1.1/kafka_2.13-4.1.1.tgz',
    ]);
    expect(dl.apply[1]).toEqual({
      writeFile: {
        path: '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.sha512',
        content: `${SHA}  /var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.part\n`,
        mode: 0o644,
      },
    });
    expect(argvOf(dl.apply[2]).slice(3)).toEqual([
      'sh',
      '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.part',
      '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.sha512',
    ]);
    expect(argvOf(dl.apply[2])[2]).toContain('sha512sum --status -c');
    expect(argvOf(dl.apply.at(-1))).toEqual([
      'mv',
      '-f',
      '--',
      '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.part',
      '/var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz',
    ]);
    // without a checksum: the mirror's .sha512
    const noSum = buildInstallPlan(freshFacts(), { ...kraft, sha512: undefined });
    const d2 = step(noSum.steps, 'download');
    expect(argvOf(d2.apply[1]).at(-1)).toBe(
      'https://archive.apache.org/dist/kafka/4.1.1/kafka_2.13-4.1.1.tgz.sha512',
    );
  });

  it('uploads as the SSH user, then verifies and moves as root', () => {
    const plan = buildInstallPlan(freshFacts(), {
      ...kraft,
      source: { kind: 'upload', tarballPath: '/home/me/My Downloads/kafka.tgz' },
    });
    const up = step(plan.steps, 'upload');
    expect(up.sudo).toBe(false);
    expect(up.apply).toEqual([
      {
        upload: {
          localPath: '/home/me/My Downloads/kafka.tgz',
          remotePath: '/var/tmp/kvs-setup/upload/kafka_2.13-4.1.1.tgz',
        },
      },
    ]);
    expect(argvOf(step(plan.steps, 'upload-dir').apply[0])).toEqual([
      'install',
      '-d',
      '-o',
      'ubuntu',
      '-m',
      '0700',
      '/var/tmp/kvs-setup/upload',
    ]);
    expect(step(plan.steps, 'verify').apply).toHaveLength(4);
    expect(plan.steps.some((s) => s.id === 'curl' || s.id === 'download')).toBe(false);
  });

  it('formats KRaft storage once, as the kafka user', () => {
    const f = step(buildInstallPlan(freshFacts(), kraft).steps, 'format');
    expect(f.check).toEqual({ argv: ['test', '-f', '/var/lib/kafka/data/meta.properties'] });
    const a = argvOf(f.apply[0]);
    expect(a.slice(0, 4)).toEqual(['runuser', '-u', 'kafka', '--']);
    expect(a.slice(-5)).toEqual([
      'sh',
      '/opt/kafka',
      '/opt/kafka/config/server.properties',
      '/var/lib/kafka/data',
      'standalone',
    ]);
  });

  it('without systemd: background processes with pid files', () => {
    const plan = buildInstallPlan(
      freshFacts('ubuntu-22.04', { systemd: false, zookeeperdCandidate: null }),
      zk,
    );
    const start = step(plan.steps, 'start-kafka');
    expect(start.check).toMatchObject({
      argv: ['sh', '-c', expect.any(String), 'sh', '/var/lib/kafka/kafka.pid'],
    });
    const a = argvOf(start.apply[0]);
    expect(a).toContain('KAFKA_HEAP_OPTS=-Xmx1G -Xms1G');
    expect(a.slice(-4)).toEqual([
      '/var/lib/kafka/kafka.pid',
      '/var/log/kafka/kafka.out',
      '/opt/kafka/bin/kafka-server-start.sh',
      '/opt/kafka/config/server.properties',
    ]);
    expect(plan.steps.some((s) => s.id.endsWith('-unit'))).toBe(false);
  });

  it('ufw: says so, and opens 9092 only when asked', () => {
    const facts = freshFacts('ubuntu-22.04', { ufw: 'active' });
    expect(step(buildInstallPlan(facts, kraft).steps, 'firewall').apply).toEqual([]);
    expect(
      step(buildInstallPlan(facts, { ...kraft, openFirewall: true }).steps, 'firewall').apply,
    ).toEqual([{ argv: ['ufw', 'allow', '9092/tcp'] }]);
    expect(
      buildInstallPlan(freshFacts(), { ...kraft, openFirewall: true }).steps.some(
        (s) => s.id === 'firewall',
      ),
    ).toBe(false);
  });

  it('every sh -c script is one of the fixed scripts', () => {
    for (const facts of [
      freshFacts(),
      freshFacts('debian-12', { systemd: false, zookeeperdCandidate: null }),
    ]) {
      for (const choices of [kraft, zk, { ...kraft, sha512: undefined }]) {
        const plan = buildInstallPlan(facts, choices);
        const ops = [
          buildStartPlan(plan.installation),
          buildStopPlan(plan.installation),
          buildStatusPlan(plan.installation),
          buildUninstallPlan(plan.installation, { removeData: true }),
        ];
        for (const s of [...plan.steps, ...ops.flatMap((o) => o.steps)]) {
          for (const c of [...s.apply, ...(s.check === undefined ? [] : [s.check])]) {
            if (!('argv' in c)) continue;
            const i = c.argv.indexOf('-c');
            if (c.argv.includes('sh') && i > 0 && c.argv[i - 1] === 'sh')
              expect(isFixedScript(c.argv[i + 1] ?? '')).toBe(true);
          }
        }
      }
    }
  });
});

describe('server.properties', () => {
  it('KRaft 4.x: combined node, dynamic quorum, advertised address', () => {
    const text = serverProperties({
      mode: 'kraft',
      kafkaVersion: validateKafkaVersion('4.1.1'),
      advertise: '203.0.113.7',
    });
    const lines = text.split('\n');
    for (const l of [
      'process.roles=broker,controller',
      'node.id=1',
      'controller.quorum.bootstrap.servers=127.0.0.1:9093',
      'listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
      'advertised.listeners=PLAINTEXT://203.0.113.7:9092,CONTROLLER://127.0.0.1:9093',
      'controller.listener.names=CONTROLLER',
      'log.dirs=/var/lib/kafka/data',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
    ])
      expect(lines).toContain(l);
    expect(text).not.toContain('zookeeper');
  });
  it('ZooKeeper mode', () => {
    const text = serverProperties({
      mode: 'zookeeper',
      kafkaVersion: validateKafkaVersion('3.9.1'),
      advertise: '10.0.0.5',
    });
    const lines = text.split('\n');
    for (const l of [
      'broker.id=0',
      'listeners=PLAINTEXT://0.0.0.0:9092',
      'advertised.listeners=PLAINTEXT://10.0.0.5:9092',
      'zookeeper.connect=localhost:2181',
      'log.dirs=/var/lib/kafka/data',
      'offsets.topic.replication.factor=1',
    ])
      expect(lines).toContain(l);
    expect(text).not.toContain('process.roles');
    expect(zookeeperProperties()).toContain('clientPortAddress=127.0.0.1');
  });
  it('systemd unit', () => {
    const unit = kafkaSystemdUnit({
      installDir: '/opt/kafka',
      javaHome: '/usr/lib/jvm/java-17-openjdk-arm64',
      kafkaVersion: '4.1.1',
      requires: null,
    });
    expect(unit).toContain('User=kafka');
    expect(unit).toContain(
      'ExecStart=/opt/kafka/bin/kafka-server-start.sh /opt/kafka/config/server.properties',
    );
    expect(unit).not.toContain('Requires=');
    expect(unit).toContain('WantedBy=multi-user.target');
  });
});

describe('fix on server: advertised.listeners', () => {
  const inst = buildInstallPlan(
    freshFacts('debian-12', { zookeeperdCandidate: null }),
    zk,
  ).installation;
  it('rewrites server.properties with the new address, restarts Kafka only, waits for its ports', () => {
    const plan = buildAdvertisePlan(inst, '10.0.0.9');
    expect(plan.steps.map((s) => s.id)).toEqual([
      'server-properties',
      'stop-kafka',
      'start-kafka',
      'verify-ports',
    ]);
    const write = plan.steps[0]?.apply[0];
    expect(write && 'writeFile' in write ? write.writeFile.content : '').toContain(
      'advertised.listeners=PLAINTEXT://10.0.0.9:9092',
    );
    expect(() => buildAdvertisePlan(inst, '10.0.0.9; reboot')).toThrow(/not an IPv4 address/);
  });
});

describe('start, stop, status, uninstall', () => {
  const inst = buildInstallPlan(
    freshFacts('debian-12', { zookeeperdCandidate: null }),
    zk,
  ).installation;
  it('systemd', () => {
    const start = buildStartPlan(inst).steps;
    expect(start.slice(0, -1).map((s) => argvOf(s.apply[0]))).toEqual([
      ['systemctl', 'start', 'kafka-zookeeper.service'],
      ['systemctl', 'start', 'kafka.service'],
    ]);
    // a start is done when clients can connect
    expect(start.at(-1)?.id).toBe('verify-ports');
    expect(argvOf(start.at(-1)?.apply[0]).slice(-2)).toEqual(['2181', '9092']);
    expect(buildStopPlan(inst).steps.map((s) => argvOf(s.apply[0]))).toEqual([
      ['systemctl', 'stop', 'kafka.service'],
      ['systemctl', 'stop', 'kafka-zookeeper.service'],
    ]);
    expect(buildStatusPlan(inst).steps.map((s) => s.id)).toEqual(['zookeeper', 'kafka', 'ports']);
    const un = buildUninstallPlan(inst);
    expect(un.steps.map((s) => s.id)).toEqual([
      'stop-kafka',
      'stop-zookeeper',
      'remove-units',
      'remove-kafka',
    ]);
    expect(un.notes.join(' ')).toContain('kept');
    expect(buildUninstallPlan(inst, { removeData: true }).steps.at(-1)?.id).toBe('remove-data');
  });
  it('refuses a tampered installation', () => {
    expect(() => buildUninstallPlan({ ...inst, installDir: '/' })).toThrow(/system folder/);
    expect(() => buildStopPlan({ ...inst, installDir: '/opt/kafka; rm -rf /' })).toThrow();
  });
});

describe('dry run', () => {
  it('shows every command, shell-quoted for display', () => {
    expect(shellQuote('/opt/kafka')).toBe('/opt/kafka');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
    const lines = renderPlan(buildInstallPlan(freshFacts(), kraft), { maxScriptLength: 40 });
    const text = lines.join('\n');
    expect(lines[0]).toBe('install: Kafka 4.1.1 (kraft) in /opt/kafka, Java 17, systemd');
    expect(text).toContain(
      '$ sudo curl -fL --retry 3 -C - -o /var/tmp/kvs-setup/kafka_2.13-4.1.1.tgz.part https://archive.apache.org/dist/kafka/4.1.1/kafka_2.13-4.1.1.tgz',
    );
    expect(text).toContain(
      'skip if this succeeds: $ sudo test -f /var/lib/kafka/data/meta.properties',
    );
    expect(text).toContain('write /opt/kafka/config/server.properties (mode 0644');
    expect(text).toContain(
      '  | advertised.listeners=PLAINTEXT://203.0.113.7:9092,CONTROLLER://127.0.0.1:9093',
    );
    expect(text).toContain(
      '$ sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless',
    );
  });
});
