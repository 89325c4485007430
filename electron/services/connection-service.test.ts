/**
 * The connection service without a broker: what it says before connecting, a typo answered at
 * once, a refused address (127.0.0.1:1, this machine) reported as failed, streams stopped before a
 * connection goes, and link trouble reported only while connected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../shared/contract.js';
import { createConnectionService } from './connection-service.js';
import { NOT_CONNECTED_MESSAGE } from './limits.js';
import { RecentConnections } from './recent-connections.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-conn-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function service() {
  const statuses: ConnectionStatus[] = [];
  let stops = 0;
  const conn = createConnectionService({
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
