/**
 * The shapes of a setup plan: remote commands (argv, files to write or upload), steps with an
 * optional check, the choices an install starts from, an installation's layout, and the plan
 * errors. How plans run: setup/executor.ts; the design: setup/install-plan.ts.
 */
import type { ClusterChoice } from './cluster-choice.js';
import { KvsError } from '../../shared/errors.js';
import { type KafkaModeChoice } from './config.js';

/**
 * A secret a command reads on its stdin (never on its command line, where `ps` shows it): `text`
 * goes to the command, `shown` is all the plan view and the live log say of it.
 */
export interface SecretStdin {
  text: string;
  shown: string;
}

export type RemoteCommand =
  | { argv: readonly string[]; stdin?: SecretStdin }
  | { writeFile: { path: string; content: string; mode: number } }
  | { upload: { localPath: string; remotePath: string } };

export interface PlanStep {
  id: string;
  title: string;
  /** One or two sentences for a person: why this step is there. */
  why: string;
  /** Exit status 0 = already done, skip apply. */
  check?: RemoteCommand;
  apply: RemoteCommand[];
  /** Run check and apply as root. */
  sudo: boolean;
}

export type KafkaSource =
  { kind: 'download'; mirrorUrl: string } | { kind: 'upload'; tarballPath: string };

export interface InstallChoices {
  mode: KafkaModeChoice;
  kafkaVersion: string;
  /** Default /opt/kafka. */
  installDir?: string;
  /** IPv4 clients use to reach the broker (advertised.listeners). */
  advertise: string;
  source: KafkaSource;
  /** SHA-512 of the tarball; without it a download is checked against the mirror's .sha512. */
  sha512?: string;
  /** When ufw is active: allow 9092/tcp. */
  openFirewall?: boolean;
  /** zookeeper mode: 'auto' (default) = zookeeperd when apt has it, else the bundled one. */
  zookeeper?: 'auto' | 'zookeeperd' | 'bundled';
  /** "TLS + SCRAM login" (secure-install.ts); absent: PLAINTEXT. */
  secure?: SecureChoice;
  /** One node of a KRaft cluster (cluster-choice.ts); absent: a single server. */
  cluster?: ClusterChoice;
}

/** The first SCRAM-SHA-512 user of a secure install (validated by shared/setup-validate.ts). */
export interface SecureChoice {
  scramUser: string;
  scramPassword: string;
}

/** What is (to be) installed; start/stop/status/uninstall plans take it. */
export interface Installation {
  mode: KafkaModeChoice;
  kafkaVersion: string;
  /** "2.13" (Kafka ≥ 2.4) or "2.12". */
  scala: string;
  installDir: string;
  zookeeper: 'zookeeperd' | 'bundled' | null;
  systemd: boolean;
  javaMajor: number;
  javaPackage: string;
  javaHome: string;
  /** TLS + SCRAM login: SASL_SSL for clients, PLAINTEXT on 127.0.0.1 inside the host. */
  secure: boolean;
}

/** What a secure install hands to a connection profile (none of it secret). */
export interface SecureSetup {
  /** The CA certificate on the server (root:kafka 0644, read back after the install). */
  caPath: string;
  scramUser: string;
  mechanism: 'SCRAM-SHA-512';
}

export interface InstallPlan {
  kind: 'install';
  installation: Installation;
  steps: PlanStep[];
  /** Things a person should know that are not steps (e.g. which ZooKeeper and why). */
  notes: string[];
  /** Set for a secure install. */
  secure: SecureSetup | null;
}

export interface OperationPlan {
  kind: 'start' | 'stop' | 'status' | 'uninstall' | 'advertise';
  installation: Installation;
  steps: PlanStep[];
  notes: string[];
}

export type SetupPlanReason =
  | 'OS_UNSUPPORTED'
  | 'ARCH_UNSUPPORTED'
  | 'DISK_LOW'
  | 'MODE_VERSION'
  | 'JAVA_UNAVAILABLE'
  | 'PORT_IN_USE'
  | 'EXISTING_KAFKA'
  | 'FACTS_MISSING'
  | 'SECURITY_CHOICE'
  | 'CLUSTER_CHOICE';

/** The server or the choices rule the install out; `reason` is stable, the message says what to do. */
export class SetupPlanError extends KvsError {
  constructor(
    readonly reason: SetupPlanReason,
    message: string,
  ) {
    super(reason === 'PORT_IN_USE' ? 'PORT_IN_USE' : 'INVALID_ARGUMENT', message);
  }
}
