/**
 * A connection's security settings (shared/connection-security.ts) as kafkajs wants them: Node's
 * TLS options under `ssl`, the SASL login under `sasl`.
 *
 * - TLS always verifies the broker's chain (`rejectUnauthorized` stays true: an untrusted CA is an
 *   error to fix, never to skip). The CA is the one given, else Node's system store. Turning
 *   hostname verification off replaces only the name check (`checkServerIdentity`).
 * - Mutual TLS: a PEM certificate + key (with its password), or a PKCS#12 bundle (`pfx`).
 * - OAUTHBEARER: a fixed token as it is; client credentials (RFC 6749 §4.4) are fetched from the
 *   token endpoint with HTTP Basic client authentication (§2.3.1), kept until shortly before they
 *   expire, and fetched again when kafkajs asks after that. A failure is OAUTH_TOKEN_FAILED with
 *   the endpoint's answer (never the secret).
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type {
  ConnectionSecurity,
  SaslSettings,
  TlsSettings,
} from '../../shared/connection-security.js';
import { KvsError } from '../../shared/errors.js';

/** Renew a token this long before it expires. */
const TOKEN_MARGIN_MS = 30_000;
const TOKEN_TIMEOUT_MS = 10_000;

export interface SecurityDeps {
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export function usesTls(s: ConnectionSecurity): boolean {
  return s.protocol === 'SSL' || s.protocol === 'SASL_SSL';
}

export function usesSasl(s: ConnectionSecurity): boolean {
  return s.protocol === 'SASL_PLAINTEXT' || s.protocol === 'SASL_SSL';
}

/** kafkajs's `ssl` and `sasl` for these settings (absent for PLAINTEXT). */
export function kafkajsSecurity(
  s: ConnectionSecurity,
  deps: SecurityDeps = {},
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (usesTls(s)) out.ssl = tlsOptions(s.tls);
  if (usesSasl(s)) {
    if (s.sasl === null)
      throw new KvsError('INVALID_ARGUMENT', `${s.protocol} needs a SASL login.`);
    out.sasl = saslOptions(s.sasl, deps);
  }
  return out;
}

export function tlsOptions(tls: TlsSettings | null): ConnectionOptions {
  const o: ConnectionOptions = { rejectUnauthorized: true };
  if (tls === null) return o;
  if (tls.ca !== null) o.ca = [tls.ca];
  const client = tls.client;
  if (client?.kind === 'pem') {
    o.cert = client.cert;
    o.key = client.key;
    if (client.keyPassword !== undefined) o.passphrase = client.keyPassword;
  } else if (client?.kind === 'pkcs12') {
    o.pfx = Buffer.from(client.pkcs12Base64.replace(/\s+/g, ''), 'base64');
    o.passphrase = client.password;
  }
  // the chain is still verified; only the name is not compared with the address
  if (!tls.verifyHostname) o.checkServerIdentity = () => undefined;
  return o;
}

export function saslOptions(sasl: SaslSettings, deps: SecurityDeps = {}): SASLOptions {
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'OAUTHBEARER': {
      const token = sasl.token;
      if (token.kind === 'fixed')
        return {
          mechanism: 'oauthbearer',
          oauthBearerProvider: () => Promise.resolve({ value: token.value }),
        };
      const source = new ClientCredentials(token, deps);
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: await source.token() }),
      };
    }
  }
}

type ClientCredentialsSettings = Extract<
  Extract<SaslSettings, { mechanism: 'OAUTHBEARER' }>['token'],
  { kind: 'client-credentials' }
>;

/** OAuth 2.0 client credentials, fetched once and renewed shortly before they expire. */
export class ClientCredentials {
  private cached: { value: string; expiresAt: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(
    private readonly settings: ClientCredentialsSettings,
    private readonly deps: SecurityDeps = {},
  ) {}

  token(): Promise<string> {
    const now = (this.deps.now ?? Date.now)();
    if (this.cached !== null && now < this.cached.expiresAt - TOKEN_MARGIN_MS)
      return Promise.resolve(this.cached.value);
    this.inFlight ??= this.fetchToken().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async fetchToken(): Promise<string> {
    const { tokenEndpoint, clientId, clientSecret, scope } = this.settings;
    const doFetch = this.deps.fetch ?? fetch;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined && scope !== '') body.set('scope', scope);
    const basic = Buffer.from(
      `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`,
    ).toString('base64');
    let res: Response;
    try {
      res = await doFetch(tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
    } catch (e) {
      throw new KvsError(
        'OAUTH_TOKEN_FAILED',
        `Could not reach the token endpoint ${tokenEndpoint}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const text = await res.text().catch(() => '');
    if (!res.ok)
      throw new KvsError(
        'OAUTH_TOKEN_FAILED',
        `The token endpoint ${tokenEndpoint} answered ${res.status}${oauthError(text)}. Check the client id and secret, and the scope.`,
      );
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new KvsError(
        'OAUTH_TOKEN_FAILED',
        `The token endpoint ${tokenEndpoint} did not answer JSON.`,
      );
    }
    const j = json as { access_token?: unknown; expires_in?: unknown };
    if (typeof j.access_token !== 'string' || j.access_token === '')
      throw new KvsError(
        'OAUTH_TOKEN_FAILED',
        `The token endpoint ${tokenEndpoint} gave no access_token.`,
      );
    const expiresIn = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 300;
    this.cached = {
      value: j.access_token,
      expiresAt: (this.deps.now ?? Date.now)() + expiresIn * 1000,
    };
    return j.access_token;
  }
}

/** The OAuth error code and description from an error answer, if it has them (never echo more). */
function oauthError(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof j.error !== 'string') return '';
    const what =
      typeof j.error_description === 'string' ? `: ${j.error_description.slice(0, 200)}` : '';
    return ` (${j.error.slice(0, 64)}${what})`;
  } catch {
    return '';
  }
}
