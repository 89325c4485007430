/**
 * The doctor's SASL login on one probe connection, spoken raw: SaslHandshake v1 naming the
 * mechanism (the broker answers UNSUPPORTED_SASL_MECHANISM with the ones it enables, or
 * ILLEGAL_SASL_STATE when the listener takes no login), then SaslAuthenticate v0/v1 with the
 * mechanism's messages: PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802, scram.ts) and
 * OAUTHBEARER (RFC 7628, with the failure exchange finished so the broker's reason is heard).
 *
 * Why raw and not kafkajs for the login: kafkajs reports a refused login, an unknown mechanism
 * and a closed socket after retries as look-alike errors, does not finish OAUTHBEARER's failure
 * exchange (it only sees the connection close), and its socket is not ours to read Metadata on
 * afterwards — the doctor must read the metadata on the very connection that logged in.
 */
import type { SaslSettings } from '../../shared/connection-security.js';
import { withTimeout } from '../kafka/client.js';
import { exchange, failure, securityFailure, type ProbeConnection } from './probe-connection.js';
import { API_KEY, KAFKA_ERROR, type ApiRanges, type ProbeFailure } from './probe-types.js';
import {
  checkServerFinal,
  clientFinal,
  clientFirst,
  parseServerFirst,
  saltedPassword,
  type ScramHash,
} from './scram.js';
import {
  decodeSaslAuthenticateResponse,
  decodeSaslHandshakeResponse,
  encodeSaslAuthenticateRequest,
  encodeSaslHandshakeRequest,
} from './wire-messages.js';

export interface SaslProbe {
  readonly sasl: SaslSettings;
  /** OAUTHBEARER client credentials: fetches the token (rejects with a message on failure). */
  readonly token?: () => Promise<string>;
}

/** SaslAuthenticate v1 when the broker takes it, else v0 (both non-flexible). */
export function pickSaslAuthenticateVersion(apis: ApiRanges | null): number | null {
  const range = apis?.get(API_KEY.SaslAuthenticate);
  if (range === undefined) return 0;
  for (const v of [1, 0]) if (v >= range.min && v <= range.max) return v;
  return null;
}

type Step = { ok: true; bytes: Buffer } | ProbeFailure;

/** Logs in on `conn`; null when the broker accepted the login. */
export async function saslLogin(
  conn: ProbeConnection,
  probe: SaslProbe,
  apis: ApiRanges | null,
): Promise<ProbeFailure | null> {
  const { sasl } = probe;
  const hs = await exchange(
    conn,
    API_KEY.SaslHandshake,
    1,
    'SaslHandshake',
    encodeSaslHandshakeRequest(sasl.mechanism),
  );
  if (!hs.ok) return hs;
  const decoded = decodeSaslHandshakeResponse(hs.body);
  if (!decoded.ok) return conn.notKafka(hs.body, 'the SaslHandshake request', decoded.reason);
  const { errorCode, mechanisms } = decoded.value;
  if (errorCode === KAFKA_ERROR.UNSUPPORTED_SASL_MECHANISM)
    return securityFailure(
      conn.where,
      { kind: 'mechanism-not-enabled', mechanism: sasl.mechanism, enabled: mechanisms },
      errorCode,
    );
  if (errorCode === KAFKA_ERROR.ILLEGAL_SASL_STATE)
    return securityFailure(conn.where, { kind: 'not-sasl' }, errorCode);
  if (errorCode !== KAFKA_ERROR.NONE)
    return failure(
      'error',
      `${conn.where} answered the SASL handshake with Kafka error ${errorCode}.`,
      errorCode,
    );

  const version = pickSaslAuthenticateVersion(apis);
  if (version === null)
    return failure(
      'error',
      `${conn.where} accepts only SaslAuthenticate versions the doctor does not speak.`,
    );
  const username = sasl.mechanism === 'OAUTHBEARER' ? null : sasl.username;
  const refused = (said: string, code?: number): ProbeFailure =>
    securityFailure(
      conn.where,
      { kind: 'auth-failed', mechanism: sasl.mechanism, username, said },
      code,
    );
  const send = async (bytes: Buffer): Promise<Step> => {
    const reply = await exchange(
      conn,
      API_KEY.SaslAuthenticate,
      version,
      'SaslAuthenticate',
      encodeSaslAuthenticateRequest(bytes),
    );
    if (!reply.ok) {
      // a broker that refuses a login answers first; one that just closes leaves this
      return reply.kind === 'closed' || reply.kind === 'reset'
        ? refused('it closed the connection during the login')
        : reply;
    }
    const r = decodeSaslAuthenticateResponse(reply.body);
    if (!r.ok) return conn.notKafka(reply.body, 'the SaslAuthenticate request', r.reason);
    if (r.value.errorCode !== KAFKA_ERROR.NONE)
      return refused(r.value.errorMessage ?? `Kafka error ${r.value.errorCode}`, r.value.errorCode);
    return { ok: true, bytes: r.value.authBytes };
  };

  switch (sasl.mechanism) {
    case 'PLAIN': {
      const r = await send(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
      return r.ok ? null : r;
    }
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512': {
      const hash: ScramHash = sasl.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
      const first = clientFirst(sasl.username);
      const r1 = await send(Buffer.from(first.message, 'utf8'));
      if (!r1.ok) return r1;
      const serverFirstText = r1.bytes.toString('utf8');
      const server = parseServerFirst(serverFirstText, first.nonce);
      if (!server.ok) return refused(server.reason);
      const salted = await saltedPassword(
        hash,
        sasl.password,
        server.value.salt,
        server.value.iterations,
      );
      const final = clientFinal(hash, salted, first, serverFirstText, server.value);
      const r2 = await send(Buffer.from(final.message, 'utf8'));
      if (!r2.ok) return r2;
      const check = checkServerFinal(r2.bytes.toString('utf8'), final.serverSignature);
      return check.ok ? null : refused(check.reason);
    }
    case 'OAUTHBEARER': {
      let token: string;
      if (sasl.token.kind === 'fixed') token = sasl.token.value;
      else {
        if (probe.token === undefined)
          return securityFailure(conn.where, {
            kind: 'oauth-token',
            message: 'No token source was given for the client-credentials login.',
          });
        try {
          // the token endpoint has its own 10 s limit; the probe's is the one that counts
          token = await withTimeout(
            probe.token(),
            conn.remainingMs(),
            `Fetching the OAUTHBEARER token for ${conn.where}`,
          );
        } catch (e) {
          return securityFailure(conn.where, {
            kind: 'oauth-token',
            message: e instanceof Error ? e.message : String(e),
          });
        }
      }
      const r = await send(Buffer.from(`n,,\u0001auth=Bearer ${token}\u0001\u0001`, 'utf8'));
      if (!r.ok) return r;
      if (r.bytes.length === 0) return null;
      // RFC 7628 §3.2.2: the broker's error JSON; the client answers %x01 and the login fails
      const said = oauthStatus(r.bytes.toString('utf8'));
      const r2 = await send(Buffer.from([1]));
      return r2.ok ? refused(said) : refused(said, r2.ok ? undefined : r2.errorCode);
    }
  }
}

/** The status in an OAUTHBEARER error challenge ({"status":"invalid_token",…}). */
export function oauthStatus(json: string): string {
  try {
    const v = JSON.parse(json) as { status?: unknown };
    return typeof v.status === 'string'
      ? `the broker rejected the token: ${v.status.slice(0, 100)}`
      : 'the broker rejected the token';
  } catch {
    return 'the broker rejected the token';
  }
}
