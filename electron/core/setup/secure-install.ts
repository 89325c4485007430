/**
 * The "TLS + SCRAM login" install (issue 15): which Kafka can have it, the two steps it adds to the
 * install plan, and reading the CA certificate back for the connection profile.
 *
 * - TLS: a small CA and the server's certificate (SAN = the advertised IPv4) are made ON THE SERVER
 *   by openssl in a fixed script under umask 077 (SCRIPTS.makeTls): no private key ever travels, is
 *   uploaded or appears on a command line, and the CA key stays where it was made (root, 0600). The
 *   broker reads a PEM keystore (KIP-651): the unencrypted PKCS#8 key + certificate + CA, kafka 0600.
 * - SCRAM: the first SCRAM-SHA-512 user is set with kafka-configs --add-config-file through the
 *   broker's local PLAINTEXT listener (127.0.0.1; AlterUserScramCredentials, KIP-554: Kafka ≥ 2.7
 *   with ZooKeeper, ≥ 3.5 with KRaft, KIP-900). The password reaches the server on the command's
 *   stdin and a 0600 file that the script removes; kafka-storage format --add-scram is not used
 *   (it takes the password on argv).
 * - Re-running: the TLS step is done when the CA and keystore exist and the certificate names the
 *   address; the SCRAM step when Kafka has the user AND a marker (kafka 0600) holds this user and a
 *   PBKDF2 fingerprint of this password — so the same run again changes nothing, and a new password
 *   is set (the step changes).
 */
import { pbkdf2Sync } from 'node:crypto';
import {
  type KafkaVersion,
  validateScramPassword,
  validateScramUser,
} from '../../shared/setup-validate.js';
import type { SshSession } from '../ssh/ssh-session.js';
import { makeRunner } from './command-runner.js';
import { LAYOUT, type KafkaModeChoice, atLeast } from './config.js';
import {
  type Installation,
  type PlanStep,
  type SecureChoice,
  type SecureSetup,
  SetupPlanError,
} from './plan-types.js';
import { SCRIPTS, asKafka, sh } from './scripts.js';

export const SECURE_FILES = {
  caKey: `${LAYOUT.tlsDir}/ca.key`,
  caCert: `${LAYOUT.tlsDir}/ca.crt`,
  serverCert: `${LAYOUT.tlsDir}/server.crt`,
  /** The broker's PEM keystore: private key, certificate, CA. */
  keystore: `${LAYOUT.tlsDir}/server.pem`,
} as const;

/** Where kafka-configs reaches the broker on the server: its PLAINTEXT listener on 127.0.0.1. */
const LOCAL_BOOTSTRAP = `127.0.0.1:${LAYOUT.internalPort}`;

/** Throws when this Kafka cannot have TLS + SCRAM login set up by the wizard. */
export function checkSecureVersion(v: KafkaVersion, mode: KafkaModeChoice): void {
  if (mode === 'kraft' && !atLeast(v, 3, 5))
    throw new SetupPlanError(
      'MODE_VERSION',
      `SCRAM logins need Kafka 3.5 or newer in KRaft mode, not ${v.text}; choose a newer Kafka or leave "TLS + SCRAM login" off.`,
    );
  if (mode === 'zookeeper' && !atLeast(v, 2, 7))
    throw new SetupPlanError(
      'MODE_VERSION',
      `The wizard sets up TLS + SCRAM login on Kafka 2.7 or newer (PEM keystores, SCRAM users through the broker), not ${v.text}.`,
    );
}

/** The ZooKeeper a secure install may use: only the bundled one, which listens on 127.0.0.1. */
export function secureZookeeper(preference: 'auto' | 'zookeeperd' | 'bundled'): 'auto' | 'bundled' {
  if (preference === 'zookeeperd')
    throw new SetupPlanError(
      'SECURITY_CHOICE',
      "The distribution's zookeeperd listens on port 2181 on every interface, where anyone could change the SCRAM logins; a TLS + SCRAM install uses the ZooKeeper bundled with Kafka (127.0.0.1 only).",
    );
  return 'bundled';
}

