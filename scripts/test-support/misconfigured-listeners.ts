// The misconfigured broker's listeners: their ports, names and protocols, and its server.properties.
import { SINGLE_NODE, propertiesPath } from '../local-kafka/config.js';

/** The fixed ports inside the namespace (a fresh namespace has all of them free). */
export const MISCONFIGURED_PORTS = {
  loopback: 9092,
  controller: 9093,
  unresolvable: 9094,
  closedPort: 9095,
  /** What the closedPort listener advertises; nothing listens there. */
  closedPortAdvertised: 9096,
  elsewhere: 9097,
  tls: 9098,
  sasl: 9099,
  healthy: 9100,
  otherCluster: 9101,
} as const;

/** What the unresolvable listener advertises (RFC 2606: `.invalid` never resolves). */
export const UNRESOLVABLE_HOST = 'broker-1.kvs-test.invalid';

export type Cases =
  | 'loopback'
  | 'unresolvable'
  | 'closedPort'
  | 'elsewhere'
  | 'tls'
  | 'sasl'
  | 'healthy'
  | 'otherCluster';

function properties(entries: ReadonlyArray<readonly [string, string | number]>): string {
  return `${entries.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

/** Listener names as Kafka sees them (the `listener.name.<lower case>.` prefix for per-listener settings). */
const LISTENER: Readonly<Record<Cases | 'controller', string>> = {
  loopback: 'LOOPBACK',
  unresolvable: 'UNRESOLVABLE',
  closedPort: 'CLOSED_PORT',
  elsewhere: 'ELSEWHERE',
  tls: 'TLS',
  sasl: 'SASL',
  healthy: 'HEALTHY',
  otherCluster: 'OTHER_CLUSTER',
  controller: 'CONTROLLER',
};
const PROTOCOL: Readonly<Record<Cases | 'controller', string>> = {
  loopback: 'PLAINTEXT',
  unresolvable: 'PLAINTEXT',
  closedPort: 'PLAINTEXT',
  elsewhere: 'PLAINTEXT',
  tls: 'SSL',
  sasl: 'SASL_PLAINTEXT',
  healthy: 'PLAINTEXT',
  otherCluster: 'PLAINTEXT',
  controller: 'PLAINTEXT',
};
export const CASES: readonly Cases[] = [
  'loopback',
  'unresolvable',
  'closedPort',
  'elsewhere',
  'tls',
  'sasl',
  'healthy',
  'otherCluster',
];

export function serverProperties(o: {
  advertised: Readonly<Record<Cases, string>>;
  logDir: string;
  keystore: string;
  keystorePassword: string;
  sasl: { username: string; password: string };
}): string {
  const bound = CASES.map((c) => `${LISTENER[c]}://0.0.0.0:${MISCONFIGURED_PORTS[c]}`);
  const controller = `${LISTENER.controller}://127.0.0.1:${MISCONFIGURED_PORTS.controller}`;
  const tls = `listener.name.${LISTENER.tls.toLowerCase()}`;
  const sasl = `listener.name.${LISTENER.sasl.toLowerCase()}`;
  const { username, password } = o.sasl; // hex: nothing to escape in JAAS or .properties
  return properties([
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@127.0.0.1:${MISCONFIGURED_PORTS.controller}`],
    ['listeners', [...bound, controller].join(',')],
    ['advertised.listeners', CASES.map((c) => `${LISTENER[c]}://${o.advertised[c]}`).join(',')],
    [
      'listener.security.protocol.map',
      [...CASES, 'controller' as const].map((c) => `${LISTENER[c]}:${PROTOCOL[c]}`).join(','),
    ],
    ['controller.listener.names', LISTENER.controller],
    ['inter.broker.listener.name', LISTENER.healthy],
    ['log.dirs', propertiesPath(o.logDir)],
    ...SINGLE_NODE,
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    // tls: a self-signed key pair; clients are not asked for certificates
    [`${tls}.ssl.keystore.type`, 'PKCS12'],
    [`${tls}.ssl.keystore.location`, propertiesPath(o.keystore)],
    [`${tls}.ssl.keystore.password`, o.keystorePassword],
    [`${tls}.ssl.key.password`, o.keystorePassword],
    [`${tls}.ssl.client.auth`, 'none'],
    // sasl: PLAIN with one user
    ['sasl.enabled.mechanisms', 'PLAIN'],
    [`${sasl}.sasl.enabled.mechanisms`, 'PLAIN'],
    [
      `${sasl}.plain.sasl.jaas.config`,
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}" user_${username}="${password}";`,
    ],
  ]);
}
