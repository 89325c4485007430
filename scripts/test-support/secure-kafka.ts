/**
 * A secured Kafka for the TLS and SASL tests (issue 15): ONE real KRaft broker (Kafka 4.1.1,
 * combined broker + controller) in a network namespace of its own, with one listener per way a
 * client authenticates, every one advertised at the namespace's address A = 10.232.N.2:
 *
 *     listener    bootstrap   protocol         mechanisms                     client certificate
 *     ssl         A:9192      SSL              —                              not asked for
 *     mtls        A:9193      SSL              —                              required (the test CA)
 *     saslPlain   A:9194      SASL_PLAINTEXT   PLAIN (user in the JAAS)       —
 *     scram       A:9195      SASL_SSL         SCRAM-SHA-256, SCRAM-SHA-512   not asked for
 *     oauth       A:9196      SASL_SSL         OAUTHBEARER (Kafka's JWT       not asked for
 *                                              validator, JWKS from H)
 *   and, for the connection doctor's cases (DOCTOR_LISTENERS, not in SECURE_LISTENER_NAMES):
 *     expired     A:9197      SSL, serving the expired certificate
 *     notYetValid A:9200      SSL, serving a certificate valid only in 2099
 *     wrongHost   A:9198      SSL, serving the wrong-host certificate (it names neither A nor the DNS name)
 *     plaintext   A:9199      PLAINTEXT
 *     internal    127.0.0.1:9091 in the namespace only, PLAINTEXT: inter-broker traffic
 *     controller  127.0.0.1:9093 in the namespace only, PLAINTEXT
 *
 * - Certificates (test-ca.ts, openssl): a CA; the server's, with IP:A and DNS:`SECURE_KAFKA_DNS_NAME`
 *   as SANs (nothing resolves that name: a client that connects to A sets it as `servername`);
 *   a client certificate; an expired and a wrong-host certificate and an unrelated CA for the
 *   doctor's tests. The broker reads PEM files (`ssl.keystore.type=PEM`).
 * - SCRAM: one user for both mechanisms, written into the metadata log by
 *   `kafka.tools.StorageTool format --add-scram` before the broker starts.
 * - OAUTHBEARER: jwks-server.ts serves the JWKS on H = 10.232.N.1 (the root namespace's veth end,
 *   so nothing leaves this machine); the broker is allowed that URL only
 *   (`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls`, required since Kafka 4.0) and checks
 *   issuer and audience. `oauth.token()` signs more tokens (other claims, an unknown key).
 *
 * close() takes all of it down again, each step on its own (best effort, idempotent).
 *
 * Plain Node (no Vitest). Needs Linux, root, java, openssl and the cached KRaft jars: check
 * secureKafkaSkipReason() first. It never downloads anything.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from '../../electron/core/kafka/kafkajs.js';
import { LOG4J2_PROPERTIES } from '../local-kafka/config.js';
import { randomClusterId } from '../local-kafka/storage-format.js';
import { startJwksServer, type JwksServer, type JwtClaims } from './jwks-server.js';
import {
  cachedKraftLibs,
  createKafkaNamespace,
  formatKraftStorage,
  javaPath,
  kraftInNamespaceSkipReason,
  spawnBrokerInNamespace,
  step,
  waitForBroker,
  type BrokerProcess,
  type KafkaNamespace,
} from './netns-kafka.js';
import {
  DOCTOR_LISTENERS,
  SECURE_LISTENERS,
  SECURE_LISTENER_NAMES,
  oauthAllowedUrlsFlag,
  secureServerProperties,
  type SaslMechanismName,
  type DoctorListenerName,
  type SecureListenerName,
  type SecurityProtocol,
} from './secure-listeners.js';
import { makeTestPki, type TestPki } from './test-ca.js';

export {
  DOCTOR_LISTENERS,
  DOCTOR_LISTENER_NAMES,
  type DoctorListenerName,
  SECURE_LISTENERS,
  SECURE_LISTENER_NAMES,
  type SaslMechanismName,
  type SecureListenerName,
  type SecurityProtocol,
} from './secure-listeners.js';
export type { KeyPairFiles, PemFile, TestPki } from './test-ca.js';

/** The DNS name in the server certificate (besides the IP address). Resolves nowhere. */
export const SECURE_KAFKA_DNS_NAME = 'broker.kvs-test.internal';

