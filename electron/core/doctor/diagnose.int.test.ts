/**
 * The connection doctor against real misconfigured brokers: one real Kafka in a network namespace
 * whose listeners are each wrong one way (advertised loopback, an unresolvable name, a closed port,
 * another address, TLS, SASL, another cluster behind the advertised address), plus a healthy one.
 * Each is classified with its own finding code and fix, inside the doctor's time budget.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaModes } from '../../../scripts/test-support/kafka-env.js';
import {
  misconfiguredKafkaSkipReason,
  startMisconfiguredKafka,
  type MisconfiguredKafka,
} from '../../../scripts/test-support/misconfigured-kafka.js';
import { main } from '../../cli/kvs.js';
import { createKafka } from '../kafka/client.js';
import { withAdmin } from '../kafka/topics.js';
import { DEFAULT_BUDGET_MS, diagnose, type DiagnoseResult } from './diagnose.js';

const zk = kafkaModes().find((m) => m.mode === 'zookeeper');
const reason =
  misconfiguredKafkaSkipReason() ??
  (zk === undefined ? 'the ZooKeeper-mode test broker is not running (KVS_NO_KAFKA?)' : undefined);

/** The time budget is a promise to the person (no endless spinner): allow scheduling slack only. */
const LIMIT_MS = DEFAULT_BUDGET_MS + 1500;

const codes = (d: DiagnoseResult): string[] => d.findings.map((f) => f.code);

