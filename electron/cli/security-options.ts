/**
 * The options every `kvs` command that talks to Kafka takes for a secured cluster (issue 15):
 * `--config client.properties` (the Java client's file), or flags for the same settings. Secrets
 * never come from argv alone: a password, key password, token or client secret is read from an
 * environment variable (`--…-env NAME`) or a file (`--…-file PATH`), so it does not show in `ps`,
 * shell history or CI logs. Flags given with `--config` override its values.
 *
 * Not yet: `--profile NAME` (saved connection profiles are built next).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ConnectionSecurity,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  type SaslSettings,
  type TlsSettings,
} from '../shared/connection-security.js';
import { KvsError } from '../shared/errors.js';
import { loadClientProperties } from '../core/kafka/client-properties.js';
import { createKafka, type KafkaHandle } from '../core/kafka/client.js';
import { requireOption } from './args.js';
import type { CliIo } from './cli-io.js';

export const SECURITY_OPTIONS = {
  config: {
    type: 'string',
    value: '<file>',
    help: 'a Java client.properties: bootstrap.servers, security.protocol, SASL and TLS settings',
  },
  'security-protocol': {
    type: 'string',
    value: '<p>',
    help: `${SECURITY_PROTOCOLS.join(' | ')} (default PLAINTEXT, or the --config file's)`,
  },
  'sasl-mechanism': {
    type: 'string',
    value: '<m>',
    help: SASL_MECHANISMS.join(' | '),
  },
  'sasl-username': { type: 'string', value: '<user>', help: 'the SASL user (PLAIN, SCRAM)' },
  'sasl-password-env': {
    type: 'string',
    value: '<VAR>',
    help: 'read the SASL password from this environment variable',
  },
  'sasl-password-file': {
    type: 'string',
    value: '<file>',
    help: 'read the SASL password from this file (first line)',
  },
  'oauth-token-env': {
    type: 'string',
    value: '<VAR>',
    help: 'OAUTHBEARER: a token from this environment variable',
  },
  'oauth-token-file': {
    type: 'string',
    value: '<file>',
    help: 'OAUTHBEARER: a token from this file',
  },
  'oauth-token-endpoint': {
    type: 'string',
    value: '<url>',
    help: 'OAUTHBEARER client credentials: the token endpoint',
  },
  'oauth-client-id': {
    type: 'string',
    value: '<id>',
    help: 'OAUTHBEARER client credentials: the client id',
  },
  'oauth-client-secret-env': {
    type: 'string',
    value: '<VAR>',
    help: 'OAUTHBEARER client credentials: the secret from this environment variable',
  },
  'oauth-client-secret-file': {
    type: 'string',
    value: '<file>',
    help: 'OAUTHBEARER client credentials: the secret from this file',
  },
  'oauth-scope': {
    type: 'string',
    value: '<scope>',
    help: 'OAUTHBEARER client credentials: the scope',
  },
  'ca-file': {
    type: 'string',
    value: '<pem>',
    help: "the CA certificate(s) that signed the brokers' certificates (default: the system store)",
  },
  'cert-file': { type: 'string', value: '<pem>', help: 'mutual TLS: this client’s certificate' },
  'key-file': { type: 'string', value: '<pem>', help: 'mutual TLS: this client’s private key' },
  'key-password-env': {
    type: 'string',
    value: '<VAR>',
    help: 'mutual TLS: the key’s password from this environment variable',
  },
  'no-hostname-check': {
    type: 'boolean',
    help: 'TLS: do not check the certificate names the broker (unsafe: anyone on the path could pose as it)',
  },
} as const;

export const SECURITY_NOTES = [
  'Secured clusters: --config client.properties, or the flags above. Secrets (passwords, tokens,',
  'client secrets, key passwords) come only from an environment variable (--…-env) or a file',
  '(--…-file), never from the command line itself.',
] as const;

type StringKeys = {
  [K in keyof typeof SECURITY_OPTIONS]: (typeof SECURITY_OPTIONS)[K]['type'] extends 'string'
    ? K
    : never;
}[keyof typeof SECURITY_OPTIONS];

export type SecurityValues = Partial<Record<StringKeys, string>> & {
  readonly 'no-hostname-check'?: boolean;
};

export interface SecurityDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (file: string) => Promise<Buffer>;
}

export const processSecurityDeps: SecurityDeps = { env: process.env, readFile: (f) => readFile(f) };

export interface CliConnection {
  /** From --bootstrap, else the --config file's bootstrap.servers. */
  readonly bootstrap: string | null;
  readonly security: ConnectionSecurity;
  /** --config keys not used, to mention once. */
  readonly unused: readonly string[];
}

