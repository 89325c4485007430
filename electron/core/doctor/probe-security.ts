/**
 * The connection settings (shared/connection-security.ts) as the doctor's probes use them: the
 * TLS options for a given host name (the CA, the client certificate, the name rule — verified by
 * the doctor itself, see probe-connection.ts), and the SASL login with its token source. Also what
 * a listener actually speaks when it does not speak what was chosen (`whatListenerSpeaks`), asked
 * without sending anything secret.
 */
import type { ConnectionOptions } from 'node:tls';
import {
  PLAINTEXT,
  type ConnectionSecurity,
  type SecurityProtocol,
} from '../../shared/connection-security.js';
import { ClientCredentials, tlsOptions, usesSasl, usesTls } from '../kafka/security.js';
import type { ProbeTls } from './probe-connection.js';
import { KAFKA_ERROR } from './probe-types.js';
import { probeApiVersions, probeSaslMechanisms, probeTls, type ProbeSecurity } from './probes.js';
import type { SaslProbe } from './sasl-login.js';

export interface DoctorSecurity {
  readonly settings: ConnectionSecurity;
  readonly protocol: SecurityProtocol;
  readonly usesTls: boolean;
  readonly usesSasl: boolean;
  /** How to probe `hostname` (the name the certificate must carry) with these settings. */
  probe(hostname: string): ProbeSecurity;
}

/** Node's TLS options the probe needs: what to trust and what to show, nothing else. */
function trustAndIdentity(settings: ConnectionSecurity): ConnectionOptions {
  const full = tlsOptions(settings.tls);
  const o: ConnectionOptions = {};
  if (full.ca !== undefined) o.ca = full.ca;
  if (full.cert !== undefined) o.cert = full.cert;
  if (full.key !== undefined) o.key = full.key;
  if (full.pfx !== undefined) o.pfx = full.pfx;
  if (full.passphrase !== undefined) o.passphrase = full.passphrase;
  return o;
}

export function doctorSecurity(settings: ConnectionSecurity = PLAINTEXT): DoctorSecurity {
  const tls = usesTls(settings);
  const sasl = usesSasl(settings) && settings.sasl !== null ? settings.sasl : null;
  const options = tls ? trustAndIdentity(settings) : null;
  let saslProbe: SaslProbe | null = null;
  if (sasl !== null) {
    const token = sasl.mechanism === 'OAUTHBEARER' ? sasl.token : null;
    // one token source per diagnosis: fetched once, reused by every probe
    const source = token?.kind === 'client-credentials' ? new ClientCredentials(token) : null;
    saslProbe = source === null ? { sasl } : { sasl, token: () => source.token() };
  }
  return {
    settings,
    protocol: settings.protocol,
    usesTls: tls,
    usesSasl: sasl !== null,
    probe: (hostname) => ({
      tls:
        options === null
          ? null
          : {
              options,
              hostname,
              verifyHostname: settings.tls?.verifyHostname ?? true,
              verify: true,
            },
      sasl: saslProbe,
    }),
  };
}

/** A TLS handshake that only finds out what the listener speaks: no CA, no client certificate. */
function lookingOnly(hostname: string): ProbeTls {
  return { options: {}, hostname, verifyHostname: false, verify: false };
}

/**
 * Which protocol the listener at host:port speaks, asking nothing secret: plaintext ApiVersions
 * (or TLS), then a SaslHandshake naming no real mechanism (a SASL listener lists its mechanisms;
 * others answer ILLEGAL_SASL_STATE). null when it cannot be told.
 */
export async function whatListenerSpeaks(
  host: string,
  port: number,
  hostname: string,
  timeoutMs: number,
): Promise<{ protocol: SecurityProtocol; mechanisms: string[] } | null> {
  const half = Math.max(200, Math.floor(timeoutMs / 2));
  const plain = await probeApiVersions(host, port, half);
  let tls: ProbeTls | null = null;
  if (!plain.ok) {
    const isTls = plain.kind === 'tls' || (await probeTls(host, port, half)).ok;
    if (!isTls) return null;
    tls = lookingOnly(hostname);
  }
  const sasl = await probeSaslMechanisms(host, port, half, tls);
  if (sasl.ok)
    return { protocol: tls ? 'SASL_SSL' : 'SASL_PLAINTEXT', mechanisms: sasl.mechanisms };
  if (sasl.errorCode === KAFKA_ERROR.ILLEGAL_SASL_STATE)
    return { protocol: tls ? 'SSL' : 'PLAINTEXT', mechanisms: [] };
  // a TLS listener that ends the handshake without a client certificate (mTLS) is SSL or SASL_SSL
  return tls ? { protocol: 'SSL', mechanisms: [] } : null;
}
