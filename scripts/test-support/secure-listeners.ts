// The secure broker's listeners: their ports, names, protocols and mechanisms, and its server.properties.
import { SINGLE_NODE, propertiesPath } from '../local-kafka/config.js';

export type SecureListenerName = 'ssl' | 'mtls' | 'saslPlain' | 'scram' | 'oauth';
export type SecurityProtocol = 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

export interface SecureListenerSpec {
  /** The listener's name in server.properties. */
  readonly kafkaName: string;
  readonly port: number;
  readonly protocol: SecurityProtocol;
  /** The SASL mechanisms it enables (none for SSL). */
  readonly mechanisms: readonly SaslMechanismName[];
  /** Whether the broker requires a client certificate. */
  readonly clientAuth: 'none' | 'required';
}

/** Fixed ports inside the namespace (a fresh namespace has all of them free). */
export const SECURE_LISTENERS: Readonly<Record<SecureListenerName, SecureListenerSpec>> = {
  ssl: { kafkaName: 'TLS', port: 9192, protocol: 'SSL', mechanisms: [], clientAuth: 'none' },
  mtls: { kafkaName: 'MTLS', port: 9193, protocol: 'SSL', mechanisms: [], clientAuth: 'required' },
  saslPlain: {
    kafkaName: 'SASL_PLAIN',
    port: 9194,
    protocol: 'SASL_PLAINTEXT',
    mechanisms: ['PLAIN'],
    clientAuth: 'none',
  },
  scram: {
    kafkaName: 'SCRAM',
    port: 9195,
    protocol: 'SASL_SSL',
    mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
    clientAuth: 'none',
  },
  oauth: {
    kafkaName: 'OAUTH',
    port: 9196,
    protocol: 'SASL_SSL',
    mechanisms: ['OAUTHBEARER'],
    clientAuth: 'none',
  },
};
export const SECURE_LISTENER_NAMES = Object.keys(SECURE_LISTENERS) as SecureListenerName[];

/**
 * Listeners for the connection doctor's cases, apart from the ones above (tests that go through
 * every listener by SECURE_LISTENER_NAMES do not meet them): SSL listeners that serve the
 * expired, the not-yet-valid and the wrong-host certificate from the test CA, and a PLAINTEXT one
 * (TLS to a plaintext port).
 */
export type DoctorListenerName = 'expired' | 'notYetValid' | 'wrongHost' | 'plaintext';
export const DOCTOR_LISTENERS: Readonly<
  Record<
    DoctorListenerName,
    { readonly kafkaName: string; readonly port: number; readonly protocol: 'SSL' | 'PLAINTEXT' }
  >
> = {
  expired: { kafkaName: 'EXPIRED', port: 9197, protocol: 'SSL' },
  notYetValid: { kafkaName: 'NOT_YET_VALID', port: 9200, protocol: 'SSL' },
  wrongHost: { kafkaName: 'WRONG_HOST', port: 9198, protocol: 'SSL' },
  plaintext: { kafkaName: 'PLAIN_CLIENTS', port: 9199, protocol: 'PLAINTEXT' },
};
export const DOCTOR_LISTENER_NAMES = Object.keys(DOCTOR_LISTENERS) as DoctorListenerName[];

/** PLAINTEXT, bound to the namespace's loopback only: inter-broker traffic and the controller. */
export const INTERNAL_PORT = 9091;
export const CONTROLLER_PORT = 9093;

