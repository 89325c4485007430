/** A connect error explained by a diagnosis: the finding's words and fix, a sensible code, the client's words in detail. */
import { describe, expect, it } from 'vitest';
import { KvsError } from '../../shared/errors.js';
import { explainConnectError } from './connect-error.js';
import type { DiagnoseResult } from './diagnosis-report.js';
import type { Finding } from './findings.js';

function result(findings: Finding[]): DiagnoseResult {
  return {
    ok: findings.length === 0,
    bootstrap: '10.0.0.5:9092',
    clusterId: null,
    controllerId: null,
    brokerVersion: null,
    checks: [],
    brokers: [],
    findings,
    durationMs: 5,
    advertiseFix: null,
  };
}

const refused = new KvsError(
  'BROKER_UNREACHABLE',
  'connection refused. Is Kafka running?',
  'ECONNREFUSED',
);

describe('explainConnectError', () => {
  it('an error finding replaces the message; a code that is not an error code keeps the connect code', () => {
    const e = explainConnectError(
      refused,
      result([
        {
          code: 'ADVERTISED_LOOPBACK',
          severity: 'error',
          message: 'It advertises 127.0.0.1.',
          fix: 'advertised.listeners=…',
        },
      ]),
    );
    expect(e.code).toBe('BROKER_UNREACHABLE');
    expect(e.message).toBe('It advertises 127.0.0.1. Fix: advertised.listeners=…');
    expect(e.detail).toContain('ADVERTISED_LOOPBACK');
    expect(e.detail).toContain('connection refused. Is Kafka running? | ECONNREFUSED');
  });

  it('a finding whose code is an error code (TLS_…) gives its code', () => {
    const e = explainConnectError(
      refused,
      result([{ code: 'TLS_HOSTNAME_MISMATCH', severity: 'error', message: 'm', fix: 'f' }]),
    );
    expect(e.code).toBe('TLS_HOSTNAME_MISMATCH');
  });

  it('no diagnosis, or only warnings: the connect error as it was', () => {
    expect(explainConnectError(refused, null)).toBe(refused);
    expect(
      explainConnectError(
        refused,
        result([{ code: 'BOOTSTRAP_NOT_ADVERTISED', severity: 'warning', message: 'm', fix: 'f' }]),
      ),
    ).toBe(refused);
  });
});
