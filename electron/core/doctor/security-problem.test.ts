/**
 * Judging a broker's certificate and a TLS error without a broker: the order a verifying client
 * checks in (dates, chain, name), the names and dates a finding quotes, and the TLS alerts that
 * mean "a client certificate is wanted" or "refused". (On a real broker: diagnose-secure.int.test.ts.)
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { probeApiVersions } from './probes.js';
import {
  describeDn,
  judgePeer,
  splitAltNames,
  tlsErrorProblem,
  type PeerFacts,
} from './security-problem.js';

/** Self-signed, SAN DNS:broker.example and IP:10.0.0.5, valid for 100 years from 2026. */
const PEM = `-----BEGIN CERTIFICATE-----
MIIBqTCCAVCgAwIBAgIUVZ5dak4S+WnmYIdXPpFPUnIAISowCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOYnJva2VyLmV4YW1wbGUwIBcNMjYxMjA1MDEyNjAxWhgPMjEy
NjExMTEwMTI2MDFaMBkxFzAVBgNVBAMMDmJyb2tlci5leGFtcGxlMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE3Mvoa3kSXlSkzpC/r3sGVxOMk5qKULcFktcWjD5z
KBvWrpy064J5ct7ybssA8gxPDAP4SsMKp13LYCqDgqoF3KN0MHIwHQYDVR0OBBYE
FDsB7+iILmbmEDCiDy329yOFQw4hMB8GA1UdIwQYMBaAFDsB7+iILmbmEDCiDy32
9yOFQw4hMA8GA1UdEwEB/wQFMAMBAf8wHwYDVR0RBBgwFoIOYnJva2VyLmV4YW1w
bGWHBAoAAAUwCgYIKoZIzj0EAwIDRwAwRAIgbfg/t+hDpuz9+KlKx1si63j+qn5x
LmrmRgA5gpdU1+MCICX5kVTdkuXxetlV8NczCt+Wuk1W1XgI9aS8do+fgn4n
-----END CERTIFICATE-----
`;

function facts(o: Partial<PeerFacts> = {}): PeerFacts {
  const x = new X509Certificate(PEM);
  return {
    subject: x.subject,
    issuer: 'O=Some Org\nCN=Some CA',
    names: splitAltNames(x.subjectAltName),
    validFrom: new Date('2020-01-01T00:00:00Z'),
    validTo: new Date('2030-01-01T00:00:00Z'),
    legacy: x.toLegacyObject(),
    ...o,
  };
}

const now = new Date('2027-06-01T12:00:00Z');
const at = (hostname: string, verifyHostname = true) => ({
  hostname,
  verifyHostname,
  caGiven: true,
  now,
});

describe('judgePeer', () => {
  it('a certificate that verifies and names the host (DNS or IP): no problem', () => {
    expect(judgePeer(facts(), null, at('broker.example'))).toBeNull();
    expect(judgePeer(facts(), null, at('10.0.0.5'))).toBeNull();
  });

  it('another name: hostname, with every SAN and what was connected to; not when the check is off', () => {
    expect(judgePeer(facts(), null, at('10.0.0.6'))).toEqual({
      kind: 'hostname',
      connectedTo: '10.0.0.6',
      names: ['DNS:broker.example', 'IP Address:10.0.0.5'],
    });
    expect(judgePeer(facts(), null, at('10.0.0.6', false))).toBeNull();
  });

  it('an untrusted chain: untrusted, naming the issuer CN first', () => {
    expect(judgePeer(facts(), 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', at('broker.example'))).toEqual({
      kind: 'untrusted',
      issuer: 'CN=Some CA, O=Some Org',
      subject: 'CN=broker.example',
      reason: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      caGiven: true,
    });
  });

  it('dates come first (a client checks them before the name), with ISO dates', () => {
    const expired = facts({ validTo: new Date('2027-01-02T00:00:00Z') });
    expect(judgePeer(expired, 'CERT_HAS_EXPIRED', at('elsewhere'))).toEqual({
      kind: 'expired',
      validFrom: '2020-01-01T00:00:00Z',
      validTo: '2027-01-02T00:00:00Z',
      now: '2027-06-01T12:00:00Z',
    });
    const early = facts({ validFrom: new Date('2028-01-01T00:00:00Z') });
    expect(judgePeer(early, 'CERT_NOT_YET_VALID', at('broker.example'))?.kind).toBe(
      'not-yet-valid',
    );
    // the dates alone are enough (whatever OpenSSL reported first)
    expect(judgePeer(expired, 'SELF_SIGNED_CERT_IN_CHAIN', at('broker.example'))?.kind).toBe(
      'expired',
    );
  });

  it('no certificate at all: untrusted', () => {
    expect(judgePeer(null, null, at('x'))?.kind).toBe('untrusted');
  });
});

describe('tlsErrorProblem', () => {
  it('the alerts a broker sends for a missing or refused client certificate', () => {
    for (const code of [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    ]) {
      expect(tlsErrorProblem(code, 'x', false)?.kind, code).toBe('client-cert-required');
      expect(tlsErrorProblem(code, 'x', true)?.kind, code).toBe('client-cert-refused');
    }
  });

  it('a plaintext listener: not-tls; anything else: null', () => {
    expect(
      tlsErrorProblem(
        'ECONNRESET',
        'Client network socket disconnected before secure TLS connection was established',
        false,
      )?.kind,
    ).toBe('not-tls');
    expect(
      tlsErrorProblem('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', false)?.kind,
    ).toBe('not-tls');
    expect(tlsErrorProblem('ECONNREFUSED', 'connect ECONNREFUSED', false)).toBeNull();
  });
});

describe('names', () => {
  it('describeDn puts the CN first; splitAltNames splits on commas', () => {
    expect(describeDn('C=DE\nO=Org\nCN=Name')).toBe('CN=Name, C=DE, O=Org');
    expect(describeDn('')).toBe('(no name)');
    expect(splitAltNames(undefined)).toEqual([]);
    expect(splitAltNames('DNS:a, IP Address:1.2.3.4')).toEqual(['DNS:a', 'IP Address:1.2.3.4']);
  });
});

describe('TLS settings this computer cannot use', () => {
  it('a key that is not a key: local-tls before any connection (port 1 would refuse)', async () => {
    const r = await probeApiVersions('127.0.0.1', 1, 2000, {
      tls: {
        options: {
          cert: PEM,
          key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
        },
        hostname: '127.0.0.1',
        verifyHostname: true,
        verify: true,
      },
      sasl: null,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('security');
    expect(r.security?.kind).toBe('local-tls');
  });
});