function properties(entries: ReadonlyArray<readonly [string, string | number]>): string {
  return `${entries.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

const prefix = (l: SecureListenerName): string =>
  `listener.name.${SECURE_LISTENERS[l].kafkaName.toLowerCase()}`;

/** The JVM flag Kafka 4.x needs before it fetches a JWKS from a URL (empty allow-list by default). */
export function oauthAllowedUrlsFlag(jwksUrl: string): string {
  return `-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${jwksUrl}`;
}

export function secureServerProperties(o: {
  /** The namespace address every listener advertises. */
  address: string;
  logDir: string;
  /** PEM: private key + certificate chain. */
  keystore: string;
  /** PEM: the CA that signs client certificates (mTLS). */
  truststore: string;
  /** PEM keystores (key + certificate + CA) the doctor's expired and wrong-host listeners serve. */
  doctorKeystores: { expired: string; notYetValid: string; wrongHost: string };
  plain: { username: string; password: string };
  oauth: { jwksUrl: string; issuer: string; audience: string };
}): string {
  const names = SECURE_LISTENER_NAMES;
  const { username, password } = o.plain; // hex and fixed names: nothing to escape in JAAS or .properties
  const scramJaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return properties([
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@127.0.0.1:${CONTROLLER_PORT}`],
    [
      'listeners',
      [
        ...names.map(
          (l) => `${SECURE_LISTENERS[l].kafkaName}://0.0.0.0:${SECURE_LISTENERS[l].port}`,
        ),
        ...DOCTOR_LISTENER_NAMES.map(
          (l) => `${DOCTOR_LISTENERS[l].kafkaName}://0.0.0.0:${DOCTOR_LISTENERS[l].port}`,
        ),
        `INTERNAL://127.0.0.1:${INTERNAL_PORT}`,
        `CONTROLLER://127.0.0.1:${CONTROLLER_PORT}`,
      ].join(','),
    ],
    [
      'advertised.listeners',
      [
        ...names.map(
          (l) => `${SECURE_LISTENERS[l].kafkaName}://${o.address}:${SECURE_LISTENERS[l].port}`,
        ),
        ...DOCTOR_LISTENER_NAMES.map(
          (l) => `${DOCTOR_LISTENERS[l].kafkaName}://${o.address}:${DOCTOR_LISTENERS[l].port}`,
        ),
        `INTERNAL://127.0.0.1:${INTERNAL_PORT}`,
      ].join(','),
    ],
    [
      'listener.security.protocol.map',
      [
        ...names.map((l) => `${SECURE_LISTENERS[l].kafkaName}:${SECURE_LISTENERS[l].protocol}`),
        ...DOCTOR_LISTENER_NAMES.map(
          (l) => `${DOCTOR_LISTENERS[l].kafkaName}:${DOCTOR_LISTENERS[l].protocol}`,
        ),
        'INTERNAL:PLAINTEXT',
        'CONTROLLER:PLAINTEXT',
      ].join(','),
    ],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'INTERNAL'],
    ['log.dirs', propertiesPath(o.logDir)],
    ...SINGLE_NODE,
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    // TLS, for every SSL and SASL_SSL listener: PEM files, the key unencrypted (so no ssl.key.password)
    ['ssl.keystore.type', 'PEM'],
    ['ssl.keystore.location', propertiesPath(o.keystore)],
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', propertiesPath(o.truststore)],
    ['ssl.client.auth', 'none'],
    [`${prefix('mtls')}.ssl.client.auth`, 'required'],
    // the doctor's listeners: each serves its own (bad) certificate
    [
      `listener.name.${DOCTOR_LISTENERS.expired.kafkaName.toLowerCase()}.ssl.keystore.location`,
      propertiesPath(o.doctorKeystores.expired),
    ],
    [
      `listener.name.${DOCTOR_LISTENERS.wrongHost.kafkaName.toLowerCase()}.ssl.keystore.location`,
      propertiesPath(o.doctorKeystores.wrongHost),
    ],
    [
      `listener.name.${DOCTOR_LISTENERS.notYetValid.kafkaName.toLowerCase()}.ssl.keystore.location`,
      propertiesPath(o.doctorKeystores.notYetValid),
    ],
    // SASL: each listener enables its own mechanisms
    ['sasl.enabled.mechanisms', 'PLAIN'],
    ...names
      .filter((l) => SECURE_LISTENERS[l].mechanisms.length > 0)
      .map(
        (l) =>
          [
            `${prefix(l)}.sasl.enabled.mechanisms`,
            SECURE_LISTENERS[l].mechanisms.join(','),
          ] as const,
      ),
    [
      `${prefix('saslPlain')}.plain.sasl.jaas.config`,
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}" user_${username}="${password}";`,
    ],
    // SCRAM: the users are in the metadata log (kafka-storage format --add-scram)
    [`${prefix('scram')}.scram-sha-256.sasl.jaas.config`, scramJaas],
    [`${prefix('scram')}.scram-sha-512.sasl.jaas.config`, scramJaas],
    // OAUTHBEARER: Kafka's own JWT validator against the test's JWKS
    [
      `${prefix('oauth')}.oauthbearer.sasl.jaas.config`,
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
    ],
    [
      `${prefix('oauth')}.oauthbearer.sasl.server.callback.handler.class`,
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
    ],
    // Kafka 4.1.1: the handler instantiates sasl.oauthbearer.jwt.validator.class, whose default
    // (DefaultJwtValidator, made without a key resolver) delegates to ClientJwtValidator, which
    // checks no signature. BrokerJwtValidator resolves keys from the JWKS and verifies them.
    [
      'sasl.oauthbearer.jwt.validator.class',
      'org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator',
    ],
    ['sasl.oauthbearer.jwks.endpoint.url', o.oauth.jwksUrl],
    ['sasl.oauthbearer.expected.issuer', o.oauth.issuer],
    ['sasl.oauthbearer.expected.audience', o.oauth.audience],
  ]);
}