const START_TIMEOUT_MS = 60_000;

export interface SecureListener {
  readonly name: SecureListenerName;
  /** "A:port": what a client types; also what the broker advertises. */
  readonly bootstrap: string;
  readonly protocol: SecurityProtocol;
  readonly mechanisms: readonly SaslMechanismName[];
  /** Whether the broker requires a client certificate (mTLS). */
  readonly clientAuth: 'none' | 'required';
}

export interface SecureKafka {
  /** Namespace name. */
  readonly ns: string;
  /** The namespace's address (10.232.N.2): every listener's bootstrap and advertised host. */
  readonly address: string;
  /** The root-namespace end of the veth (10.232.N.1): the JWKS is served there. */
  readonly hostAddress: string;
  readonly clusterId: string;
  readonly listeners: Readonly<Record<SecureListenerName, SecureListener>>;
  /** The doctor's listeners' bootstraps ("A:port"): expired, not-yet-valid and wrong-host certificates, PLAINTEXT. */
  readonly doctorListeners: Readonly<Record<DoctorListenerName, string>>;
  /** Certificates and keys (PEM text and paths). `pki.ca` signs the server and client certificates. */
  readonly pki: TestPki;
  /** The DNS name the server certificate carries besides `address`. */
  readonly serverName: string;
  /** The saslPlain listener's user (PLAIN). */
  readonly plain: { readonly username: string; readonly password: string };
  /** The scram listener's user: the same password for SCRAM-SHA-256 and SCRAM-SHA-512. */
  readonly scram: { readonly username: string; readonly password: string };
  readonly oauth: {
    /** A valid token (1 h) for `subject`. */
    readonly token: string;
    readonly subject: string;
    readonly jwksUrl: string;
    readonly issuer: string;
    readonly audience: string;
    /** Signs another token: defaults as `token`, overridden by `claims`; `key: 'other'` = not in the JWKS. */
    sign(claims?: JwtClaims, o?: { key?: 'jwks' | 'other' }): string;
  };
  /** The broker's pid (java, inside the namespace). */
  readonly pid: number;
  /** Private temp folder (certificates, server.properties, data); removed by close(). */
  readonly dir: string;
  /** The server.properties the broker runs with. */
  readonly serverProperties: string;
  /** Tail of the broker's output, for failure messages. */
  log(): string;
  /** Idempotent, best effort: java (SIGTERM then SIGKILL), JWKS server, namespace, veth, temp dir. */
  close(): Promise<void>;
}

/** Why the fixture cannot run on this machine, or undefined when it can. */
export function secureKafkaSkipReason(): string | undefined {
  const reason = kraftInNamespaceSkipReason();
  if (reason !== undefined) return reason;
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed';
  return undefined;
}

