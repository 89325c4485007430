/**
 * The connection service without a broker: what it says before connecting, a typo answered at
 * once, a refused address (127.0.0.1:1, this machine) reported as failed, streams stopped before a
 * connection goes, link trouble reported only while connected, and a failed connect explained by
 * the doctor (given here; on real brokers: connect-doctor.int.test.ts) within its budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../shared/contract.js';
import type { ConnectionSecurity } from '../shared/connection-security.js';
import type { DiagnoseResult } from '../core/doctor/diagnose.js';
import {
  createConnectionService,
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
