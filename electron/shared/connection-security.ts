/**
 * How a client talks to a secured cluster (issue 15): the security protocol, TLS (a CA or the
 * system store, a client certificate for mutual TLS, hostname verification) and a SASL login
 * (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER with a fixed token or a client-credentials token
 * endpoint). One schema for the page, the CLI and the app services; every value crosses a trust
 * boundary through it.
 *
 * Secrets (passwords, private keys, PKCS#12 bundles, token secrets) are plain strings here: this is
 * what a connection needs in memory. Where they may be stored is the profiles' business (only
 * through Electron's safeStorage, never by `kvs serve`).
 */
import { z } from 'zod';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const SecurityProtocol = z.enum(SECURITY_PROTOCOLS);
export type SecurityProtocol = z.infer<typeof SecurityProtocol>;

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export const SaslMechanism = z.enum(SASL_MECHANISMS);
export type SaslMechanism = z.infer<typeof SaslMechanism>;

/** A PEM document (certificates, keys): bounded, and it must look like PEM. */
const Pem = z
  .string()
  .max(256 * 1024)
  .refine((s) => /-----BEGIN [A-Z0-9 ]+-----/.test(s), 'is not PEM (no "-----BEGIN …-----" line)');

const Secret = z.string().min(1).max(4096);

export const TlsSettings = z.object({
  /** The CA certificate(s) that signed the brokers' certificates; null: the system store. */
  ca: Pem.nullable(),
  /** Mutual TLS: the client's certificate and key (PEM), or a PKCS#12 bundle (base64). */
  client: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('pem'),
        cert: Pem,
        key: Pem,
        keyPassword: Secret.optional(),
      }),
      z.object({
        kind: z.literal('pkcs12'),
        pkcs12Base64: z
          .string()
          .max(1024 * 1024)
          .regex(/^[A-Za-z0-9+/=\s]+$/, 'is not base64'),
        password: z.string().max(4096),
      }),
    ])
    .nullable(),
  /**
   * Check that the broker's certificate names the address connected to. On by default; off is
   * an explicit choice the UI warns about (anyone on the path could pose as the broker).
   */
  verifyHostname: z.boolean(),
});
export type TlsSettings = z.infer<typeof TlsSettings>;

export const SaslSettings = z.discriminatedUnion('mechanism', [
  z.object({ mechanism: z.literal('PLAIN'), username: Secret, password: Secret }),
  z.object({ mechanism: z.literal('SCRAM-SHA-256'), username: Secret, password: Secret }),
  z.object({ mechanism: z.literal('SCRAM-SHA-512'), username: Secret, password: Secret }),
  z.object({
    mechanism: z.literal('OAUTHBEARER'),
    token: z.discriminatedUnion('kind', [
      /** A token the user pasted (it expires; the connection says so when it does). */
      z.object({ kind: z.literal('fixed'), value: Secret.max(16 * 1024) }),
      /** OAuth 2.0 client credentials: the client asks the token endpoint and renews. */
      z.object({
        kind: z.literal('client-credentials'),
        tokenEndpoint: z
          .string()
          .url()
          .max(2048)
          .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
        clientId: Secret,
        clientSecret: Secret,
        scope: z.string().max(1024).optional(),
      }),
    ]),
  }),
]);
export type SaslSettings = z.infer<typeof SaslSettings>;

export const ConnectionSecurity = z
  .object({
    protocol: SecurityProtocol,
    tls: TlsSettings.nullable(),
    sasl: SaslSettings.nullable(),
  })
  .superRefine((s, ctx) => {
    const usesTls = s.protocol === 'SSL' || s.protocol === 'SASL_SSL';
    const usesSasl = s.protocol === 'SASL_PLAINTEXT' || s.protocol === 'SASL_SSL';
    if (usesSasl && s.sasl === null)
      ctx.addIssue({
        code: 'custom',
        path: ['sasl'],
        message: `${s.protocol} needs a SASL login (mechanism, user and password or token)`,
      });
    if (!usesSasl && s.sasl !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['sasl'],
        message: `${s.protocol} has no SASL login; choose SASL_PLAINTEXT or SASL_SSL to log in`,
      });
    if (!usesTls && s.tls !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `${s.protocol} does not use TLS; choose SSL or SASL_SSL for TLS settings`,
      });
  });
export type ConnectionSecurity = z.infer<typeof ConnectionSecurity>;

/** No TLS, no login: what every connection was before profiles. */
export const PLAINTEXT: ConnectionSecurity = { protocol: 'PLAINTEXT', tls: null, sasl: null };