/** True when the ssl listener answers describeCluster (trusting the test CA) with our cluster id. */
async function answers(bootstrap: string, ca: string, clusterId: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'kvs-secure-kafka-readiness',
    brokers: [bootstrap],
    ssl: { ca, servername: SECURE_KAFKA_DNS_NAME },
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).clusterId === clusterId;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Starts the broker and resolves once its ssl listener answers; on failure removes everything. */
export async function startSecureKafka(opts: { prefix?: string } = {}): Promise<SecureKafka> {
  const startedAt = Date.now();
  const prefix = opts.prefix ?? 'kvs-sec';
  if (!/^kvs[a-z0-9-]{0,17}$/.test(prefix))
    throw new Error(`bad fixture prefix: ${JSON.stringify(prefix)}`);
  const reason = secureKafkaSkipReason();
  if (reason !== undefined) throw new Error(`cannot start the secure Kafka: ${reason}`);
  const java = javaPath() ?? 'java';
  const libs = cachedKraftLibs() ?? '';

  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  const clusterId = randomClusterId();
  const plain = { username: 'kvs-plain', password: randomBytes(12).toString('hex') };
  const scram = { username: 'kvs-scram', password: randomBytes(12).toString('hex') };
  let dir = '';
  let net: KafkaNamespace | undefined;
  let jwks: JwksServer | undefined;
  let broker: BrokerProcess | undefined;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (broker !== undefined) await step(() => broker?.stop());
      if (jwks !== undefined) await step(() => jwks?.close());
      if (net !== undefined) await step(() => net?.remove());
      if (dir !== '') await step(() => rm(dir, { recursive: true, force: true }));
    })();
    return closing;
  };

  try {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-secure-`));
    const logDir = path.join(dir, 'kafka-logs');
    const pkiDir = path.join(dir, 'pki');
    await mkdir(logDir);
    await mkdir(pkiDir, { mode: 0o700 });

    net = await createKafkaNamespace(ns);
    const { hostAddress, addressA: address } = net;
    jwks = await startJwksServer({ address: hostAddress });
    const pki = await makeTestPki(pkiDir, { ipAddress: address, dnsName: SECURE_KAFKA_DNS_NAME });

    const propsFile = path.join(dir, 'server.properties');
    const logConfig = path.join(dir, 'log4j2.properties');
    await writeFile(
      propsFile,
      secureServerProperties({
        address,
        logDir,
        keystore: pki.serverKeystore.path,
        truststore: pki.ca.path,
        doctorKeystores: {
          expired: pki.expiredKeystore.path,
          notYetValid: pki.notYetValidKeystore.path,
          wrongHost: pki.wrongHostKeystore.path,
        },
        plain,
        oauth: { jwksUrl: jwks.url, issuer: jwks.issuer, audience: jwks.audience },
      }),
      { mode: 0o600 },
    );
    await writeFile(logConfig, LOG4J2_PROPERTIES);
    await formatKraftStorage({
      java,
      libs,
      logConfig,
      clusterId,
      propsFile,
      extraArgs: ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
        '--add-scram',
        `${m}=[name=${scram.username},password=${scram.password}]`,
      ]),
    });

    const started = spawnBrokerInNamespace({
      ns,
      java,
      libs,
      dir,
      propsFile,
      logConfig,
      marker: `-Dkvs.secure-kafka=${dir}`,
      jvmArgs: [oauthAllowedUrlsFlag(jwks.url)],
    });
    broker = started;
    const listeners = Object.fromEntries(
      SECURE_LISTENER_NAMES.map((name) => {
        const spec = SECURE_LISTENERS[name];
        const listener: SecureListener = {
          name,
          bootstrap: `${address}:${spec.port}`,
          protocol: spec.protocol,
          mechanisms: spec.mechanisms,
          clientAuth: spec.clientAuth,
        };
        return [name, listener];
      }),
    ) as Record<SecureListenerName, SecureListener>;
    await waitForBroker(
      started,
      () => answers(listeners.ssl.bootstrap, pki.ca.pem, clusterId),
      `${listeners.ssl.bootstrap} within ${START_TIMEOUT_MS / 1000} s`,
      startedAt + START_TIMEOUT_MS,
    );

    const idp = jwks;
    const subject = 'kvs-oauth-user';
    return {
      ns,
      address,
      hostAddress,
      clusterId,
      listeners,
      doctorListeners: {
        expired: `${address}:${DOCTOR_LISTENERS.expired.port}`,
        notYetValid: `${address}:${DOCTOR_LISTENERS.notYetValid.port}`,
        wrongHost: `${address}:${DOCTOR_LISTENERS.wrongHost.port}`,
        plaintext: `${address}:${DOCTOR_LISTENERS.plaintext.port}`,
      },
      pki,
      serverName: SECURE_KAFKA_DNS_NAME,
      plain,
      scram,
      oauth: {
        token: idp.token({ sub: subject }),
        subject,
        jwksUrl: idp.url,
        issuer: idp.issuer,
        audience: idp.audience,
        sign: (claims, o) => idp.token({ sub: subject, ...claims }, o),
      },
      pid: started.pid,
      dir,
      serverProperties: propsFile,
      log: () => started.log(),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