describe.skipIf(reason !== undefined)(
  `connection doctor against misconfigured brokers${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let k: MisconfiguredKafka;

    beforeAll(async () => {
      k = await startMisconfiguredKafka({
        otherClusterBootstrap: zk?.bootstrap ?? '',
        prefix: 'kvs-doc',
      });
    }, 120_000);
    afterAll(async () => {
      await k?.close();
    }, 60_000);

    it('a healthy listener: ok, no findings, the broker reachable at its advertised address', async () => {
      const d = await diagnose(k.bootstrap.healthy);
      expect(d.findings).toEqual([]);
      expect(d.ok).toBe(true);
      expect(d.clusterId).toBe(k.clusterId);
      expect(d.brokerVersion).toMatch(/4/);
      expect(d.brokers).toEqual([
        {
          nodeId: expect.any(Number) as number,
          advertised: k.bootstrap.healthy,
          reachable: true,
          clusterId: k.clusterId,
        },
      ]);
      expect(d.checks.filter((c) => c.status === 'failed')).toEqual([]);
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
    }, 30_000);

    it('advertised loopback while the bootstrap is remote: ADVERTISED_LOOPBACK with the line to write', async () => {
      const d = await diagnose(k.bootstrap.loopback);
      expect(codes(d)).toEqual(['ADVERTISED_LOOPBACK']);
      expect(d.findings[0]?.fix).toContain(
        `advertised.listeners=PLAINTEXT://${k.bootstrap.loopback}`,
      );
      expect(d.checks.find((c) => c.id === 'advertised')?.status).toBe('failed');
      expect(d.advertiseFix).toBe(k.bootstrap.loopback);
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
    }, 30_000);

    it('an advertised hostname that does not resolve: ADVERTISED_UNRESOLVABLE', async () => {
      const d = await diagnose(k.bootstrap.unresolvable);
      expect(codes(d)).toEqual(['ADVERTISED_UNRESOLVABLE']);
      expect(d.findings[0]?.message).toContain('kvs-test.invalid');
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
    }, 30_000);

    it('an advertised port nothing listens on: ADVERTISED_UNREACHABLE', async () => {
      const d = await diagnose(k.bootstrap.closedPort);
      expect(codes(d)).toEqual(['ADVERTISED_UNREACHABLE']);
      expect(d.brokers[0]?.reachable).toBe(false);
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
    }, 30_000);

    it('bootstrap differs from the advertised address (works today, breaks later): BOOTSTRAP_NOT_ADVERTISED warning', async () => {
      const d = await diagnose(k.bootstrap.elsewhere);
      expect(codes(d)).toEqual(['BOOTSTRAP_NOT_ADVERTISED']);
      expect(d.findings[0]?.severity).toBe('warning');
      expect(d.findings[0]?.message).toContain(`${k.addressB}:`);
      expect(d.checks.find((c) => c.id === 'compare')?.status).toBe('warning');
    }, 30_000);

    it('another cluster answers at the advertised address: ADVERTISED_OTHER_CLUSTER', async () => {
      const d = await diagnose(k.bootstrap.otherCluster);
      expect(codes(d)).toEqual(['ADVERTISED_OTHER_CLUSTER']);
      expect(d.findings[0]?.message).toContain(k.clusterId);
    }, 30_000);

    it('a TLS listener tried as plaintext: LISTENER_TLS', async () => {
      const d = await diagnose(k.bootstrap.tls);
      expect(codes(d)).toEqual(['LISTENER_TLS']);
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
    }, 30_000);

    it('a SASL listener: LISTENER_SASL naming its mechanisms', async () => {
      const d = await diagnose(k.bootstrap.sasl);
      expect(codes(d)).toEqual(['LISTENER_SASL']);
      expect(d.findings[0]?.message).toContain('PLAIN');
    }, 30_000);

    it('nothing listening at the bootstrap address: BOOTSTRAP_UNREACHABLE, in seconds', async () => {
      const d = await diagnose(`${k.addressA}:9299`);
      expect(codes(d)).toEqual(['BOOTSTRAP_UNREACHABLE']);
      expect(d.findings[0]?.message).toMatch(/no program listens/);
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
    }, 30_000);

    it('a topic whose max.message.bytes is below the frame size: TOPIC_MESSAGE_TOO_SMALL with the kafka-configs command', async () => {
      const topic = `doctor-small-${randomBytes(3).toString('hex')}`;
      const handle = createKafka({ bootstrap: k.bootstrap.healthy });
      await withAdmin(handle, (admin) =>
        admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              numPartitions: 1,
              configEntries: [{ name: 'max.message.bytes', value: '10000' }],
            },
          ],
        }),
      );
      const d = await diagnose(k.bootstrap.healthy, { topic, frameBytes: 60_000 });
      expect(codes(d)).toEqual(['TOPIC_MESSAGE_TOO_SMALL']);
      expect(d.findings[0]?.fix).toContain(
        `--entity-name ${topic} --add-config max.message.bytes=`,
      );
      const fine = await diagnose(k.bootstrap.healthy, { topic, frameBytes: 5_000 });
      expect(fine.ok).toBe(true);
    }, 60_000);

    it('kvs doctor: exit 0 and ok:true when healthy, exit 2 with the findings as JSON when not', async () => {
      const run = async (bootstrap: string): Promise<{ code: number; last: unknown }> => {
        const out: string[] = [];
        const code = await main(['doctor', '--bootstrap', bootstrap, '--json'], {
          out: (l) => out.push(l),
          err: () => undefined,
          isTTY: false,
        });
        return { code, last: JSON.parse(out.at(-1) ?? '{}') };
      };
      const healthy = await run(k.bootstrap.healthy);
      expect(healthy.code).toBe(0);
      expect(healthy.last).toEqual({
        ok: true,
        brokers: [
          {
            nodeId: expect.any(Number) as number,
            advertised: k.bootstrap.healthy,
            reachable: true,
          },
        ],
        findings: [],
      });
      const bad = await run(k.bootstrap.loopback);
      expect(bad.code).toBe(2);
      expect(bad.last).toMatchObject({
        ok: false,
        brokers: [{ advertised: '127.0.0.1:9092', reachable: false }],
        findings: [{ code: 'ADVERTISED_LOOPBACK' }],
      });
    }, 30_000);
  },
);
