/**
 * From what a server is and what the person chose to an Installation: the Java and ZooKeeper
 * to use, the tarball, the paths and the service names every plan works on.
 */
import {
  SetupValidationError,
  type KafkaVersion,
  validateInstallDir,
  validateKafkaVersion,
} from '../../shared/setup-validate.js';
import { atLeast } from './config.js';
import { type ServerFacts } from './detect.js';
import { InstallChoices, Installation, PlanStep, SetupPlanError } from './plan-types.js';
import { DEFAULT_INSTALL_DIR, SCRIPTS, sh } from './scripts.js';
import { checkSecureVersion, secureZookeeper } from './secure-install.js';

export function javaMajorsFor(v: KafkaVersion): number[] {
  if (!atLeast(v, 2, 1)) return [8];
  if (!atLeast(v, 3, 0)) return [11, 8];
  if (!atLeast(v, 4, 0)) return [17, 11];
  return [17];
}

/** OpenJDK majors apt offers per release (main/updates/security pockets). */
export const APT_JAVA: Readonly<Record<string, readonly number[]>> = {
  'ubuntu:16.04': [8],
  'ubuntu:18.04': [8, 11, 17],
  'ubuntu:20.04': [8, 11, 17],
  'ubuntu:22.04': [8, 11, 17],
  'ubuntu:24.04': [8, 11, 17, 21],
  'debian:10': [11],
  'debian:11': [11, 17],
  'debian:12': [17],
};

export interface JavaChoice {
  major: number;
  package: string;
}

/** The Java to install for `kafkaVersion` on `os` (null when apt has none that fits). */
export function javaFor(
  kafkaVersion: KafkaVersion,
  os: { id: string | null; versionId: string | null },
): JavaChoice | null {
  const available = APT_JAVA[`${os.id ?? ''}:${os.versionId ?? ''}`] ?? [];
  const major = javaMajorsFor(kafkaVersion).find((m) => available.includes(m));
  return major === undefined ? null : { major, package: `openjdk-${major}-jre-headless` };
}

/** Which ZooKeeper: the distribution's zookeeperd when apt has a candidate (or it is installed), else Kafka's own. */
export function chooseZookeeper(
  facts: Pick<ServerFacts, 'zookeeperd' | 'zookeeperdCandidate'>,
  preference: 'auto' | 'zookeeperd' | 'bundled' = 'auto',
): 'zookeeperd' | 'bundled' {
  if (preference === 'bundled') return 'bundled';
  const available = facts.zookeeperd?.installed === true || facts.zookeeperdCandidate !== null;
  if (preference === 'zookeeperd') {
    if (!available) {
      throw new SetupPlanError(
        'MODE_VERSION',
        'apt on this server offers no zookeeperd package; use the ZooKeeper bundled with Kafka instead.',
      );
    }
    return 'zookeeperd';
  }
  return available ? 'zookeeperd' : 'bundled';
}

function scalaFor(v: KafkaVersion): string {
  return atLeast(v, 2, 4) ? '2.13' : '2.12';
}

export function tarballName(inst: Pick<Installation, 'scala' | 'kafkaVersion'>): string {
  return `kafka_${inst.scala}-${inst.kafkaVersion}.tgz`;
}

/** Validates the choices against each other and the facts; the Installation the plan builds. */
export function installationFor(facts: ServerFacts, choices: InstallChoices): Installation {
  if (choices.mode !== 'kraft' && choices.mode !== 'zookeeper') {
    throw new SetupValidationError('mode', choices.mode, 'The mode must be kraft or zookeeper.');
  }
  const v = validateKafkaVersion(choices.kafkaVersion);
  const installDir = validateInstallDir(choices.installDir ?? DEFAULT_INSTALL_DIR);
  if (choices.mode === 'zookeeper' && (atLeast(v, 4, 0) || !atLeast(v, 1, 0))) {
    throw new SetupPlanError(
      'MODE_VERSION',
      atLeast(v, 4, 0)
        ? `Kafka ${v.text} has no ZooKeeper mode (Kafka 4 removed it): choose KRaft, or Kafka 3.9.x or older for ZooKeeper.`
        : `Kafka ${v.text} is too old; the setup wizard installs Kafka 1.0 or newer.`,
    );
  }
  if (choices.mode === 'kraft' && !atLeast(v, 3, 3)) {
    throw new SetupPlanError(
      'MODE_VERSION',
      `KRaft needs Kafka 3.3 or newer (4.x preferred), not ${v.text}; choose a newer Kafka or ZooKeeper mode.`,
    );
  }
  if (!facts.os.supported) {
    throw new SetupPlanError(
      'OS_UNSUPPORTED',
      facts.os.reason ?? 'This Linux distribution is not supported.',
    );
  }
  if (facts.arch === null) {
    throw new SetupPlanError(
      'ARCH_UNSUPPORTED',
      'Kafka is installed on x86_64 or aarch64 servers only (uname -m said otherwise).',
    );
  }
  const java = javaFor(v, facts.os);
  if (java === null) {
    throw new SetupPlanError(
      'JAVA_UNAVAILABLE',
      `Kafka ${v.text} needs Java ${javaMajorsFor(v).join(' or ')}, which apt on ${facts.os.prettyName ?? 'this server'} does not offer; choose ${
        atLeast(v, 2, 1) ? 'an older Kafka' : 'Kafka 2.1 or newer'
      } or a newer OS release.`,
    );
  }
  if (choices.secure !== undefined) checkSecureVersion(v, choices.mode);
  const debArch = facts.arch === 'x86_64' ? 'amd64' : 'arm64';
  const zookeeperPreference =
    choices.secure !== undefined
      ? secureZookeeper(choices.zookeeper ?? 'auto')
      : (choices.zookeeper ?? 'auto');
  return {
    mode: choices.mode,
    kafkaVersion: v.text,
    scala: scalaFor(v),
    installDir,
    zookeeper: choices.mode === 'zookeeper' ? chooseZookeeper(facts, zookeeperPreference) : null,
    systemd: facts.systemd === true,
    javaMajor: java.major,
    javaPackage: java.package,
    javaHome: `/usr/lib/jvm/java-${java.major}-openjdk-${debArch}`,
    secure: choices.secure !== undefined,
  };
}

export function kafkaJar(inst: Installation): string {
  return `libs/kafka_${inst.scala}-${inst.kafkaVersion}.jar`;
}

export function writeFileStep(
  id: string,
  title: string,
  why: string,
  path: string,
  content: string,
  mode = 0o644,
): PlanStep {
  return {
    id,
    title,
    why,
    check: sh(SCRIPTS.sameContent, path, content),
    apply: [{ writeFile: { path, content, mode } }],
    sudo: true,
  };
}

/** The ordered install steps. Throws SetupValidationError / SetupPlanError when it can't be done. */
