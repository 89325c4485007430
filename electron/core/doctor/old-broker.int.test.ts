/**
 * The connection doctor against a REAL broker older than Kafka 0.11: Apache Kafka 0.10.2.2 with
 * its ZooKeeper 3.4, on Java 17 (scripts/test-support/old-kafka.ts). It has no record headers
 * (Produce up to v2), so the doctor must say BROKER_TOO_OLD and name the version.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, processesWithArgument } from '../../../scripts/local-kafka/processes.js';
import {
  OLD_KAFKA_VERSION,
  oldKafkaSkipReason,
  startOldKafka,
  type OldKafka,
} from '../../../scripts/test-support/old-kafka.js';
import { diagnose } from './diagnose.js';
import { API_KEY } from './probe-types.js';
import { probeApiVersions } from './probes.js';

const reason = oldKafkaSkipReason();

describe.skipIf(reason !== undefined)(
  `connection doctor against Kafka ${OLD_KAFKA_VERSION}${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let k: OldKafka | undefined;

    beforeAll(async () => {
      k = await startOldKafka();
    }, 240_000); // the first run downloads the jars with Maven
    afterAll(async () => {
      if (k === undefined) return;
      const { dir, pids } = k;
      await k.close();
      await k.close(); // idempotent
      expect(await isAlive(pids.broker)).toBe(false);
      expect(await isAlive(pids.zookeeper)).toBe(false);
      expect(await processesWithArgument(`-Dkvs.old-kafka.dir=${dir}`)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }, 60_000);

    it('ApiVersions: Produce (api key 0) tops out below v3, i.e. no record headers', async () => {
      const [host = '', port = ''] = (k?.bootstrap ?? '').split(':');
      const r = await probeApiVersions(host, Number(port), 5_000);
      if (!r.ok) throw new Error(`${r.kind}: ${r.message}\n${k?.log() ?? ''}`);
      const produce = r.apis.get(API_KEY.Produce);
      expect(produce).toBeDefined();
      expect(produce?.max).toBeLessThan(3);
    });

    it('diagnose reports BROKER_TOO_OLD naming the version', async () => {
      const d = await diagnose(k?.bootstrap ?? '');
      const old = d.findings.find((f) => f.code === 'BROKER_TOO_OLD');
      expect(old, JSON.stringify(d, null, 2)).toBeDefined();
      expect(old?.severity).toBe('error');
      expect(old?.message).toMatch(/0\.10|older than (Kafka )?0\.11/);
      expect(old?.message).toContain(k?.bootstrap ?? '?');
      expect(d.ok).toBe(false);
      expect(d.brokerVersion).toMatch(/0\.10/);
    });
  },
);
