/**
 * Connection profiles (issue 15): a name, the bootstrap list and the security settings, split into
 * what anyone may see (`PublicSecurity`: the protocol, the CA and client certificate, the SASL user,
 * the token endpoint) and the secrets (`ProfileSecrets`: passwords, the private key, a PKCS#12
 * bundle, tokens). The page and the profile file hold the public part; the secrets travel only when
 * a person types them (saving, or connecting with a profile whose secrets are not remembered) and
 * are stored only encrypted by the OS keychain (services/connection-profiles.ts).
 *
 * `splitSecurity` and `joinSecurity` are the only way between the two halves, so a new secret field
 * cannot be added to ConnectionSecurity and forgotten here without the types failing.
 */
import { z } from 'zod';
import {
  ConnectionSecurity,
  SecurityProtocol,
  type SaslSettings,
  type TlsSettings,
} from './connection-security.js';

const Pem = z.string().max(256 * 1024);
const Text = z.string().min(1).max(4096);

export const PublicSecurity = z.object({
  protocol: SecurityProtocol,
  tls: z
    .object({
      ca: Pem.nullable(),
      client: z
        .discriminatedUnion('kind', [
          z.object({ kind: z.literal('pem'), cert: Pem }),
          z.object({ kind: z.literal('pkcs12') }),
        ])
        .nullable(),
      verifyHostname: z.boolean(),
    })
    .nullable(),
  sasl: z
    .discriminatedUnion('mechanism', [
      z.object({ mechanism: z.literal('PLAIN'), username: Text }),
      z.object({ mechanism: z.literal('SCRAM-SHA-256'), username: Text }),
      z.object({ mechanism: z.literal('SCRAM-SHA-512'), username: Text }),
      z.object({
        mechanism: z.literal('OAUTHBEARER'),
        token: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('fixed') }),
          z.object({
            kind: z.literal('client-credentials'),
            tokenEndpoint: z.string().max(2048),
            clientId: Text,
            scope: z.string().max(1024).optional(),
          }),
        ]),
      }),
    ])
    .nullable(),
});
export type PublicSecurity = z.infer<typeof PublicSecurity>;

const Secret = z
  .string()
  .min(1)
  .max(1024 * 1024);

/** Every secret a profile can have; each optional (which are needed follows from the public part). */
export const ProfileSecrets = z.object({
  saslPassword: Secret.optional(),
  oauthToken: Secret.optional(),
  oauthClientSecret: Secret.optional(),
  /** mTLS, PEM: the private key and its passphrase. */
  clientKey: Secret.optional(),
  clientKeyPassword: Secret.optional(),
  /** mTLS, PKCS#12: the bundle (base64; it holds the private key) and its password. */
  pkcs12Base64: Secret.optional(),
  pkcs12Password: z.string().max(4096).optional(),
});
export type ProfileSecrets = z.infer<typeof ProfileSecrets>;
export type SecretName = keyof ProfileSecrets;

/** Labels for the secrets, for messages ("needs the SASL password"). */
export const SECRET_LABELS: Record<SecretName, string> = {
  saslPassword: 'the SASL password',
  oauthToken: 'the OAuth token',
  oauthClientSecret: 'the OAuth client secret',
  clientKey: "the client certificate's private key",
  clientKeyPassword: "the private key's passphrase",
  pkcs12Base64: 'the PKCS#12 file',
  pkcs12Password: "the PKCS#12 file's password",
};

/** The public half and the secrets of full settings. */
export function splitSecurity(s: ConnectionSecurity): {
  security: PublicSecurity;
  secrets: ProfileSecrets;
} {
  const secrets: ProfileSecrets = {};
  let tls: PublicSecurity['tls'] = null;
  if (s.tls !== null) {
    const c = s.tls.client;
    let client: NonNullable<PublicSecurity['tls']>['client'] = null;
    if (c?.kind === 'pem') {
      client = { kind: 'pem', cert: c.cert };
      secrets.clientKey = c.key;
      if (c.keyPassword !== undefined) secrets.clientKeyPassword = c.keyPassword;
    } else if (c?.kind === 'pkcs12') {
      client = { kind: 'pkcs12' };
      secrets.pkcs12Base64 = c.pkcs12Base64;
      secrets.pkcs12Password = c.password;
    }
    tls = { ca: s.tls.ca, client, verifyHostname: s.tls.verifyHostname };
  }
  let sasl: PublicSecurity['sasl'] = null;
  if (s.sasl !== null) {
    if (s.sasl.mechanism === 'OAUTHBEARER') {
      const t = s.sasl.token;
      if (t.kind === 'fixed') {
        sasl = { mechanism: 'OAUTHBEARER', token: { kind: 'fixed' } };
        secrets.oauthToken = t.value;
      } else {
        sasl = {
          mechanism: 'OAUTHBEARER',
          token: {
            kind: 'client-credentials',
            tokenEndpoint: t.tokenEndpoint,
            clientId: t.clientId,
            ...(t.scope !== undefined ? { scope: t.scope } : {}),
          },
        };
        secrets.oauthClientSecret = t.clientSecret;
      }
    } else {
      sasl = { mechanism: s.sasl.mechanism, username: s.sasl.username };
      secrets.saslPassword = s.sasl.password;
    }
  }
  return { security: { protocol: s.protocol, tls, sasl }, secrets };
}

