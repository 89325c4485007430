/**
 * The cluster's shape on the real single KRaft node the Vitest global setup starts, through the
 * app services: the connect's status already names the node as the controller, the quorum leader
 * and the one voter (caught up), none down; then two 5 s refreshes send nothing (no event storm).
 * And the connection service alone refreshing every 100 ms for 2 s: still one status, and the
 * ZooKeeper-mode broker: no quorum, its own controller.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import type { ConnectionStatus } from '../shared/contract.js';
import { createAppServices, type AppServices } from './app-services.js';
import { createConnectionService } from './connection-service.js';
import { RecentConnections } from './recent-connections.js';
import { describeQuorum } from '../core/kafka/describe-quorum.js';
import { call, EventLog } from '../../scripts/test-support/service-calls.js';

const kraft = kafkaModes().find((t) => t.mode === 'kraft');
const zk = kafkaModes().find((t) => t.mode === 'zookeeper');
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-shape-int-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(kraft === undefined)('the cluster shape on the real KRaft node', () => {
  let services: AppServices;
  let events: EventLog;
  beforeAll(() => {
    services = createAppServices({ userDataDir: path.join(dir, 'user'), allowOpenPath: true });
    events = new EventLog(services);
  });
  afterAll(() => services.dispose());

  it('connect: the node leads the quorum and is the controller; 2 refreshes later, no new event', async () => {
    const status = await call(services, 'connection:connect', {
      bootstrap: kraft?.bootstrap ?? '',
    });
    expect(status.state).toBe('connected');
    const nodeId = status.brokers[0]?.nodeId ?? -1;
    expect(status.brokers).toHaveLength(1);
    expect(status.quorum).toEqual({ leaderId: nodeId, voters: [{ nodeId, lag: 0 }] });
    expect(status.controllerId).toBe(nodeId);
    expect(status.downBrokers).toEqual([]);
    const sent = events.of('connection:status').length;
    await new Promise((r) => setTimeout(r, 11_000));
    expect(events.of('connection:status').length).toBe(sent);
    expect(await call(services, 'connection:status', {})).toEqual(status);
    await call(services, 'connection:disconnect', {});
  }, 30_000);
});

function bareService(bootstrap: string) {
  const statuses: ConnectionStatus[] = [];
  let asked = 0;
  const conn = createConnectionService({
    describeQuorum: (addresses, budgetMs) => {
      asked++;
      return describeQuorum(addresses, budgetMs);
    },
    recent: new RecentConnections(dir),
    connectTimeoutMs: 5_000,
    refreshMs: 100,
    emit: (channel, payload) => {
      if (channel === 'connection:status') statuses.push(payload as ConnectionStatus);
    },
    stopStreams: () => Promise.resolve(),
  });
  return { conn, statuses, asked: () => asked, connect: () => conn.connect({ bootstrap }) };
}

describe.skipIf(!hasKafka())('the connection service refreshing fast', () => {
  it.skipIf(kraft === undefined)(
    'KRaft: 2 s of refreshes every 100 ms send nothing new; disconnect stops them',
    async () => {
      const { conn, statuses, connect } = bareService(kraft?.bootstrap ?? '');
      await connect();
      await new Promise((r) => setTimeout(r, 2_000));
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
      await conn.disconnect();
      await new Promise((r) => setTimeout(r, 500));
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected']);
    },
  );

  it.skipIf(zk === undefined)(
    'ZooKeeper mode: no quorum, the broker is the controller',
    async () => {
      const { conn, connect } = bareService(zk?.bootstrap ?? '');
      const status = await connect();
      expect(status.quorum).toBeNull();
      expect(status.controllerId).toBe(status.brokers[0]?.nodeId);
      await conn.dispose();
    },
  );
});
