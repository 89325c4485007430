/**
 * The secure install's plan (TLS + SCRAM login), pure: which steps it adds and where, the
 * server.properties it writes, that the password is on no command line (only a command's stdin,
 * shown by its label), that every shell is a fixed script, and what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { freshFacts } from '../../../scripts/test-support/setup-fixtures.js';
import { validateKafkaVersion } from '../../shared/setup-validate.js';
import { LAYOUT, serverProperties } from './config.js';
import { renderPlan } from './dry-run.js';
import { buildInstallPlan } from './install-plan.js';
import { SetupPlanError, type InstallChoices, type RemoteCommand } from './plan-types.js';
import { isFixedScript } from './scripts.js';
import { SECURE_FILES, scramMarker } from './secure-install.js';
import { buildAdvertisePlan } from './service-plans.js';

const PASSWORD = 'Secret-Pw-0123456789!#';
const secure = { scramUser: 'kvs-admin', scramPassword: PASSWORD };
const kraft: InstallChoices = {
  mode: 'kraft',
  kafkaVersion: '4.1.1',
  advertise: '203.0.113.7',
  source: { kind: 'download', mirrorUrl: 'https://archive.apache.org/dist/' },
  sha512: 'ab'.repeat(64),
  secure,
};
const zk: InstallChoices = { ...kraft, mode: 'zookeeper', kafkaVersion: '3.9.1' };

function commands(c: InstallChoices): RemoteCommand[] {
  const plan = buildInstallPlan(freshFacts('ubuntu-22.04'), c);
  return plan.steps.flatMap((s) => [...(s.check === undefined ? [] : [s.check]), ...s.apply]);
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

describe('secure install plan', () => {
  it('adds openssl, the CA + certificate before server.properties, and the SCRAM user after Kafka listens', () => {
    const plan = buildInstallPlan(freshFacts('ubuntu-22.04'), kraft);
    const ids = plan.steps.map((s) => s.id);
    expect(ids.indexOf('openssl')).toBeGreaterThan(ids.indexOf('apt-update'));
    expect(ids.indexOf('tls')).toBeGreaterThan(ids.indexOf('user'));
    expect(ids.indexOf('tls')).toBeLessThan(ids.indexOf('server-properties'));
    expect(ids.at(-1)).toBe('scram-user');
    expect(ids.at(-2)).toBe('verify-ports');
    expect(plan.installation.secure).toBe(true);
    expect(plan.secure).toEqual({
      caPath: SECURE_FILES.caCert,
      scramUser: 'kvs-admin',
      mechanism: 'SCRAM-SHA-512',
    });
    // the port wait includes the local PLAINTEXT listener
    const wait = plan.steps.find((s) => s.id === 'verify-ports')?.apply[0];
    expect(wait !== undefined && 'argv' in wait && wait.argv.slice(-3)).toEqual([
      '9092',
      '9093',
      '9091',
    ]);
  });

  it('the password is on no command line: only on the SCRAM step’s stdin, shown by its label', () => {
    for (const c of [kraft, zk]) {
      const all = commands(c);
      for (const cmd of all) {
        if (!('argv' in cmd)) {
          expect(JSON.stringify(cmd)).not.toContain(PASSWORD);
          continue;
        }
        expect(cmd.argv.join('\n')).not.toContain(PASSWORD);
        const i = cmd.argv.indexOf('-c');
        if (i > 0 && cmd.argv[i - 1] === 'sh')
          expect(isFixedScript(cmd.argv[i + 1] ?? '')).toBe(true);
      }
      const withStdin = all.filter((cmd) => 'argv' in cmd && cmd.stdin !== undefined);
      expect(withStdin).toHaveLength(2); // the SCRAM step's check and apply
      const text = renderPlan(buildInstallPlan(freshFacts('ubuntu-22.04'), c)).join('\n');
      expect(text).not.toContain(PASSWORD);
      expect(text).toContain('< (the SCRAM password and its fingerprint, on stdin)');
    }
  });

  it('the marker is a fingerprint of user and password, not the password', () => {
    const m = scramMarker('kvs-admin', PASSWORD);
    expect(m).toMatch(/^SCRAM-SHA-512 kvs-admin [0-9a-f]{64}$/);
    expect(m).toBe(scramMarker('kvs-admin', PASSWORD));
    expect(scramMarker('kvs-admin', `${PASSWORD}x`)).not.toBe(m);
    expect(scramMarker('other', PASSWORD)).not.toBe(m);
  });

  it('server.properties (KRaft 4.x): SASL_SSL for clients at the advertised address, PLAINTEXT on 127.0.0.1 only', () => {
    const p = serverProperties({
      mode: 'kraft',
      kafkaVersion: validateKafkaVersion('4.1.1'),
      advertise: '203.0.113.7',
      secure: { keystore: SECURE_FILES.keystore },
    });
    expect(p).toContain(
      'listeners=SASL_SSL://0.0.0.0:9092,INTERNAL://127.0.0.1:9091,CONTROLLER://127.0.0.1:9093\n',
    );
    expect(p).toContain(
      'advertised.listeners=SASL_SSL://203.0.113.7:9092,INTERNAL://127.0.0.1:9091,CONTROLLER://127.0.0.1:9093\n',
    );
    expect(p).toContain('inter.broker.listener.name=INTERNAL\n');
    expect(p).toContain('controller.listener.names=CONTROLLER\n');
    expect(p).toContain(
      'listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT\n',
    );
    expect(p).toContain('ssl.keystore.type=PEM\n');
    expect(p).toContain(`ssl.keystore.location=${SECURE_FILES.keystore}\n`);
    expect(p).not.toContain('ssl.key.password');
    expect(p).toContain('sasl.enabled.mechanisms=SCRAM-SHA-512\n');
    expect(p).toContain(
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n',
    );
    expect(p).not.toContain('PLAINTEXT://0.0.0.0');
  });

  it('server.properties (ZooKeeper 3.9, KRaft 3.x): no controller listener, or a static one on 127.0.0.1', () => {
    const zkProps = serverProperties({
      mode: 'zookeeper',
      kafkaVersion: validateKafkaVersion('3.9.1'),
      advertise: '203.0.113.7',
      secure: { keystore: SECURE_FILES.keystore },
    });
    expect(zkProps).toContain('listeners=SASL_SSL://0.0.0.0:9092,INTERNAL://127.0.0.1:9091\n');
    expect(zkProps).toContain(
      'advertised.listeners=SASL_SSL://203.0.113.7:9092,INTERNAL://127.0.0.1:9091\n',
    );
    expect(zkProps).not.toContain('CONTROLLER');
    const k39 = serverProperties({
      mode: 'kraft',
      kafkaVersion: validateKafkaVersion('3.9.1'),
      advertise: '203.0.113.7',
      secure: { keystore: SECURE_FILES.keystore },
    });
    expect(k39).toContain(
      'advertised.listeners=SASL_SSL://203.0.113.7:9092,INTERNAL://127.0.0.1:9091\n',
    );
    expect(k39).toContain('controller.quorum.voters=1@127.0.0.1:9093\n');
  });

  it('refuses what it cannot secure: old Kafka, zookeeperd, a bad user or password, a port in use', () => {
    const facts = freshFacts('ubuntu-22.04');
    expect(
      planError(() => buildInstallPlan(facts, { ...kraft, kafkaVersion: '3.4.1' })).reason,
    ).toBe('MODE_VERSION');
    expect(planError(() => buildInstallPlan(facts, { ...zk, kafkaVersion: '2.6.3' })).reason).toBe(
      'MODE_VERSION',
    );
    expect(
      planError(() => buildInstallPlan(facts, { ...zk, zookeeper: 'zookeeperd' })).reason,
    ).toBe('SECURITY_CHOICE');
    // 'auto' with zookeeperd on offer still takes the bundled, local-only ZooKeeper
    expect(buildInstallPlan(facts, zk).installation.zookeeper).toBe('bundled');
    expect(() =>
      buildInstallPlan(facts, { ...kraft, secure: { ...secure, scramUser: 'a,b' } }),
    ).toThrow(/SCRAM user name/);
    for (const bad of ['short', 'with space in it!', 'quote"in-the-middle', 'back\\slash-here1'])
      expect(() =>
        buildInstallPlan(facts, { ...kraft, secure: { ...secure, scramPassword: bad } }),
      ).toThrow(/SCRAM password/);
    try {
      buildInstallPlan(facts, { ...kraft, secure: { ...secure, scramPassword: 'short"pw' } });
    } catch (e) {
      expect(String(e)).not.toContain('short"pw');
    }
    expect(
      planError(() =>
        buildInstallPlan(
          freshFacts('ubuntu-22.04', { portsInUse: [22, LAYOUT.internalPort] }),
          kraft,
        ),
      ).reason,
    ).toBe('PORT_IN_USE');
  });

  it("the doctor's advertise fix refuses a secure install instead of writing PLAINTEXT", () => {
    const plan = buildInstallPlan(freshFacts('ubuntu-22.04'), kraft);
    expect(planError(() => buildAdvertisePlan(plan.installation, '203.0.113.8')).reason).toBe(
      'SECURITY_CHOICE',
    );
  });
});