async function secret(
  values: SecurityValues,
  envKey: StringKeys,
  fileKey: StringKeys | null,
  deps: SecurityDeps,
): Promise<string | undefined> {
  const envName = values[envKey];
  if (envName !== undefined) {
    const v = deps.env[envName];
    if (v === undefined || v === '')
      throw new KvsError(
        'INVALID_ARGUMENT',
        `--${envKey}: the environment variable ${envName} is not set.`,
      );
    return v;
  }
  const file = fileKey === null ? undefined : values[fileKey];
  if (file !== undefined) {
    const text = (await readText(file, `--${fileKey}`, deps)).split(/\r?\n/)[0] ?? '';
    if (text === '') throw new KvsError('INVALID_ARGUMENT', `--${fileKey}: ${file} is empty.`);
    return text;
  }
  return undefined;
}

async function readText(file: string, what: string, deps: SecurityDeps): Promise<string> {
  try {
    return (await deps.readFile(file)).toString('utf8');
  } catch (e) {
    throw new KvsError(
      'FILE_NOT_FOUND',
      `${what}: ${file} cannot be read (${e instanceof Error ? e.message : String(e)}).`,
    );
  }
}

/** The connection a command was asked for: --config, then the flags over it; checked by the schema. */
export async function connectionFromOptions(
  values: SecurityValues & { readonly bootstrap?: string },
  deps: SecurityDeps = processSecurityDeps,
): Promise<CliConnection> {
  let base: ConnectionSecurity = { protocol: 'PLAINTEXT', tls: null, sasl: null };
  let bootstrap = values.bootstrap ?? null;
  let unused: readonly string[] = [];
  if (values.config !== undefined) {
    const file = path.resolve(values.config);
    const loaded = await loadClientProperties(await readText(file, '--config', deps), file, deps);
    if (loaded.security === null)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `--config ${values.config} cannot be used:\n- ${loaded.problems.join('\n- ')}`,
      );
    base = loaded.security;
    bootstrap ??= loaded.bootstrap;
    unused = loaded.unused;
  }

  const rawProtocol = values['security-protocol']?.toUpperCase();
  if (rawProtocol !== undefined && !(SECURITY_PROTOCOLS as readonly string[]).includes(rawProtocol))
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--security-protocol must be one of ${SECURITY_PROTOCOLS.join(', ')}, got "${values['security-protocol']}".`,
    );
  const protocol = (rawProtocol as ConnectionSecurity['protocol'] | undefined) ?? base.protocol;
  const tlsUsed = protocol === 'SSL' || protocol === 'SASL_SSL';
  const saslUsed = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

  let tls: TlsSettings | null = tlsUsed
    ? (base.tls ?? { ca: null, client: null, verifyHostname: true })
    : null;
  if (tls !== null) {
    const ca =
      values['ca-file'] === undefined
        ? tls.ca
        : await readText(values['ca-file'], '--ca-file', deps);
    let client = tls.client;
    if (values['cert-file'] !== undefined || values['key-file'] !== undefined) {
      if (values['cert-file'] === undefined || values['key-file'] === undefined)
        throw new KvsError('INVALID_ARGUMENT', 'Mutual TLS needs both --cert-file and --key-file.');
      const keyPassword = await secret(values, 'key-password-env', null, deps);
      client = {
        kind: 'pem',
        cert: await readText(values['cert-file'], '--cert-file', deps),
        key: await readText(values['key-file'], '--key-file', deps),
        ...(keyPassword !== undefined ? { keyPassword } : {}),
      };
    }
    tls = {
      ca,
      client,
      verifyHostname: values['no-hostname-check'] === true ? false : tls.verifyHostname,
    };
  }

  let sasl: SaslSettings | null = saslUsed ? base.sasl : null;
  const rawMechanism = values['sasl-mechanism']?.toUpperCase();
  if (saslUsed && (rawMechanism !== undefined || sasl === null)) {
    const mechanism = rawMechanism ?? sasl?.mechanism;
    if (mechanism === undefined)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `${protocol} needs --sasl-mechanism (${SASL_MECHANISMS.join(', ')}) and its login.`,
      );
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
      throw new KvsError(
        'INVALID_ARGUMENT',
        `--sasl-mechanism must be one of ${SASL_MECHANISMS.join(', ')}, got "${values['sasl-mechanism']}".`,
      );
    sasl = await saslFromFlags(mechanism as SaslSettings['mechanism'], values, deps);
  } else if (saslUsed && sasl !== null && sasl.mechanism !== 'OAUTHBEARER') {
    // the config's login, with a user or password given on the command line over it
    const password = await secret(values, 'sasl-password-env', 'sasl-password-file', deps);
    sasl = {
      ...sasl,
      ...(values['sasl-username'] !== undefined ? { username: values['sasl-username'] } : {}),
      ...(password !== undefined ? { password } : {}),
    };
  }

  const checked = ConnectionSecurity.safeParse({ protocol, tls, sasl });
  if (!checked.success)
    throw new KvsError(
      'INVALID_ARGUMENT',
      checked.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '),
    );
  return { bootstrap, security: checked.data, unused };
}

async function saslFromFlags(
  mechanism: SaslSettings['mechanism'],
  values: SecurityValues,
  deps: SecurityDeps,
): Promise<SaslSettings> {
  if (mechanism === 'OAUTHBEARER') {
    const token = await secret(values, 'oauth-token-env', 'oauth-token-file', deps);
    if (token !== undefined) return { mechanism, token: { kind: 'fixed', value: token } };
    const tokenEndpoint = values['oauth-token-endpoint'];
    const clientId = values['oauth-client-id'];
    const clientSecret = await secret(
      values,
      'oauth-client-secret-env',
      'oauth-client-secret-file',
      deps,
    );
    if (tokenEndpoint === undefined || clientId === undefined || clientSecret === undefined)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'OAUTHBEARER needs a token (--oauth-token-env or --oauth-token-file), or client credentials (--oauth-token-endpoint, --oauth-client-id and --oauth-client-secret-env or --oauth-client-secret-file).',
      );
    const scope = values['oauth-scope'];
    return {
      mechanism,
      token: {
        kind: 'client-credentials',
        tokenEndpoint,
        clientId,
        clientSecret,
        ...(scope !== undefined ? { scope } : {}),
      },
    };
  }
  const username = values['sasl-username'];
  const password = await secret(values, 'sasl-password-env', 'sasl-password-file', deps);
  if (username === undefined || password === undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `${mechanism} needs --sasl-username and the password from --sasl-password-env or --sasl-password-file (never on the command line).`,
    );
  return { mechanism, username, password };
}

/** `--bootstrap` is required unless a `--config` file may give it (checked where the other options are). */
export function requireBootstrapOrConfig(values: {
  readonly bootstrap?: string;
  readonly config?: string;
}): void {
  if (values.config === undefined) requireOption(values.bootstrap, 'bootstrap', '10.0.0.5:9092');
}

/** The Kafka client a command asked for: its bootstrap and security; unused --config keys said once. */
export async function kafkaFromOptions(
  values: SecurityValues & { readonly bootstrap?: string },
  io: Pick<CliIo, 'err'>,
  deps: SecurityDeps = processSecurityDeps,
): Promise<KafkaHandle> {
  const c = await connectionFromOptions(values, deps);
  const bootstrap = requireOption(c.bootstrap ?? undefined, 'bootstrap', '10.0.0.5:9092');
  if (c.unused.length > 0)
    io.err(`Not used from ${values.config ?? 'the config'}: ${c.unused.join(', ')}\n`);
  return createKafka({ bootstrap, security: c.security });
}
