import { describe, expect, it } from 'vitest';
import type {
  ConnectionStatus,
  Diagnosis,
  DoctorCheck,
} from '../../../../electron/shared/contract.js';
import {
  autoReasonText,
  checkTime,
  firstFailureIndex,
  fixOnServerLabel,
  formatCheckMs,
  headline,
  INITIAL_TRACKER,
  overdueMessage,
  problemCount,
  shouldAutoRun,
  summaryLines,
  trackConnectError,
  trackStatus,
  type AutoRunTracker,
} from './doctor-logic.js';

const check = (id: string, status: DoctorCheck['status'], ms = 3): DoctorCheck => ({
  id,
  title: `Check ${id}`,
  status,
  detail: `${id} detail`,
  ms,
});

const healthy: Diagnosis = {
  ok: true,
  bootstrap: '10.0.0.5:9092',
  clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
  controllerId: 1,
  brokerVersion: '3.9 or newer',
  checks: [check('parse', 'ok', 0), check('tcp', 'ok'), check('metadata', 'ok')],
  brokers: [{ nodeId: 1, advertised: '10.0.0.5:9092', reachable: true, clusterId: null }],
  findings: [],
  durationMs: 41.6,
  serverFix: null,
};

const loopback: Diagnosis = {
  ...healthy,
  ok: false,
  checks: [
    check('parse', 'ok'),
    check('tcp', 'ok'),
    check('metadata', 'ok'),
    check('advertised', 'failed'),
    check('compare', 'failed'),
    check('topic', 'skipped', 0),
  ],
  brokers: [{ nodeId: 1, advertised: 'localhost:9092', reachable: false, clusterId: null }],
  findings: [
    {
      code: 'ADVERTISED_LOOPBACK',
      severity: 'error',
      message: 'The broker advertises localhost:9092.',
      fix: 'advertised.listeners=PLAINTEXT://10.0.0.5:9092 in config/server.properties, then restart Kafka',
    },
  ],
};

const status = (
  state: ConnectionStatus['state'],
  brokers: ConnectionStatus['brokers'] = [],
  bootstrap = '10.0.0.5:9092',
): ConnectionStatus => ({
  state,
  bootstrap,
  clusterId: state === 'connected' ? 'c1' : null,
  brokers,
  error: state === 'failed' ? { code: 'BROKER_UNREACHABLE', message: 'refused' } : null,
});
const same = [{ nodeId: 1, host: '10.0.0.5', port: 9092 }];
const other = [{ nodeId: 1, host: 'localhost', port: 9092 }];

describe('headline and summary', () => {
  it('healthy: usable from here, with broker version and cluster id', () => {
    expect(headline(healthy)).toBe('Kafka at 10.0.0.5:9092 is usable from here');
    const lines = summaryLines(healthy).join('\n');
    expect(lines).toContain('3.9 or newer');
    expect(lines).toContain('MkU3OEVBNTcwNTJENDM2Qk');
    expect(lines).toContain('42 ms');
  });
  it('healthy with unknown facts says so', () => {
    const lines = summaryLines({ ...healthy, brokerVersion: null, clusterId: null });
    expect(lines).toContain('Broker version: unknown');
    expect(lines).toContain('Cluster id: unknown');
  });
  it('healthy with a warning finding still says usable, and points at it', () => {
    const d = {
      ...healthy,
      findings: [{ ...loopback.findings[0]!, severity: 'warning' as const }],
    };
    expect(headline(d)).toContain('usable from here');
    expect(summaryLines(d).join('\n')).toContain('1 thing worth a look');
  });
  it('problems: counts findings, singular and plural', () => {
    expect(headline(loopback)).toBe('1 problem found');
    const two = { ...loopback, findings: [loopback.findings[0]!, loopback.findings[0]!] };
    expect(headline(two)).toBe('2 problems found');
    expect(summaryLines(loopback)[0]).toBe('Diagnosed 10.0.0.5:9092.');
  });
  it('problems without findings: failed/warning checks, and never zero', () => {
    expect(problemCount({ ...loopback, findings: [] })).toBe(2);
    expect(problemCount({ ...loopback, findings: [], checks: [] })).toBe(1);
    expect(headline({ ...loopback, findings: [], checks: [] })).toBe('1 problem found');
  });
});

describe('checks', () => {
  it('the first failure is the first failed row, not a warning or skipped one', () => {
    expect(firstFailureIndex(loopback.checks)).toBe(3);
    expect(
      firstFailureIndex([check('a', 'warning'), check('b', 'skipped'), check('c', 'failed')]),
    ).toBe(2);
    expect(firstFailureIndex(healthy.checks)).toBe(-1);
    expect(firstFailureIndex([])).toBe(-1);
  });
  it('times in ms', () => {
    expect(formatCheckMs(3.4)).toBe('3 ms');
    expect(formatCheckMs(0)).toBe('0 ms');
    expect(formatCheckMs(0.2)).toBe('<1 ms');
    expect(formatCheckMs(10250)).toBe('10,250 ms');
    expect(formatCheckMs(Number.NaN)).toBe('—');
    expect(formatCheckMs(-1)).toBe('—');
    expect(checkTime(check('topic', 'skipped', 0))).toBe('—');
    expect(checkTime(check('tcp', 'failed', 0))).toBe('0 ms');
  });
});

