/**
 * Which finding a protocol mix-up gets, for every pair of chosen and spoken protocols, and that
 * each says which protocol to choose; the TLS and SASL findings quote what the problem names.
 */
import { describe, expect, it } from 'vitest';
import { SECURITY_PROTOCOLS, type SecurityProtocol } from '../../shared/connection-security.js';
import { protocolFinding, securityFinding } from './security-findings.js';

const A = '10.0.0.5:9093';

describe('protocolFinding', () => {
  const expected: Record<string, string> = {
    'PLAINTEXT→SSL': 'LISTENER_TLS',
    'PLAINTEXT→SASL_PLAINTEXT': 'LISTENER_SASL',
    'PLAINTEXT→SASL_SSL': 'LISTENER_TLS',
    'SSL→PLAINTEXT': 'TLS_NOT_SPOKEN',
    'SSL→SASL_PLAINTEXT': 'TLS_NOT_SPOKEN',
    'SSL→SASL_SSL': 'LISTENER_SASL',
    'SASL_PLAINTEXT→PLAINTEXT': 'LISTENER_NOT_SASL',
    'SASL_PLAINTEXT→SSL': 'LISTENER_TLS',
    'SASL_PLAINTEXT→SASL_SSL': 'SASL_PROTOCOL_MIXED_UP',
    'SASL_SSL→PLAINTEXT': 'TLS_NOT_SPOKEN',
    'SASL_SSL→SSL': 'LISTENER_NOT_SASL',
    'SASL_SSL→SASL_PLAINTEXT': 'SASL_PROTOCOL_MIXED_UP',
  };
  const pairs = SECURITY_PROTOCOLS.flatMap((chosen) =>
    SECURITY_PROTOCOLS.filter((s) => s !== chosen).map(
      (speaks) => [chosen, speaks] as [SecurityProtocol, SecurityProtocol],
    ),
  );
  it.each(pairs)('chosen %s, the listener speaks %s', (chosen, speaks) => {
    const mechanisms = speaks.startsWith('SASL') ? ['SCRAM-SHA-512'] : [];
    const f = protocolFinding(A, chosen, speaks, mechanisms);
    expect(f.code).toBe(expected[`${chosen}→${speaks}`]);
    expect(f.severity).toBe('error');
    expect(f.message).toContain(A);
    expect(f.fix).toContain(`Choose ${speaks} as the security protocol`);
    expect(f.fix).toContain(`--security-protocol ${speaks}`);
    if (mechanisms.length > 0) expect(f.fix).toContain('--sasl-mechanism SCRAM-SHA-512');
  });
});

describe('securityFinding', () => {
  it('a name mismatch quotes the SANs and suggests the SAN for the address used', () => {
    const f = securityFinding(A, {
      kind: 'hostname',
      connectedTo: '10.0.0.5',
      names: ['DNS:kafka.internal'],
    });
    expect(f?.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(f?.message).toContain('names only DNS:kafka.internal');
    expect(f?.fix).toContain('(kafka.internal)');
    expect(f?.fix).toContain('subjectAltName=IP:10.0.0.5');
  });

  it('a mechanism not enabled names the enabled ones; wrong credentials name the user, never a password', () => {
    const m = securityFinding(A, {
      kind: 'mechanism-not-enabled',
      mechanism: 'PLAIN',
      enabled: ['SCRAM-SHA-256'],
    });
    expect(m?.code).toBe('SASL_MECHANISM_NOT_ENABLED');
    expect(m?.message).toContain('it enables SCRAM-SHA-256');
    const a = securityFinding(A, {
      kind: 'auth-failed',
      mechanism: 'SCRAM-SHA-256',
      username: 'alice',
      said: 'Authentication failed during authentication due to invalid credentials',
    });
    expect(a?.code).toBe('KAFKA_AUTH_FAILED');
    expect(a?.message).toContain('user "alice"');
    expect(a?.fix).toContain('--entity-name alice');
  });

  it('expired and not yet valid quote the dates; protocol problems are left to protocolFinding', () => {
    const dates = { validFrom: '2020-01-01T00:00:00Z', validTo: '2020-01-02T00:00:00Z', now: 'N' };
    expect(securityFinding(A, { kind: 'expired', ...dates })?.message).toContain(
      'expired on 2020-01-02T00:00:00Z',
    );
    expect(securityFinding(A, { kind: 'not-yet-valid', ...dates })?.code).toBe(
      'TLS_CERT_NOT_YET_VALID',
    );
    expect(securityFinding(A, { kind: 'not-tls', detail: 'x' })).toBeNull();
    expect(securityFinding(A, { kind: 'not-sasl' })).toBeNull();
  });
});
