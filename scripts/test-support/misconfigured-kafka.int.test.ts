/**
 * The misconfigured-Kafka fixture itself: every listener advertises what it should (seen from the
 * root namespace, as the connection doctor would see it), the TLS and SASL listeners really are
 * TLS and SASL, the otherCluster address leads to another cluster, and close() leaves nothing
 * behind (namespace, veth, addresses, java, temp folder).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from '../../electron/core/kafka/kafkajs.js';
import { kafkaModes } from './kafka-env.js';
import {
  misconfiguredKafkaSkipReason,
  requestMetadata,
  startMisconfiguredKafka,
  UNRESOLVABLE_HOST,
  type MisconfiguredKafka,
} from './misconfigured-kafka.js';
import { SANDBOX_NET, sh } from './netns-sshd.js';

const otherCluster = kafkaModes().find((t) => t.mode === 'zookeeper')?.bootstrap;
const reason =
  misconfiguredKafkaSkipReason() ??
  (otherCluster === undefined
    ? 'no ZooKeeper-mode test broker (KVS_TEST_ZK_BOOTSTRAP is unset; the Vitest global setup sets it)'
    : undefined);

/** describeCluster through kafkajs (which follows the advertised address), with short timeouts. */
async function describeCluster(
  bootstrap: string,
  extra: { ssl?: tls.ConnectionOptions; sasl?: SASLOptions } = {},
): Promise<{ clusterId: string; brokers: string[] }> {
  const admin = new Kafka({
    clientId: 'kvs-misconfigured-kafka-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    ...extra,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      clusterId: cluster.clusterId,
      brokers: cluster.brokers.map((b) => `${b.host}:${b.port}`),
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function tlsHandshake(address: string): Promise<tls.PeerCertificate> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port: Number(port), rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve(cert);
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no TLS handshake with ${address}`)));
    socket.once('error', reject);
  });
}

function tcpConnectError(address: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Pids whose command line carries `arg` exactly. */
async function processesWith(arg: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(arg)) found.push(Number(entry));
  }
  return found;
}

describe.skipIf(reason !== undefined)(
  `misconfigured Kafka in a network namespace${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let starting: Promise<MisconfiguredKafka> | undefined;
    afterAll(async () => {
      await (await starting?.catch(() => undefined))?.close();
    });

    it('advertises each misconfiguration from its own listener and removes everything again', async () => {
      const startedAt = Date.now();
      starting = startMisconfiguredKafka({
        otherClusterBootstrap: otherCluster ?? '',
        prefix: 'kvs-mkafka-t',
      });
      const k = await starting;
      const startMs = Date.now() - startedAt;
      const octet = /^10\.232\.(\d+)\.2$/.exec(k.addressA)?.[1];
      expect(octet, k.addressA).toBeDefined();
      const A = k.addressA;
      const B = k.addressB;
      const H = k.hostAddress;
      expect([H, B]).toEqual([`${SANDBOX_NET}.${octet}.1`, `${SANDBOX_NET}.${octet}.3`]);
      const why = (): string => `broker log:\n${k.log()}`;

      // healthy: kafkajs all the way
      const healthy = await describeCluster(k.bootstrap.healthy);
      expect(healthy, why()).toEqual({ clusterId: k.clusterId, brokers: [`${A}:9100`] });

      // What each plaintext listener advertises, asked there only (nothing followed).
      const advertised = async (bootstrap: string): Promise<string[]> => {
        const md = await requestMetadata(bootstrap);
        expect(md.clusterId, bootstrap).toBe(k.clusterId);
        expect(md.controllerId, bootstrap).toBe(1);
        return md.brokers.map((b) => `${b.host}:${b.port}`);
      };
      expect(await advertised(k.bootstrap.loopback)).toEqual(['127.0.0.1:9092']);
      expect(await advertised(k.bootstrap.unresolvable)).toEqual([`${UNRESOLVABLE_HOST}:9094`]);
      expect(await advertised(k.bootstrap.closedPort)).toEqual([`${A}:9096`]);
      expect(await advertised(k.bootstrap.elsewhere)).toEqual([`${B}:9097`]);
      expect(await advertised(k.bootstrap.otherCluster)).toEqual([k.advertised.otherCluster]);
      expect(k.advertised.otherCluster).toMatch(new RegExp(`^${H.replaceAll('.', '\\.')}:\\d+$`));

      // elsewhere: B:9097 is reachable and is the same broker, so kafkajs gets there.
      expect(await describeCluster(k.bootstrap.elsewhere)).toEqual({
        clusterId: k.clusterId,
        brokers: [`${B}:9097`],
      });
      // otherCluster: following H:P lands on the ZooKeeper-mode cluster.
      const other = await describeCluster(k.advertised.otherCluster);
      expect(other.clusterId).not.toBe(k.clusterId);
      expect(other.clusterId).toBe((await describeCluster(otherCluster ?? '')).clusterId);

      // closedPort: nothing listens where it points.
      expect(await tcpConnectError(`${A}:9096`)).toBe('ECONNREFUSED');

      // tls: a TLS handshake completes (self-signed), and Kafka answers over it.
      const cert = await tlsHandshake(k.bootstrap.tls);
      expect(cert.subject.CN).toBe(A);
      expect(cert.subjectaltname).toContain(`IP Address:${A}`);
      expect(
        await describeCluster(k.bootstrap.tls, { ssl: { rejectUnauthorized: false } }),
      ).toEqual({
        clusterId: k.clusterId,
        brokers: [`${A}:9098`],
      });

      // sasl: a plain request is refused; with the PLAIN user it works.
      await expect(requestMetadata(k.bootstrap.sasl)).rejects.toThrow();
      const { username, password } = k.saslPlain;
      expect(
        await describeCluster(k.bootstrap.sasl, {
          sasl: { mechanism: 'plain', username, password },
        }),
      ).toEqual({ clusterId: k.clusterId, brokers: [`${A}:9099`] });

      const closedAt = Date.now();
      await k.close();
      await k.close(); // idempotent
      const closeMs = Date.now() - closedAt;
      expect(await sh('ip', ['netns', 'list'])).not.toContain(k.ns);
      expect(await sh('ip', ['-4', 'addr'])).not.toContain(`${SANDBOX_NET}.${octet}.`);
      expect(await sh('ip', ['-4', 'route'])).not.toContain(`${SANDBOX_NET}.${octet}.`);
      expect(await sh('ip', ['link'])).not.toContain(`kvs-v${octet}-`);
      expect(existsSync(`/proc/${k.pid}`)).toBe(false);
      expect(await processesWith(`-Dkvs.misconfigured-kafka=${k.dir}`)).toEqual([]);
      expect(existsSync(k.dir)).toBe(false);
      console.info(`misconfigured Kafka: started in ${startMs} ms, closed in ${closeMs} ms`);
    }, 60_000);
  },
);
