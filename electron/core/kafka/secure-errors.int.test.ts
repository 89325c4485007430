/**
 * What a client is told when a secured broker refuses it (issue 15), on a real broker
 * (scripts/test-support/secure-kafka.ts): each mistake a person makes gets its own code and the
 * fix, not "no answer … is Kafka running". The doctor will say more (the mechanisms a listener
 * enables, the names a certificate has); this is what every connect error says already.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
} from '../../../scripts/test-support/secure-kafka.js';
import type { ConnectionSecurity } from '../../shared/connection-security.js';
import type { ErrorCode } from '../../shared/errors.js';
import { createKafka, translateKafkaError } from './client.js';

const reason = secureKafkaSkipReason();

describe.skipIf(reason !== undefined)(
  `connect errors from a secured broker${reason ? ` — skipped: ${reason}` : ''}`,
  () => {
    let k: SecureKafka;
    beforeAll(async () => {
      k = await startSecureKafka({ prefix: 'kvs-secerr' });
    }, 120_000);
    afterAll(() => k?.close());

    async function refusal(
      bootstrap: string,
      security: ConnectionSecurity,
    ): Promise<{ code: ErrorCode; message: string }> {
      const admin = createKafka({ bootstrap, security, retries: 0 }).kafka.admin();
      try {
        await admin.connect();
        await admin.listTopics();
        throw new Error('connected');
      } catch (e) {
        const err = translateKafkaError(e, { bootstrap });
        return { code: err.code, message: err.message };
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }

    const tls = (ca: string | null) => ({ ca, client: null, verifyHostname: true });

    it('a wrong password, SCRAM and PLAIN: KAFKA_AUTH_FAILED naming the mechanism, not the password', async () => {
      const scram = await refusal(k.listeners.scram.bootstrap, {
        protocol: 'SASL_SSL',
        tls: tls(k.pki.ca.pem),
        sasl: { mechanism: 'SCRAM-SHA-256', username: k.scram.username, password: 'wrong-pw-5' },
      });
      expect(scram.code).toBe('KAFKA_AUTH_FAILED');
      expect(scram.message).toContain('refused the SCRAM-SHA-256 login');
      expect(scram.message).not.toContain('wrong-pw-5');
      const plain = await refusal(k.listeners.saslPlain.bootstrap, {
        protocol: 'SASL_PLAINTEXT',
        tls: null,
        sasl: { mechanism: 'PLAIN', username: k.plain.username, password: 'wrong-pw-6' },
      });
      expect(plain.code).toBe('KAFKA_AUTH_FAILED');
      expect(plain.message).toContain('refused the PLAIN login');
    });

    it('a mechanism the listener does not enable: SASL_MECHANISM_NOT_ENABLED (not "wrong password")', async () => {
      const r = await refusal(k.listeners.saslPlain.bootstrap, {
        protocol: 'SASL_PLAINTEXT',
        tls: null,
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'a', password: 'b' },
      });
      expect(r.code).toBe('SASL_MECHANISM_NOT_ENABLED');
    });

    it('a CA this computer does not trust (the system store, another CA): TLS_UNTRUSTED', async () => {
      for (const ca of [null, k.pki.otherCa.pem]) {
        const r = await refusal(k.listeners.ssl.bootstrap, {
          protocol: 'SSL',
          tls: tls(ca),
          sasl: null,
        });
        expect(r.code).toBe('TLS_UNTRUSTED');
        expect(r.message).toContain('Give the CA certificate');
      }
    });

    it('mutual TLS without a client certificate: TLS_CLIENT_CERT_REQUIRED', async () => {
      const r = await refusal(k.listeners.mtls.bootstrap, {
        protocol: 'SSL',
        tls: tls(k.pki.ca.pem),
        sasl: null,
      });
      expect(r.code).toBe('TLS_CLIENT_CERT_REQUIRED');
    });

    it('TLS to a port that does not speak it (SSL or SASL_SSL to SASL_PLAINTEXT): TLS_NOT_SPOKEN', async () => {
      const ssl = await refusal(k.listeners.saslPlain.bootstrap, {
        protocol: 'SSL',
        tls: tls(k.pki.ca.pem),
        sasl: null,
      });
      expect(ssl.code).toBe('TLS_NOT_SPOKEN');
      const saslSsl = await refusal(k.listeners.saslPlain.bootstrap, {
        protocol: 'SASL_SSL',
        tls: tls(k.pki.ca.pem),
        sasl: { mechanism: 'PLAIN', username: k.plain.username, password: k.plain.password },
      });
      expect(saslSsl.code).toBe('TLS_NOT_SPOKEN');
    });

    it('no TLS to a TLS port, or no login where one is needed: the connection closed at once, and the hint says to choose the protocol', async () => {
      for (const [bootstrap, security] of [
        [k.listeners.ssl.bootstrap, { protocol: 'PLAINTEXT', tls: null, sasl: null }],
        [k.listeners.scram.bootstrap, { protocol: 'SSL', tls: tls(k.pki.ca.pem), sasl: null }],
      ] as const) {
        const r = await refusal(bootstrap, security);
        expect(r.code).toBe('BROKER_UNREACHABLE');
        expect(r.message).toContain('closed the connection at once');
        expect(r.message).toContain('choose its security protocol');
      }
    });
  },
);
