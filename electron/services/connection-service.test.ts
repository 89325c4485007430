/**
 * The connection service without a broker: what it says before connecting, a typo answered at
 * once, a refused address (127.0.0.1:1, this machine) reported as failed, streams stopped before a
 * connection goes, link trouble reported only while connected, and a failed connect explained by
 * the doctor (given here; on real brokers: connect-doctor.int.test.ts) within its budget. And the
 * cluster's shape while connected, with the metadata and the quorum faked: sent again only when it
 * changes (a broker gone: once, as down), a failed reading changes nothing and keeps the
 * connection, the refresh stops with the connection (on real brokers: connection-shape.int.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../shared/contract.js';
import type { ConnectionSecurity } from '../shared/connection-security.js';
import type { DiagnoseResult } from '../core/doctor/diagnose.js';
import type { QuorumResult } from '../core/kafka/describe-quorum.js';
import {
  createConnectionService,
  type ClusterMetadata,
  DOCTOR_ON_CONNECT_MS,
  doctorBudgetMs,
  type ConnectionServiceDeps,
} from './connection-service.js';
import { NOT_CONNECTED_MESSAGE } from './limits.js';
import { RecentConnections } from './recent-connections.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-conn-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function service(diagnose?: ConnectionServiceDeps['diagnose']) {
  const statuses: ConnectionStatus[] = [];
  let stops = 0;
  const conn = createConnectionService({
    ...(diagnose ? { diagnose } : {}),
    recent: new RecentConnections(dir),
    connectTimeoutMs: 3_000,
    emit: (channel, payload) => {
      if (channel === 'connection:status') statuses.push(payload as ConnectionStatus);
    },
    stopStreams: async () => {
      stops++;
    },
  });
  return { conn, statuses, stops: () => stops };
}

describe('connection service', () => {
  it('starts disconnected; anything that needs Kafka says to connect first', () => {
    const { conn } = service();
    expect(conn.status().state).toBe('disconnected');
    expect(() => conn.require()).toThrow(NOT_CONNECTED_MESSAGE);
  });

  it('a bad bootstrap string is refused at once and changes nothing', async () => {
    const { conn, statuses, stops } = service();
    await expect(conn.connect({ bootstrap: 'PLAINTEXT://x:1' })).rejects.toMatchObject({
      code: 'BOOTSTRAP_INVALID',
    });
    expect(statuses).toEqual([]);
    expect(stops()).toBe(0);
  });

  it('a refused address: connecting, then failed with the reason; streams were stopped first', async () => {
    const { conn, statuses, stops } = service();
    await expect(conn.connect({ bootstrap: '127.0.0.1:1' })).rejects.toHaveProperty('code');
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'failed']);
    expect(statuses[1]?.error?.code).toBeTruthy();
    expect(stops()).toBe(1);
    expect(() => conn.require()).toThrow(NOT_CONNECTED_MESSAGE);
  }, 30_000);

  it('link trouble is not reported while not connected; disconnect stops streams and says disconnected', async () => {
    const { conn, statuses, stops } = service();
    conn.reportLink('job-1', { code: 'BROKER_UNREACHABLE', message: 'gone' });
    expect(statuses).toEqual([]);
    expect((await conn.disconnect()).state).toBe('disconnected');
    expect(statuses.map((s) => s.state)).toEqual(['disconnected']);
    expect(stops()).toBe(1);
  });
});

function diagnosis(findings: DiagnoseResult['findings']): DiagnoseResult {
  return {
    ok: findings.length === 0,
    bootstrap: '127.0.0.1:1',
    clusterId: null,
    controllerId: null,
    brokerVersion: null,
    checks: [],
    brokers: [],
    findings,
    durationMs: 1,
    advertiseFix: null,
  };
}

describe('a failed connect defers to the doctor', () => {
  it('its error finding becomes the error (message + fix), with the same bootstrap and security, the client message in detail', async () => {
    const asked: Array<[string, ConnectionSecurity | undefined, number]> = [];
    const { conn, statuses } = service((bootstrap, security, budget) => {
      asked.push([bootstrap, security, budget]);
      return Promise.resolve(
        diagnosis([
          {
            code: 'TLS_HOSTNAME_MISMATCH',
            severity: 'error',
            message: 'The certificate names only DNS:x.',
            fix: 'Connect to x.',
          },
        ]),
      );
    });
    const security: ConnectionSecurity = {
      protocol: 'SSL',
      tls: { ca: null, client: null, verifyHostname: true },
      sasl: null,
    };
    const error: unknown = await conn
      .connect({ bootstrap: '127.0.0.1:1', security })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TLS_HOSTNAME_MISMATCH',
      message: 'The certificate names only DNS:x. Fix: Connect to x.',
    });
    expect((error as { detail?: string }).detail).toContain('TLS_HOSTNAME_MISMATCH');
    expect(asked).toEqual([['127.0.0.1:1', security, expect.any(Number) as number]]);
    expect(statuses.at(-1)?.error).toMatchObject({ code: 'TLS_HOSTNAME_MISMATCH' });
  }, 30_000);

  it('a doctor that finds nothing, or fails, or never answers: the connect error as it was', async () => {
    for (const diagnose of [
      () => Promise.resolve(diagnosis([])),
      () => Promise.reject(new Error('doctor broke')),
      () => new Promise<DiagnoseResult>(() => undefined),
    ]) {
      const { conn } = service(diagnose);
      await expect(conn.connect({ bootstrap: '127.0.0.1:1' })).rejects.toMatchObject({
        code: 'BROKER_UNREACHABLE',
      });
    }
  }, 30_000);

  it('the budget: 3 s after a quick failure, never more than 1 s past the connect limit, at least 1 s', () => {
    expect(doctorBudgetMs(10_000, 200)).toBe(DOCTOR_ON_CONNECT_MS);
    expect(doctorBudgetMs(10_000, 9_000)).toBe(2_000);
    expect(doctorBudgetMs(10_000, 10_000)).toBe(1_000);
    expect(doctorBudgetMs(10_000, 60_000)).toBe(1_000);
  });
});

describe('the cluster shape while connected (metadata and quorum faked)', () => {
  const broker = (nodeId: number) => ({ nodeId, host: `10.0.0.1${nodeId}`, port: 9092 });
  const quorum = (leo2: number): QuorumResult => ({
    ok: true,
    from: 'fake',
    quorum: {
      leaderId: 1,
      leaderEpoch: 3,
      highWatermark: 500,
      voters: [
        { nodeId: 1, logEndOffset: 500 },
        { nodeId: 2, logEndOffset: leo2 },
        { nodeId: 3, logEndOffset: 500 },
      ],
      observers: [],
    },
  });

  it('sends the shape again only when it changes; a failed reading keeps the connection; disconnect stops reading', async () => {
    let metadata: ClusterMetadata | Error = {
      brokers: [broker(3), broker(1), broker(2)],
      controller: 2, // what KRaft's Metadata says: any live broker
      clusterId: 'c1',
    };
    let leo2 = 499;
    let reads = 0;
    const statuses: ConnectionStatus[] = [];
    const conn = createConnectionService({
      recent: new RecentConnections(dir),
      connectTimeoutMs: 3_000,
      refreshMs: 20,
      emit: (channel, payload) => {
        if (channel === 'connection:status') statuses.push(payload as ConnectionStatus);
      },
      stopStreams: () => Promise.resolve(),
      describeCluster: () => {
        reads++;
        return metadata instanceof Error ? Promise.reject(metadata) : Promise.resolve(metadata);
      },
      describeQuorum: () => Promise.resolve(quorum(leo2)),
    });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

    const first = await conn.connect({ bootstrap: '10.0.0.11:9092' });
    expect(first).toMatchObject({
      state: 'connected',
      brokers: [broker(1), broker(2), broker(3)],
      controllerId: 1,
      quorum: {
        leaderId: 1,
        voters: [
          { nodeId: 1, lag: 0 },
          { nodeId: 2, lag: 1 },
          { nodeId: 3, lag: 0 },
        ],
      },
      downBrokers: [],
    });
    leo2 = 497; // a small lag change is no change
    await wait(150);
    expect(reads).toBeGreaterThan(3);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);

    // node 2 stops: gone from the metadata, its log end offset stays behind
    metadata = { brokers: [broker(1), broker(3)], controller: 3, clusterId: 'c1' };
    leo2 = 400;
    await wait(150);
    expect(statuses).toHaveLength(3);
    expect(statuses[2]?.downBrokers).toEqual([
      { nodeId: 2, host: '10.0.0.12', port: 9092, since: expect.any(Number) as number },
    ]);
    expect(statuses[2]?.quorum?.voters[1]).toEqual({ nodeId: 2, lag: 100 });
    expect(statuses[2]?.controllerId).toBe(1);

    // the metadata cannot be read: nothing is sent, the connection stays
    metadata = new Error('broker gone');
    await wait(150);
    expect(statuses).toHaveLength(3);
    expect(conn.status().state).toBe('connected');
    expect(() => conn.require()).not.toThrow();

    await conn.disconnect();
    const after = reads;
    await wait(150);
    expect(reads).toBe(after);
    expect(statuses.map((s) => s.state).at(-1)).toBe('disconnected');
  });
});
