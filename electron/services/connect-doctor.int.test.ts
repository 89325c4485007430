/**
 * A failed `connection:connect` defers to the connection doctor (issue 15), through the app
 * services, on real brokers: a listener that advertises loopback (the misconfigured-broker
 * fixture) is reported as ADVERTISED_LOOPBACK's message and its advertised.listeners fix, not
 * "connection refused … is Kafka running"; on the secured broker, a certificate issued for another
 * name names the names it has, and SASL_PLAINTEXT chosen for a SASL_SSL listener says to choose
 * SASL_SSL. The kafkajs message stays in `detail`; the doctor stays within its budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  misconfiguredKafkaSkipReason,
  startMisconfiguredKafka,
  type MisconfiguredKafka,
} from '../../scripts/test-support/misconfigured-kafka.js';
import {
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
} from '../../scripts/test-support/secure-kafka.js';
import { callError, EventLog } from '../../scripts/test-support/service-calls.js';
import type { ConnectionStatus } from '../shared/contract.js';
import { createAppServices, type AppServices } from './app-services.js';

const reason = misconfiguredKafkaSkipReason() ?? secureKafkaSkipReason();
const CONNECT_TIMEOUT_MS = 4_000;

describe.skipIf(reason !== undefined)(
  `a failed connect explained by the doctor${reason ? ` — skipped: ${reason}` : ''}`,
  () => {
    let bad: MisconfiguredKafka;
    let secure: SecureKafka;
    let dir: string;
    let services: AppServices;
    let events: EventLog;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-connect-doctor-'));
      [bad, secure] = await Promise.all([
        // the otherCluster listener is not used here: its proxy may lead nowhere
        startMisconfiguredKafka({ otherClusterBootstrap: '127.0.0.1:1', prefix: 'kvs-cdoc' }),
        startSecureKafka({ prefix: 'kvs-cdoc-s' }),
      ]);
      services = createAppServices({
        userDataDir: path.join(dir, 'user'),
        allowOpenPath: false,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      events = new EventLog(services);
    }, 180_000);
    afterAll(async () => {
      await services?.dispose();
      await Promise.all([bad?.close(), secure?.close()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 60_000);

    const lastStatus = (): ConnectionStatus | undefined =>
      events.of('connection:status').at(-1) as ConnectionStatus | undefined;

    it('a broker that advertises loopback: the advertised.listeners fix, not "is Kafka running"', async () => {
      const t = performance.now();
      const error = await callError(services, 'connection:connect', {
        bootstrap: bad.bootstrap.loopback,
      });
      const ms = Math.round(performance.now() - t);
      console.info(`connect + doctor, advertised loopback: ${ms} ms`);
      expect(error.code).toBe('BROKER_UNREACHABLE');
      expect(error.message).toContain(`it tells every client to connect to 127.0.0.1:`);
      expect(error.message).toContain(`Fix: advertised.listeners=PLAINTEXT://${bad.addressA}:`);
      expect(error.message).not.toMatch(/is Kafka running|Check that Kafka is running/);
      expect(error.detail).toContain('ADVERTISED_LOOPBACK');
      expect(lastStatus()).toMatchObject({
        state: 'failed',
        error: { code: 'BROKER_UNREACHABLE' },
      });
      expect(lastStatus()?.error?.message).toBe(error.message);
    }, 60_000);

    it('TLS: a certificate for another name says which names it has', async () => {
      const error = await callError(services, 'connection:connect', {
        bootstrap: secure.doctorListeners.wrongHost,
        security: {
          protocol: 'SSL',
          tls: { ca: secure.pki.ca.pem, client: null, verifyHostname: true },
          sasl: null,
        },
      });
      expect(error.code).toBe('TLS_HOSTNAME_MISMATCH');
      expect(error.message).toContain(`You connected to ${secure.address}`);
      expect(error.message).toContain(`DNS:${secure.pki.wrongHost.dnsName}`);
    }, 60_000);

    it('SASL_PLAINTEXT chosen for a SASL_SSL listener: choose SASL_SSL (kafkajs only saw the connection close)', async () => {
      const password = `pw-${Date.now()}`;
      const error = await callError(services, 'connection:connect', {
        bootstrap: secure.listeners.scram.bootstrap,
        security: {
          protocol: 'SASL_PLAINTEXT',
          tls: null,
          sasl: { mechanism: 'SCRAM-SHA-256', username: secure.scram.username, password },
        },
      });
      expect(error.message).toContain('is a SASL_SSL listener');
      expect(error.message).toContain('Choose SASL_SSL as the security protocol');
      expect(JSON.stringify(error)).not.toContain(password);
    }, 60_000);
  },
);