describe('texts', () => {
  it('fix on server names the address and port', () => {
    expect(fixOnServerLabel('10.0.0.5')).toBe(
      'Fix on server: set advertised.listeners to 10.0.0.5:9092 and restart Kafka',
    );
  });
  it('overdue and auto-run texts name the bootstrap', () => {
    expect(overdueMessage('10.0.0.5:9092')).toContain('20 s');
    expect(overdueMessage('10.0.0.5:9092')).toContain('10.0.0.5:9092');
    expect(autoReasonText('failed', '10.0.0.5:9092')).toContain('failed');
    expect(autoReasonText('advertised', '10.0.0.5:9092')).toContain('advertises');
  });
});

describe('shouldAutoRun', () => {
  it('a connect attempt that fails', () => {
    expect(shouldAutoRun(status('connecting'), status('failed'))).toBe('failed');
  });
  it('a connect attempt that connects to a broker advertising another address', () => {
    expect(shouldAutoRun(status('connecting'), status('connected', other))).toBe('advertised');
    expect(
      shouldAutoRun(
        status('connecting'),
        status('connected', [{ nodeId: 2, host: '10.0.0.9', port: 9092 }]),
      ),
    ).toBe('advertised');
  });
  it('connected first, brokers a moment later', () => {
    expect(shouldAutoRun(status('connected'), status('connected', other))).toBe('advertised');
    expect(shouldAutoRun(status('connected', same), status('connected', other))).toBeNull();
  });
  it('not for a healthy connection, nor without an attempt (page load), nor repeats', () => {
    expect(shouldAutoRun(status('connecting'), status('connected', same))).toBeNull();
    expect(shouldAutoRun(null, status('failed'))).toBeNull();
    expect(shouldAutoRun(null, status('connected', other))).toBeNull();
    expect(shouldAutoRun(status('failed'), status('failed'))).toBeNull();
    expect(shouldAutoRun(status('connected', other), status('connected', other))).toBeNull();
    expect(shouldAutoRun(status('connected', same), status('failed'))).toBeNull();
    expect(shouldAutoRun(status('connecting'), status('disconnected'))).toBeNull();
    expect(shouldAutoRun(status('connecting'), null)).toBeNull();
  });
});

describe('tracker: once per attempt', () => {
  const feed = (t: AutoRunTracker, ...statuses: (ConnectionStatus | null)[]) => {
    const runs: string[] = [];
    let starts = 0;
    for (const s of statuses) {
      const step = trackStatus(t, s);
      t = step.tracker;
      if (step.run) runs.push(`${step.run.reason}:${step.run.bootstrap}`);
      if (step.attemptStarted) starts++;
    }
    return { t, runs, starts };
  };

  it('optimistic + host "connecting", then failed twice (event and reply): one run', () => {
    const r = feed(
      INITIAL_TRACKER,
      null,
      status('connecting'),
      status('connecting'),
      status('failed'),
      status('failed'),
    );
    expect(r.runs).toEqual(['failed:10.0.0.5:9092']);
    expect(r.starts).toBe(1);
  });
  it('each new attempt runs again', () => {
    const r = feed(
      INITIAL_TRACKER,
      status('connecting'),
      status('failed'),
      status('connecting'),
      status('failed'),
      status('connecting', [], '10.0.0.6:9092'),
      status('connected', other, '10.0.0.6:9092'),
    );
    expect(r.runs).toEqual([
      'failed:10.0.0.5:9092',
      'failed:10.0.0.5:9092',
      'advertised:10.0.0.6:9092',
    ]);
    expect(r.starts).toBe(3);
  });
  it('a connect error after the failed status was seen does not run twice', () => {
    const r = feed(INITIAL_TRACKER, status('connecting'), status('failed'));
    const e = trackConnectError(r.t, '10.0.0.5:9092', 'BROKER_UNREACHABLE');
    expect(e.run).toBeNull();
  });
  it('a connect error whose failed status was never rendered runs once', () => {
    // connecting → (failed, lost in a batched render) → disconnected
    const r = feed(INITIAL_TRACKER, status('connecting'));
    const e = trackConnectError(r.t, '10.0.0.5:9092', 'BROKER_UNREACHABLE');
    expect(e.run).toEqual({ bootstrap: '10.0.0.5:9092', reason: 'failed' });
    const after = feed(e.tracker, status('disconnected'), status('failed'));
    expect(after.runs).toEqual([]);
    expect(trackConnectError(e.tracker, '10.0.0.5:9092', null).run).toBeNull();
  });
  it('errors that say nothing about Kafka do not run it', () => {
    const r = feed(INITIAL_TRACKER, status('connecting'));
    for (const code of [
      'CANCELLED',
      'BOOTSTRAP_INVALID',
      'SERVICES_UNREACHABLE',
      'SERVICES_DISCONNECTED',
    ])
      expect(trackConnectError(r.t, '10.0.0.5:9092', code).run).toBeNull();
    expect(trackConnectError(r.t, '10.0.0.5:9092', 'SERVICES_TIMEOUT').run).not.toBeNull();
  });
  it('a page load that finds a failed or odd connection does not run it', () => {
    expect(feed(INITIAL_TRACKER, null, status('failed')).runs).toEqual([]);
    expect(feed(INITIAL_TRACKER, null, status('connected', other)).runs).toEqual([]);
  });
});
