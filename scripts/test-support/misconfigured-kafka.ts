/**
 * A deliberately misconfigured Kafka for the connection doctor's tests: ONE real KRaft broker
 * (Kafka 4.1.1, combined broker + controller, its own cluster id) in a network namespace of its
 * own, with one listener per way a broker's listeners can be set up wrong.
 *
 * - namespace `<prefix>-<rand>`, reached over a veth pair on a free 10.232.N.0/29 (the same
 *   `kvs-vN-h` / `kvs-vN-n` names, and so the same reservation, as the sshd sandbox in
 *   netns-sshd.ts): `hostAddress` H = 10.232.N.1 is the root-namespace end; the namespace end
 *   carries `addressA` A = 10.232.N.2 and `addressB` B = 10.232.N.3. A /29 rather than the
 *   sandbox's /30, so both A and B are on-link from the root namespace without extra routes;
 *   the reservation is by N either way (nobody else takes an N whose 10.232.N. shows up in
 *   `ip addr` / `ip route`), so the wider mask takes nothing from anybody.
 * - the broker (`ip netns exec <ns> java … kafka.Kafka`), listening on 0.0.0.0 in the namespace:
 *
 *     listener        bootstrap (what a client types)  advertised (where the client is sent next)
 *     loopback        A:9092                           127.0.0.1:9092
 *     unresolvable    A:9094                           broker-1.kvs-test.invalid:9094
 *     closedPort      A:9095                           A:9096 (nothing listens there)
 *     elsewhere       A:9097                           B:9097 (same broker, other address)
 *     tls             A:9098 (SSL, self-signed)        A:9098
 *     sasl            A:9099 (SASL_PLAINTEXT, PLAIN)   A:9099
 *     healthy         A:9100 (also inter-broker)       A:9100
 *     otherCluster    A:9101                           H:P, a TCP proxy in this process to
 *                                                      `otherClusterBootstrap` (another cluster)
 *     controller      127.0.0.1:9093 inside the namespace only
 *
 * - keystore (PKCS12, `keytool -genkeypair`), server.properties, log4j2 config and data in a
 *   private temp folder; the broker's output is kept in memory for failure messages.
 *
 * Kafka accepted this combination as it is (no compromise was needed): advertised hosts are
 * not resolved or checked for reachability at startup, an advertised port may differ from the
 * listener's port, and only the bound listeners must have distinct ports.
 *
 * close() takes all of it down again, each step on its own (best effort, idempotent).
 *
 * Plain Node (no Vitest), like netns-sshd.ts. Needs Linux, root, java + keytool and the cached
 * KRaft jars: check misconfiguredKafkaSkipReason() first. It never downloads anything.
 *
 * The listeners and server.properties are in misconfigured-listeners.ts, the TCP proxy in
 * tcp-proxy.ts, the raw metadata request in raw-metadata.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeClusterOnce } from '../local-kafka/readiness.js';
import { randomClusterId } from '../local-kafka/storage-format.js';
import { LOG4J2_PROPERTIES } from '../local-kafka/config.js';
import { findOnPath } from '../local-kafka/tools.js';
import {
  MISCONFIGURED_PORTS,
  UNRESOLVABLE_HOST,
  serverProperties,
  type Cases,
} from './misconfigured-listeners.js';
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
import { sh } from './netns-subnet.js';
import { splitHostPort, startProxy } from './tcp-proxy.js';

export { MISCONFIGURED_PORTS, UNRESOLVABLE_HOST } from './misconfigured-listeners.js';
export { requestMetadata, type MetadataBroker, type RawMetadata } from './raw-metadata.js';

const START_TIMEOUT_MS = 60_000;

export interface MisconfiguredKafka {
  /** Namespace name. */
  readonly ns: string;
  /** The namespace's first address (10.232.N.2): every bootstrap address uses it. */
  readonly addressA: string;
  /** The namespace's second address (10.232.N.3): what the `elsewhere` listener advertises. */
  readonly addressB: string;
  /** The root-namespace end of the veth (10.232.N.1): the otherCluster proxy listens here. */
  readonly hostAddress: string;
  /** The bootstrap "ip:port" a client would type for each case. */
  readonly bootstrap: Readonly<Record<Cases, string>>;
  /** What each listener advertises, "host:port". */
  readonly advertised: Readonly<Record<Cases, string>>;
  /** The user the sasl listener (PLAIN) accepts. */
  readonly saslPlain: { readonly username: string; readonly password: string };
  readonly clusterId: string;
  /** The broker's pid (java, inside the namespace). */
  readonly pid: number;
  /** Private temp folder (keystore, server.properties, data); removed by close(). */
  readonly dir: string;
  /** The server.properties the broker runs with. */
  readonly serverProperties: string;
  /** Tail of the broker's output, for failure messages. */
  log(): string;
  /** Idempotent, best effort: proxy, java (SIGTERM then SIGKILL), namespace, veth, temp dir. */
  close(): Promise<void>;
}

export interface MisconfiguredKafkaOptions {
  /** "host:port" of a different, running cluster: where the otherCluster listener sends clients. */
  otherClusterBootstrap: string;
  /** Names the namespace (`<prefix>-<rand>`) and the temp folder. Lower case, "kvs…", ≤ 20 chars. */
  prefix?: string;
}

/** keytool next to that java (JAVA_HOME/bin, /usr/bin), else on PATH. */
function keytoolPath(java: string): string | undefined {
  const beside = path.join(path.dirname(java), 'keytool');
  return existsSync(beside) ? beside : findOnPath(['keytool'], process.env);
}