/** The validated choice (user name and password rules: shared/setup-validate.ts). */
export function checkSecureChoice(choice: SecureChoice): SecureChoice {
  return {
    scramUser: validateScramUser(choice.scramUser),
    scramPassword: validateScramPassword(choice.scramPassword),
  };
}

/**
 * What the marker file holds for this user and password: a PBKDF2-SHA512 fingerprint (salted with
 * the user name), never the password. It reaches the server on stdin too.
 */
export function scramMarker(user: string, password: string): string {
  const hash = pbkdf2Sync(password, `kvs-setup scram-login ${user}`, 100_000, 32, 'sha512');
  return `SCRAM-SHA-512 ${user} ${hash.toString('hex')}`;
}

export function tlsStep(advertise: string): PlanStep {
  return {
    id: 'tls',
    title: `Make the CA and the server certificate for ${advertise}`,
    why: `On the server, with openssl: a CA of its own (kept in ${LAYOUT.tlsDir}, its key readable by root only) and a certificate for ${advertise}, which clients check. Private keys are written 0600 and never leave the server; the CA certificate goes into your connection profile.`,
    check: sh(SCRIPTS.tlsReady, LAYOUT.tlsDir, advertise),
    apply: [sh(SCRIPTS.makeTls, LAYOUT.tlsDir, advertise, LAYOUT.user)],
    sudo: true,
  };
}

export function scramStep(inst: Installation, choice: SecureChoice): PlanStep {
  const marker = scramMarker(choice.scramUser, choice.scramPassword);
  const env = [`JAVA_HOME=${inst.javaHome}`, `LOG_DIR=${LAYOUT.logDir}`];
  const args = [inst.installDir, LOCAL_BOOTSTRAP, choice.scramUser, LAYOUT.scramMarker];
  const asKafkaScript = (script: typeof SCRIPTS.scramSet | typeof SCRIPTS.scramReady) =>
    asKafka(env, 'sh', '-c', script, 'sh', ...args);
  return {
    id: 'scram-user',
    title: `Create the SCRAM-SHA-512 login "${choice.scramUser}"`,
    why: `Clients log in with this user and password. kafka-configs sets it through Kafka's local listener (127.0.0.1:${LAYOUT.internalPort}); the password goes to the server on stdin and into a 0600 file that is removed at once, never on a command line.`,
    check: {
      argv: asKafkaScript(SCRIPTS.scramReady),
      stdin: { text: `${marker}\n`, shown: 'the login fingerprint' },
    },
    apply: [
      {
        argv: asKafkaScript(SCRIPTS.scramSet),
        stdin: {
          text: `${choice.scramPassword}\n${marker}\n`,
          shown: 'the SCRAM password and its fingerprint',
        },
      },
    ],
    sudo: true,
  };
}

/** What the install result hands to a connection profile. */
export function secureSetup(choice: SecureChoice): SecureSetup {
  return { caPath: SECURE_FILES.caCert, scramUser: choice.scramUser, mechanism: 'SCRAM-SHA-512' };
}

/** The CA certificate the install made (PEM), read from the server (the folder is root:kafka 0750). */
export async function readCaCertificate(
  session: SshSession,
  caPath: string,
  opts: { sudoPassword?: string; signal?: AbortSignal } = {},
): Promise<string> {
  const r = await makeRunner(session, opts).run({ argv: ['cat', '--', caPath] }, true, 30_000);
  const pem = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/.exec(
    r.stdout,
  );
  if (r.code !== 0 || pem === null)
    throw new SetupPlanError(
      'FACTS_MISSING',
      `The CA certificate ${caPath} could not be read back from the server${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}.`,
    );
  return `${pem[0]}\n`;
}
