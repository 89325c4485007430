/**
 * DescribeQuorum against the real brokers the Vitest global setup starts
 * (scripts/test-support/global-kafka.ts): the KRaft single node (Kafka 4.1.1, combined
 * controller + broker) answers with itself as the leader and the one voter, caught up; the
 * ZooKeeper-mode broker (3.9.1) does not offer DescribeQuorum: not-kraft.
 */
import { describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../../scripts/test-support/kafka-env.js';
import { createKafka } from './client.js';
import { withAdmin } from './topics.js';
import { voterLags } from './describe-quorum-wire.js';
import { describeQuorum } from './describe-quorum.js';

function split(bootstrap: string): { host: string; port: number } {
  const at = bootstrap.lastIndexOf(':');
  return { host: bootstrap.slice(0, at), port: Number(bootstrap.slice(at + 1)) };
}

describe.skipIf(!hasKafka())('describeQuorum against real brokers', () => {
  for (const { mode, bootstrap } of kafkaModes()) {
    if (mode === 'kraft')
      it(`KRaft at ${bootstrap}: the one node leads and is the one voter, caught up`, async () => {
        const cluster = await withAdmin(createKafka({ bootstrap }), (a) => a.describeCluster());
        const nodeId = cluster.brokers[0]?.nodeId;
        expect(nodeId).toBeTypeOf('number');
        const r = await describeQuorum([split(bootstrap)], 5_000);
        if (!r.ok) throw new Error(r.message);
        expect(r.quorum.leaderId).toBe(nodeId);
        expect(r.quorum.leaderEpoch).toBeGreaterThan(0);
        expect(r.quorum.voters.map((v) => v.nodeId)).toEqual([nodeId]);
        expect(r.quorum.highWatermark).toBeGreaterThan(0);
        expect(voterLags(r.quorum)).toEqual([{ nodeId, lag: 0 }]);
      });
    else
      it(`ZooKeeper mode at ${bootstrap}: no DescribeQuorum, not-kraft`, async () => {
        const r = await describeQuorum([split(bootstrap)], 5_000);
        expect(r).toMatchObject({ ok: false, kind: 'not-kraft' });
      });
  }
});