/** The secrets the public half needs (the PEM key's passphrase is never required). */
export function neededSecrets(s: PublicSecurity): SecretName[] {
  const out: SecretName[] = [];
  if (s.tls?.client?.kind === 'pem') out.push('clientKey');
  if (s.tls?.client?.kind === 'pkcs12') out.push('pkcs12Base64');
  if (s.sasl !== null) {
    if (s.sasl.mechanism !== 'OAUTHBEARER') out.push('saslPassword');
    else out.push(s.sasl.token.kind === 'fixed' ? 'oauthToken' : 'oauthClientSecret');
  }
  return out;
}

export type JoinResult =
  | { ok: true; security: ConnectionSecurity }
  | { ok: false; missing: SecretName[]; message: string };

/** Full settings from the public half and the secrets, checked by the ConnectionSecurity schema. */
export function joinSecurity(s: PublicSecurity, secrets: ProfileSecrets): JoinResult {
  const missing = neededSecrets(s).filter((k) => secrets[k] === undefined);
  if (missing.length > 0)
    return {
      ok: false,
      missing,
      message: `These settings need ${missing.map((k) => SECRET_LABELS[k]).join(' and ')}.`,
    };
  let tls: TlsSettings | null = null;
  if (s.tls !== null) {
    const c = s.tls.client;
    tls = {
      ca: s.tls.ca,
      verifyHostname: s.tls.verifyHostname,
      client:
        c === null
          ? null
          : c.kind === 'pem'
            ? {
                kind: 'pem',
                cert: c.cert,
                key: secrets.clientKey ?? '',
                ...(secrets.clientKeyPassword !== undefined
                  ? { keyPassword: secrets.clientKeyPassword }
                  : {}),
              }
            : {
                kind: 'pkcs12',
                pkcs12Base64: secrets.pkcs12Base64 ?? '',
                password: secrets.pkcs12Password ?? '',
              },
    };
  }
  let sasl: SaslSettings | null = null;
  if (s.sasl !== null) {
    if (s.sasl.mechanism !== 'OAUTHBEARER')
      sasl = {
        mechanism: s.sasl.mechanism,
        username: s.sasl.username,
        password: secrets.saslPassword ?? '',
      };
    else {
      const t = s.sasl.token;
      sasl = {
        mechanism: 'OAUTHBEARER',
        token:
          t.kind === 'fixed'
            ? { kind: 'fixed', value: secrets.oauthToken ?? '' }
            : {
                kind: 'client-credentials',
                tokenEndpoint: t.tokenEndpoint,
                clientId: t.clientId,
                clientSecret: secrets.oauthClientSecret ?? '',
                ...(t.scope !== undefined ? { scope: t.scope } : {}),
              },
      };
    }
  }
  const parsed = ConnectionSecurity.safeParse({ protocol: s.protocol, tls, sasl });
  if (!parsed.success)
    return {
      ok: false,
      missing: [],
      message: parsed.error.issues
        .map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`)
        .join('; '),
    };
  return { ok: true, security: parsed.data };
}

/** Only the secrets the public half uses (a protocol changed from SASL drops the old password). */
export function secretsFor(s: PublicSecurity, secrets: ProfileSecrets): ProfileSecrets {
  const keep = new Set<SecretName>(neededSecrets(s));
  if (s.tls?.client?.kind === 'pem') keep.add('clientKeyPassword');
  if (s.tls?.client?.kind === 'pkcs12') keep.add('pkcs12Password');
  const out: ProfileSecrets = {};
  for (const k of keep)
    if (secrets[k] !== undefined) (out as Record<string, string>)[k] = secrets[k];
  return out;
}

export const ProfileName = z.string().trim().min(1, 'Give the profile a name').max(80);

/** What the page sees of a saved profile. */
export const ProfileView = z.object({
  id: z.string(),
  name: z.string(),
  bootstrap: z.string(),
  security: PublicSecurity,
  /** The secrets it needs, and whether they are remembered (encrypted by the OS keychain). */
  secretsNeeded: z.array(z.string()),
  secretsRemembered: z.boolean(),
  /** ms since the epoch of the last successful connect; null: never. */
  lastUsed: z.number().nullable(),
});
export type ProfileView = z.infer<typeof ProfileView>;
