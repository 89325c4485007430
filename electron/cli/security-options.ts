/**
 * The options every `kvs` command that talks to Kafka takes for a secured cluster (issue 15):
 * `--config client.properties` (the Java client's file), or flags for the same settings. Secrets
 * never come from argv alone: a password, key password, token or client secret is read from an
 * environment variable (`--…-env NAME`) or a file (`--…-file PATH`), so it does not show in `ps`,
 * shell history or CI logs. Flags given with `--config` override its values.
 *
 * `--profile NAME` starts from a connection profile saved in the app (its bootstrap and its public
 * settings, from the per-user folder); the CLI has no keychain, so the profile's secrets come from
 * the same --…-env / --…-file flags (and `--key-file` for a client certificate's key).
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
import {
  joinSecurity,
  SECRET_LABELS,
  type ProfileSecrets,
  type ProfileView,
  type SecretName,
} from '../shared/connection-profile.js';
import { KvsError } from '../shared/errors.js';
import { ConnectionProfiles, PROFILES_FILE } from '../services/connection-profiles.js';
import { userDataDir } from '../services/user-data-dir.js';
import { loadClientProperties } from '../core/kafka/client-properties.js';
import { createKafka, type KafkaHandle } from '../core/kafka/client.js';
import { requireOption } from './args.js';
import type { CliIo } from './cli-io.js';

export const SECURITY_OPTIONS = {
  profile: {
    type: 'string',
    value: '<name>',
    help: 'a connection profile saved in the app (its secrets from the flags below)',
  },
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
  'Secured clusters: --profile NAME, --config client.properties, or the flags above. Secrets',
  '(passwords, tokens, client secrets, key passwords) come only from an environment variable',
  '(--…-env) or a file (--…-file), never from the command line itself.',
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
  /** The saved profiles (default: the per-user folder's, read without a keychain). */
  readonly profiles?: () => Promise<readonly ProfileView[]>;
}

export const processSecurityDeps: SecurityDeps = {
  env: process.env,
  readFile: (f) => readFile(f),
  profiles: () =>
    new ConnectionProfiles(
      path.join(userDataDir({ env: process.env }), PROFILES_FILE),
      null,
    ).list(),
};

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
  if (values.profile !== undefined) {
    if (values.config !== undefined)
      throw new KvsError('INVALID_ARGUMENT', 'Give --profile or --config, not both.');
    const fromProfile = await profileConnection(values.profile, values, deps);
    base = fromProfile.security;
    bootstrap ??= fromProfile.bootstrap;
  } else if (values.config !== undefined) {
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
    // (with --profile, --key-file alone is the key of the profile's certificate)
    const keyForProfile = values.profile !== undefined && values['cert-file'] === undefined;
    if (values['cert-file'] !== undefined || (values['key-file'] !== undefined && !keyForProfile)) {
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

/** Which flags give each secret a profile may need. */
const SECRET_FLAGS: Record<SecretName, string> = {
  saslPassword: '--sasl-password-env or --sasl-password-file',
  oauthToken: '--oauth-token-env or --oauth-token-file',
  oauthClientSecret: '--oauth-client-secret-env or --oauth-client-secret-file',
  clientKey: '--key-file',
  clientKeyPassword: '--key-password-env',
  pkcs12Base64: 'a PKCS#12 file (not supported with --profile: use --cert-file and --key-file)',
  pkcs12Password: 'the PKCS#12 password',
};

/** A saved profile (by name, or id) with its secrets from the flags. */
async function profileConnection(
  name: string,
  values: SecurityValues,
  deps: SecurityDeps,
): Promise<{ bootstrap: string; security: ConnectionSecurity }> {
  const all = (await deps.profiles?.()) ?? [];
  const p = all.find((x) => x.name === name) ?? all.find((x) => x.id === name);
  if (p === undefined)
    throw new KvsError(
      'PROFILE_NOT_FOUND',
      `No connection profile "${name}". ${
        all.length === 0
          ? 'None is saved yet (save one in the app’s broker panel).'
          : `Saved: ${all.map((x) => `"${x.name}"`).join(', ')}.`
      }`,
    );
  const secrets: ProfileSecrets = {};
  const saslPassword = await secret(values, 'sasl-password-env', 'sasl-password-file', deps);
  if (saslPassword !== undefined) secrets.saslPassword = saslPassword;
  const token = await secret(values, 'oauth-token-env', 'oauth-token-file', deps);
  if (token !== undefined) secrets.oauthToken = token;
  const clientSecret = await secret(
    values,
    'oauth-client-secret-env',
    'oauth-client-secret-file',
    deps,
  );
  if (clientSecret !== undefined) secrets.oauthClientSecret = clientSecret;
  if (values['key-file'] !== undefined)
    secrets.clientKey = await readText(values['key-file'], '--key-file', deps);
  const keyPassword = await secret(values, 'key-password-env', null, deps);
  if (keyPassword !== undefined) secrets.clientKeyPassword = keyPassword;
  const joined = joinSecurity(p.security, secrets);
  if (!joined.ok)
    throw new KvsError(
      joined.missing.length > 0 ? 'PROFILE_SECRETS_NEEDED' : 'INVALID_ARGUMENT',
      joined.missing.length > 0
        ? `--profile "${p.name}" needs ${joined.missing
            .map((k) => `${SECRET_LABELS[k]} (${SECRET_FLAGS[k]})`)
            .join(' and ')}: the CLI does not read secrets the app remembered.`
        : `--profile "${p.name}": ${joined.message}`,
    );
  return { bootstrap: p.bootstrap, security: joined.security };
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

/** `--bootstrap` is required unless a `--config` file or a `--profile` may give it (checked where the other options are). */
export function requireBootstrapOrConfig(values: {
  readonly bootstrap?: string;
  readonly config?: string;
  readonly profile?: string;
}): void {
  if (values.config === undefined && values.profile === undefined)
    requireOption(values.bootstrap, 'bootstrap', '10.0.0.5:9092');
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
