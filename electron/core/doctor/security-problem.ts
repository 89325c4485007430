/**
 * What a secured probe connection ran into, as data the findings can name (issue 15): the broker's
 * certificate (who issued it, the names it carries, its dates), the TLS alert the broker sent, the
 * SASL mechanisms it enables, what it said to a refused login. Pure: the socket code in
 * probe-connection.ts and sasl-login.ts gathers the facts, these functions judge them.
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export type SecurityProblem =
  /** The chain does not verify against the CA given (or the system store). */
  | { kind: 'untrusted'; issuer: string; subject: string; reason: string; caGiven: boolean }
  /** The certificate does not name what was connected to. */
  | { kind: 'hostname'; connectedTo: string; names: string[] }
  | { kind: 'expired' | 'not-yet-valid'; validFrom: string; validTo: string; now: string }
  /** The broker wants a client certificate and none was given. */
  | { kind: 'client-cert-required'; alert: string }
  /** The broker refused the client certificate that was given. */
  | { kind: 'client-cert-refused'; alert: string }
  /** A TLS handshake to a listener that does not speak TLS. */
  | { kind: 'not-tls'; detail: string }
  | { kind: 'mechanism-not-enabled'; mechanism: string; enabled: string[] }
  /** A SaslHandshake answered ILLEGAL_SASL_STATE: the listener takes no login. */
  | { kind: 'not-sasl' }
  | { kind: 'auth-failed'; mechanism: string; username: string | null; said: string }
  | { kind: 'oauth-token'; message: string }
  /** This computer's side: a client key, its password or a PKCS#12 bundle Node cannot use. */
  | { kind: 'local-tls'; detail: string };

/** The facts about a broker's certificate a finding needs. */
export interface PeerFacts {
  subject: string;
  issuer: string;
  /** Subject alternative names as "DNS:x" / "IP Address:y". */
  names: string[];
  validFrom: Date;
  validTo: Date;
  /** Node's certificate object, for checkServerIdentity. */
  legacy: PeerCertificate;
}

/** "CN=KVS test CA, O=Kafka Video Studio tests" from Node's one-attribute-per-line form. */
export function describeDn(dn: string): string {
  const parts = dn
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const cn = parts.filter((p) => p.startsWith('CN='));
  const rest = parts.filter((p) => !p.startsWith('CN='));
  return [...cn, ...rest].join(', ') || '(no name)';
}

/** "DNS:a, IP Address:1.2.3.4" → ["DNS:a", "IP Address:1.2.3.4"]. */
export function splitAltNames(san: string | undefined): string[] {
  if (san === undefined || san.trim() === '') return [];
  return san
    .split(/,\s*/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const day = (d: Date): string =>
  Number.isNaN(d.getTime()) ? 'an unreadable date' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/**
 * The broker's certificate after a handshake made with rejectUnauthorized false: the problem a
 * verifying client (kafkajs, Java) would stop at, in the order they check — the dates, the chain,
 * then the name — or null when it is fine.
 */
export function judgePeer(
  peer: PeerFacts | null,
  authorizationError: string | null,
  o: { hostname: string; verifyHostname: boolean; caGiven: boolean; now: Date },
): SecurityProblem | null {
  if (peer === null)
    return {
      kind: 'untrusted',
      issuer: '(none)',
      subject: '(none)',
      reason: 'the broker sent no certificate',
      caGiven: o.caGiven,
    };
  const dates = { validFrom: day(peer.validFrom), validTo: day(peer.validTo), now: day(o.now) };
  if (authorizationError === 'CERT_HAS_EXPIRED' || peer.validTo.getTime() < o.now.getTime())
    return { kind: 'expired', ...dates };
  if (authorizationError === 'CERT_NOT_YET_VALID' || peer.validFrom.getTime() > o.now.getTime())
    return { kind: 'not-yet-valid', ...dates };
  if (authorizationError !== null)
    return {
      kind: 'untrusted',
      issuer: describeDn(peer.issuer),
      subject: describeDn(peer.subject),
      reason: UNTRUSTED.has(authorizationError)
        ? authorizationError
        : `${authorizationError}: the chain does not verify`,
      caGiven: o.caGiven,
    };
  if (o.verifyHostname && checkServerIdentity(o.hostname, peer.legacy) !== undefined)
    return { kind: 'hostname', connectedTo: o.hostname, names: peer.names };
  return null;
}

/**
 * A TLS error on the socket (during or just after the handshake: TLS 1.3 sends the "certificate
 * required" alert after the client thinks it is done): the problem, or null for other errors.
 */
export function tlsErrorProblem(
  code: string | undefined,
  message: string,
  clientCertGiven: boolean,
): SecurityProblem | null {
  const text = `${code ?? ''} ${message}`;
  // alerts 40 handshake_failure (TLS 1.2 without a certificate), 42 bad_certificate,
  // 46 certificate_unknown, 48 unknown_ca, 116 certificate_required
  if (
    /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|UNKNOWN_CA|HANDSHAKE_FAILURE|DECRYPT_ERROR|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED)|alert number (40|42|46|48|116)/i.test(
      text,
    )
  ) {
    const alert = /ALERT_[A-Z_]+/.exec(text)?.[0] ?? code ?? message;
    return clientCertGiven
      ? { kind: 'client-cert-refused', alert }
      : { kind: 'client-cert-required', alert };
  }
  if (
    /WRONG_VERSION_NUMBER|wrong version number|packet length too long|record layer failure|disconnected before secure TLS connection/i.test(
      text,
    )
  )
    return { kind: 'not-tls', detail: message };
  return null;
}