/** Why the fixture cannot run on this machine, or undefined when it can. */
export function misconfiguredKafkaSkipReason(): string | undefined {
  const reason = kraftInNamespaceSkipReason();
  if (reason !== undefined) return reason;
  if (keytoolPath(javaPath() ?? 'java') === undefined)
    return 'keytool (from the JDK) is not installed';
  return undefined;
}

/** Resolves true when the healthy listener answers metadata with our cluster id and itself. */
async function answers(bootstrap: string, clusterId: string): Promise<boolean> {
  const cluster = await describeClusterOnce(bootstrap);
  return (
    cluster !== null &&
    cluster.clusterId === clusterId &&
    cluster.brokers.some((b) => `${b.host}:${b.port}` === bootstrap)
  );
}

/** Starts the broker and resolves once its healthy listener answers; on failure removes everything. */
export async function startMisconfiguredKafka(
  opts: MisconfiguredKafkaOptions,
): Promise<MisconfiguredKafka> {
  const startedAt = Date.now();
  const prefix = opts.prefix ?? 'kvs-mkafka';
  if (!/^kvs[a-z0-9-]{0,17}$/.test(prefix))
    throw new Error(`bad fixture prefix: ${JSON.stringify(prefix)}`);
  splitHostPort(opts.otherClusterBootstrap); // fail early on a typo
  const reason = misconfiguredKafkaSkipReason();
  if (reason !== undefined) throw new Error(`cannot start the misconfigured Kafka: ${reason}`);
  const java = javaPath() ?? 'java';
  const keytool = keytoolPath(java) ?? 'keytool';
  const libs = cachedKraftLibs() ?? '';

  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  const clusterId = randomClusterId();
  const sasl = { username: 'kvs-user', password: randomBytes(12).toString('hex') };
  const keystorePassword = randomBytes(12).toString('hex');
  let dir = '';
  let net: KafkaNamespace | undefined;
  let proxy: { port: number; close: () => Promise<void> } | undefined;
  let broker: BrokerProcess | undefined;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (proxy !== undefined) await step(() => proxy?.close());
      if (broker !== undefined) await step(() => broker?.stop());
      if (net !== undefined) await step(() => net?.remove());
      if (dir !== '') await step(() => rm(dir, { recursive: true, force: true }));
    })();
    return closing;
  };

  try {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-misconf-`));
    const logDir = path.join(dir, 'kafka-logs');
    await mkdir(logDir);

    net = await createKafkaNamespace(ns);
    const { hostAddress, addressA, addressB } = net;

    proxy = await startProxy(hostAddress, opts.otherClusterBootstrap);

    const at = (host: string, c: Cases): string => `${host}:${MISCONFIGURED_PORTS[c]}`;
    const bootstrap: Record<Cases, string> = {
      loopback: at(addressA, 'loopback'),
      unresolvable: at(addressA, 'unresolvable'),
      closedPort: at(addressA, 'closedPort'),
      elsewhere: at(addressA, 'elsewhere'),
      tls: at(addressA, 'tls'),
      sasl: at(addressA, 'sasl'),
      healthy: at(addressA, 'healthy'),
      otherCluster: at(addressA, 'otherCluster'),
    };
    const advertised: Record<Cases, string> = {
      loopback: at('127.0.0.1', 'loopback'),
      unresolvable: at(UNRESOLVABLE_HOST, 'unresolvable'),
      closedPort: `${addressA}:${MISCONFIGURED_PORTS.closedPortAdvertised}`,
      elsewhere: at(addressB, 'elsewhere'),
      tls: bootstrap.tls,
      sasl: bootstrap.sasl,
      healthy: bootstrap.healthy,
      otherCluster: `${hostAddress}:${proxy.port}`,
    };

    const keystore = path.join(dir, 'broker.p12');
    const propsFile = path.join(dir, 'server.properties');
    const logConfig = path.join(dir, 'log4j2.properties');
    await writeFile(
      propsFile,
      serverProperties({ advertised, logDir, keystore, keystorePassword, sasl }),
    );
    await writeFile(logConfig, LOG4J2_PROPERTIES);

    // The key pair and the storage format are independent: both at once.
    await Promise.all([
      sh(keytool, [
        '-genkeypair',
        '-alias',
        'broker',
        '-keyalg',
        'EC',
        '-groupname',
        'secp256r1',
        '-validity',
        '7',
        '-dname',
        `CN=${addressA}, O=Kafka Video Studio tests`,
        '-ext',
        `SAN=ip:${addressA}`,
        '-storetype',
        'PKCS12',
        '-keystore',
        keystore,
        '-storepass',
        keystorePassword,
        '-keypass',
        keystorePassword,
        '-noprompt',
      ]),
      formatKraftStorage({ java, libs, logConfig, clusterId, propsFile }),
    ]);

    const started = spawnBrokerInNamespace({
      ns,
      java,
      libs,
      dir,
      propsFile,
      logConfig,
      marker: `-Dkvs.misconfigured-kafka=${dir}`,
    });
    broker = started;
    await waitForBroker(
      started,
      () => answers(bootstrap.healthy, clusterId),
      `${bootstrap.healthy} within ${START_TIMEOUT_MS / 1000} s`,
      startedAt + START_TIMEOUT_MS,
    );
    const { pid } = started;
    const log = (): string => started.log();

    return {
      ns,
      addressA,
      addressB,
      hostAddress,
      bootstrap,
      advertised,
      saslPlain: sasl,
      clusterId,
      pid,
      dir,
      serverProperties: propsFile,
      log,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
