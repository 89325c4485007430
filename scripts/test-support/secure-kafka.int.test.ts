/**
 * The secure-Kafka fixture itself (issue 15): every listener takes a real kafkajs client with the
 * credentials the fixture describes (a topic, one message produced, the same message consumed
 * back), and refuses the wrong ones with the right kind of error: a wrong password, no client
 * certificate, an untrusted CA, a wrong host name, a token not signed by the JWKS's key.
 * close() leaves nothing behind (namespace, veth, java, temp folder).
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from '../../electron/core/kafka/kafkajs.js';
import { sh } from './netns-subnet.js';
import {
  SECURE_LISTENER_NAMES,
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
  type SecureListenerName,
} from './secure-kafka.js';

const reason = secureKafkaSkipReason();

type ClientSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

function client(
  bootstrap: string,
  security: ClientSecurity,
  retries = 0,
): InstanceType<typeof Kafka> {
  return new Kafka({
    clientId: 'kvs-secure-kafka-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries, initialRetryTime: 100 },
    ...security,
  });
}

/** Creates a topic, produces one message (acks -1), consumes it back; resolves with its value. */
async function roundTrip(bootstrap: string, security: ClientSecurity): Promise<string> {
  // Retries: the first consumer group waits for __consumer_offsets (coordinator not available).
  const kafka = client(bootstrap, security, 8);
  const topic = `kvs-secure-${randomBytes(4).toString('hex')}`;
  const value = `hello over ${bootstrap} ${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 100 });
  try {
    await admin.connect();
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 1 }],
      waitForLeaders: true,
    });
    if (!created) throw new Error(`topic ${topic} was not created`);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
      consumer
        .run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

interface ConnectFailure {
  name: string;
  message: string;
  /** The socket's error code (TLS), when there is one. */
  code?: string;
}

/** Connects an admin client and asks for the cluster; resolves with the error it failed with. */
async function connectFailure(
  bootstrap: string,
  security: ClientSecurity,
): Promise<ConnectFailure> {
  const admin = client(bootstrap, security).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    // kafkajs wraps the connection's own error (retries: 0) in KafkaJSNumberOfRetriesExceeded
    const err = e as {
      name: string;
      message: string;
      cause?: { name: string; message: string; code?: string };
    };
    const inner = err.name === 'KafkaJSNumberOfRetriesExceeded' && err.cause ? err.cause : err;
    return { name: inner.name, message: inner.message, code: (inner as { code?: string }).code };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new Error(`connected to ${bootstrap}, which should have refused`);
}

describe.skipIf(reason !== undefined)(
  `secure Kafka in a network namespace${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let k: SecureKafka;
    let startMs = 0;
    const fileStart = Date.now();
    beforeAll(async () => {
      const t = Date.now();
      k = await startSecureKafka({ prefix: 'kvs-sec-t' });
      startMs = Date.now() - t;
    });
    afterAll(async () => {
      if (k === undefined) return;
      const octet = /^10\.232\.(\d+)\.2$/.exec(k.address)?.[1];
      await k.close();
      await k.close(); // idempotent
      expect(await sh('ip', ['netns', 'list'])).not.toContain(k.ns);
      expect(await sh('ip', ['link'])).not.toContain(`kvs-v${octet ?? 'x'}-`);
      expect(existsSync(`/proc/${k.pid}`)).toBe(false);
      expect(existsSync(k.dir)).toBe(false);
      console.info(
        `secure Kafka: started in ${startMs} ms; the file took ${Date.now() - fileStart} ms`,
      );
    });

    const tls = (): ClientSecurity['ssl'] => ({ ca: k.pki.ca.pem, servername: k.serverName });
    const security: Record<SecureListenerName | 'scram512', () => ClientSecurity> = {
      ssl: () => ({ ssl: tls() }),
      mtls: () => ({
        ssl: { ...(tls() as object), cert: k.pki.client.cert.pem, key: k.pki.client.key.pem },
      }),
      saslPlain: () => ({ sasl: { mechanism: 'plain', ...k.plain } }),
      scram: () => ({ ssl: tls(), sasl: { mechanism: 'scram-sha-256', ...k.scram } }),
      scram512: () => ({ ssl: tls(), sasl: { mechanism: 'scram-sha-512', ...k.scram } }),
      oauth: () => ({
        ssl: tls(),
        sasl: {
          mechanism: 'oauthbearer',
          oauthBearerProvider: async () => ({ value: k.oauth.token }),
        },
      }),
    };

    it('describes each listener at the namespace address, with its protocol and mechanisms', () => {
      const A = k.address;
      expect(
        Object.fromEntries(
          SECURE_LISTENER_NAMES.map((n) => {
            const l = k.listeners[n];
            return [
              n,
              `${l.bootstrap} ${l.protocol} ${l.mechanisms.join('+') || '-'} ${l.clientAuth}`,
            ];
          }),
        ),
      ).toEqual({
        ssl: `${A}:9192 SSL - none`,
        mtls: `${A}:9193 SSL - required`,
        saslPlain: `${A}:9194 SASL_PLAINTEXT PLAIN none`,
        scram: `${A}:9195 SASL_SSL SCRAM-SHA-256+SCRAM-SHA-512 none`,
        oauth: `${A}:9196 SASL_SSL OAUTHBEARER none`,
      });
      const ca = new X509Certificate(k.pki.ca.pem);
      const server = new X509Certificate(k.pki.server.cert.pem);
      expect(server.subjectAltName).toBe(`IP Address:${A}, DNS:${k.serverName}`);
      expect(server.checkIssued(ca)).toBe(true);
      expect(new X509Certificate(k.pki.client.cert.pem).checkIssued(ca)).toBe(true);
      const expired = new X509Certificate(k.pki.expired.cert.pem);
      expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
      expect(expired.checkIssued(ca)).toBe(true);
      expect(new X509Certificate(k.pki.wrongHost.cert.pem).subjectAltName).toBe(
        `DNS:${k.pki.wrongHost.dnsName}`,
      );
      expect(new X509Certificate(k.pki.otherCa.pem).checkIssued(ca)).toBe(false);
    });

    describe.concurrent('a produce/consume round trip over each listener', () => {
      const cases: Array<[string, SecureListenerName, keyof typeof security]> = [
        ['SSL (server auth)', 'ssl', 'ssl'],
        ['SSL with a client certificate (mTLS)', 'mtls', 'mtls'],
        ['SASL_PLAINTEXT, PLAIN', 'saslPlain', 'saslPlain'],
        ['SASL_SSL, SCRAM-SHA-256', 'scram', 'scram'],
        ['SASL_SSL, SCRAM-SHA-512', 'scram', 'scram512'],
        ['SASL_SSL, OAUTHBEARER (a JWT the JWKS validates)', 'oauth', 'oauth'],
      ];
      it.for(cases)('%s', async ([, listener, how], { expect }) => {
        const bootstrap = k.listeners[listener].bootstrap;
        const got = await roundTrip(bootstrap, security[how]());
        expect(got, k.log()).toMatch(
          new RegExp(`^hello over ${bootstrap.replaceAll('.', '\\.')} `),
        );
      });
    });

    describe.concurrent('refusals, by kind', () => {
      it('a wrong password: SASL authentication error (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)', async ({
        expect,
      }) => {
        const wrong = { username: k.plain.username, password: 'not-the-password' };
        const failures = await Promise.all([
          connectFailure(k.listeners.saslPlain.bootstrap, {
            sasl: { mechanism: 'plain', ...wrong },
          }),
          connectFailure(k.listeners.scram.bootstrap, {
            ssl: tls(),
            sasl: {
              mechanism: 'scram-sha-256',
              username: k.scram.username,
              password: wrong.password,
            },
          }),
          connectFailure(k.listeners.scram.bootstrap, {
            ssl: tls(),
            sasl: {
              mechanism: 'scram-sha-512',
              username: k.scram.username,
              password: wrong.password,
            },
          }),
        ]);
        for (const f of failures) {
          expect(f.name, f.message).toBe('KafkaJSSASLAuthenticationError');
          expect(f.message).toMatch(/invalid (username or password|credentials)/i);
        }
      });

      it('no client certificate on the mTLS listener: the broker sends a TLS alert', async ({
        expect,
      }) => {
        const f = await connectFailure(k.listeners.mtls.bootstrap, { ssl: tls() });
        expect(f.name, f.message).toBe('KafkaJSConnectionError');
        expect(f.code, f.message).toMatch(
          /^ERR_SSL_(SSLV3_ALERT_BAD_CERTIFICATE|TLSV13_ALERT_CERTIFICATE_REQUIRED)$/,
        );
      });

      it('a CA the client does not trust: certificate verification fails', async ({ expect }) => {
        const f = await connectFailure(k.listeners.ssl.bootstrap, {
          ssl: { ca: k.pki.otherCa.pem, servername: k.serverName },
        });
        expect(f.name, f.message).toBe('KafkaJSConnectionError');
        expect(f.code, f.message).toMatch(
          /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/,
        );
      });

      it('a name the certificate does not carry: host name verification fails', async ({
        expect,
      }) => {
        const f = await connectFailure(k.listeners.scram.bootstrap, {
          ssl: { ca: k.pki.ca.pem, servername: k.pki.wrongHost.dnsName },
          sasl: { mechanism: 'scram-sha-256', ...k.scram },
        });
        expect(f.name, f.message).toBe('KafkaJSConnectionError');
        expect(f.code, f.message).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      });

      it('a JWT signed by a key the JWKS does not have: the broker rejects its signature', async ({
        expect,
      }) => {
        const token = k.oauth.sign({}, { key: 'other' });
        await connectFailure(k.listeners.oauth.bootstrap, {
          ssl: tls(),
          sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) },
        });
        // kafkajs does not finish OAUTHBEARER's failure exchange (RFC 7628 §3.2.2): it sees the
        // connection close. The reason is the broker's.
        await expect
          .poll(() => k.log(), { timeout: 5_000 })
          .toMatch(/JWT rejected due to invalid signature/);
      });
    });
  },
);
