/**
 * Importing a Java client's `client.properties` (issue 15): the settings every Kafka user already
 * has, turned into a bootstrap list and our ConnectionSecurity — or a list of exactly what is
 * missing or cannot be used, with the fix.
 *
 * - The file format (comments, `=`/`:`/space separators, `\` line continuations, escapes) is
 *   parsed by `dot-properties`, a small maintained parser of exactly Java's .properties rules —
 *   not worth writing again. The JAAS line (`sasl.jaas.config`) is read here: a login module, a
 *   flag, `key="value"` options, a `;`.
 * - Understood: bootstrap.servers, security.protocol, sasl.mechanism, sasl.jaas.config (PLAIN and
 *   SCRAM username/password; OAUTHBEARER clientId/clientSecret/scope with
 *   sasl.oauthbearer.token.endpoint.url), ssl.truststore.* / ssl.keystore.* (PEM files, inline
 *   PEM, or PKCS12 — a truststore's certificates read by pkcs12-truststore.ts), ssl.key.password,
 *   ssl.endpoint.identification.algorithm.
 * - Refused with the fix: a JKS store (the exact `keytool` command that converts it), GSSAPI.
 * - Every other key is listed as not used — never silently dropped.
 *
 * `parseClientProperties` is pure (it names the files to read); `loadClientProperties` reads them.
 */
import { parse as parseProperties } from 'dot-properties';
import path from 'node:path';
import {
  ConnectionSecurity,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  type SaslMechanism,
  type SecurityProtocol,
} from '../../shared/connection-security.js';
import { pkcs12TruststorePem } from './pkcs12-truststore.js';

/** Keys this importer reads. */
const KNOWN = new Set([
  'bootstrap.servers',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.oauthbearer.token.endpoint.url',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.password',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
]);

/** Keys that are fine to ignore (they change nothing about where and how to connect). */
const HARMLESS = new Set(['client.id', 'sasl.login.callback.handler.class']);

export type StoreType = 'PEM' | 'PKCS12' | 'JKS';

export interface StoreFile {
  readonly role: 'truststore' | 'keystore';
  readonly path: string;
  readonly type: StoreType;
}

export interface ParsedClientProperties {
  readonly bootstrap: string | null;
  readonly protocol: SecurityProtocol;
  readonly mechanism: SaslMechanism | null;
  readonly login:
    | { readonly kind: 'password'; readonly username: string; readonly password: string }
    | {
        readonly kind: 'client-credentials';
        readonly tokenEndpoint: string;
        readonly clientId: string;
        readonly clientSecret: string;
        readonly scope?: string;
      }
    | null;
  readonly verifyHostname: boolean;
  /** Inline PEM (ssl.truststore.certificates / ssl.keystore.certificate.chain + ssl.keystore.key). */
  readonly inline: {
    readonly ca: string | null;
    readonly cert: string | null;
    readonly key: string | null;
  };
  readonly files: readonly StoreFile[];
  readonly passwords: {
    readonly truststore: string | null;
    readonly keystore: string | null;
    readonly key: string | null;
  };
  /** Keys present and not used by Kafka Video Studio. */
  readonly unused: readonly string[];
  /** What stops the import, each with its fix. */
  readonly problems: readonly string[];
}

/** The JAAS options of `sasl.jaas.config`: the login module's class and its key="value" pairs. */
export function parseJaas(
  text: string,
): { module: string; options: Record<string, string> } | null {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*?);?\s*$/.exec(text);
  if (!m) return null;
  const options: Record<string, string> = {};
  // values in double or single quotes (Kafka's JaasConfig takes both; Confluent's files use '…')
  const re = /([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s;"']+))/g;
  for (const o of (m[3] ?? '').matchAll(re)) {
    const key = o[1];
    if (key === undefined) continue;
    const quoted = o[2] ?? o[3];
    options[key] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (o[4] ?? '');
  }
  return { module: m[1] ?? '', options };
}

function storeType(declared: string | undefined, location: string): StoreType | string {
  if (declared !== undefined && declared.trim() !== '') return declared.trim().toUpperCase();
  const ext = path.extname(location).toLowerCase();
  if (ext === '.p12' || ext === '.pfx') return 'PKCS12';
  if (ext === '.pem' || ext === '.crt' || ext === '.cer') return 'PEM';
  // the Java client's default type
  return 'JKS';
}

/** The command that turns a JKS store into a PKCS12 one (keytool comes with every JDK). */
export function keytoolCommand(location: string): string {
  const dest = location.replace(/\.jks$/i, '') + '.p12';
  return `keytool -importkeystore -srckeystore ${location} -srcstoretype JKS -destkeystore ${dest} -deststoretype PKCS12`;
}

export function parseClientProperties(text: string): ParsedClientProperties {
  const props = parseProperties(text) as Record<string, string>;
  const get = (k: string): string | undefined => {
    const v = props[k];
    return v === undefined ? undefined : v.trim();
  };
  const problems: string[] = [];
  const unused = Object.keys(props)
    .filter((k) => !KNOWN.has(k) && !HARMLESS.has(k))
    .sort();

  const rawProtocol = (get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  const protocol = (SECURITY_PROTOCOLS as readonly string[]).includes(rawProtocol)
    ? (rawProtocol as SecurityProtocol)
    : 'PLAINTEXT';
  if (protocol !== rawProtocol)
    problems.push(
      `security.protocol=${rawProtocol} is not one of ${SECURITY_PROTOCOLS.join(', ')}.`,
    );
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';

  let mechanism: SaslMechanism | null = null;
  let login: ParsedClientProperties['login'] = null;
  if (sasl) {
    // the Java client's default mechanism is GSSAPI (Kerberos)
    const raw = (get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
    if ((SASL_MECHANISMS as readonly string[]).includes(raw)) mechanism = raw as SaslMechanism;
    else
      problems.push(
        raw === 'GSSAPI'
          ? 'sasl.mechanism is GSSAPI (Kerberos; also the default when the key is missing), which Kafka Video Studio does not support. Use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.'
          : `sasl.mechanism=${raw} is not supported: use ${SASL_MECHANISMS.join(', ')}.`,
      );
    const jaasText = get('sasl.jaas.config');
    const jaas = jaasText === undefined ? null : parseJaas(jaasText);
    if (jaasText !== undefined && jaas === null)
      problems.push(
        'sasl.jaas.config could not be read: expected `<LoginModule> required key="value" …;`.',
      );
    if (mechanism === 'OAUTHBEARER') {
      const tokenEndpoint = get('sasl.oauthbearer.token.endpoint.url');
      const o = jaas?.options ?? {};
      if (tokenEndpoint !== undefined && o.clientId !== undefined && o.clientSecret !== undefined)
        login = {
          kind: 'client-credentials',
          tokenEndpoint,
          clientId: o.clientId,
          clientSecret: o.clientSecret,
          ...(o.scope !== undefined ? { scope: o.scope } : {}),
        };
      else
        problems.push(
          'OAUTHBEARER needs sasl.oauthbearer.token.endpoint.url and clientId / clientSecret in sasl.jaas.config (or paste a token in the app).',
        );
    } else if (mechanism !== null) {
      const o = jaas?.options ?? {};
      if (o.username !== undefined && o.password !== undefined)
        login = { kind: 'password', username: o.username, password: o.password };
      else problems.push(`${mechanism} needs username="…" and password="…" in sasl.jaas.config.`);
    }
  }

  const files: StoreFile[] = [];
  const inline = {
    ca: get('ssl.truststore.certificates') ?? null,
    cert: get('ssl.keystore.certificate.chain') ?? null,
    key: get('ssl.keystore.key') ?? null,
  };
  if (tls) {
    for (const role of ['truststore', 'keystore'] as const) {
      const location = get(`ssl.${role}.location`);
      if (location === undefined || location === '') continue;
      const type = storeType(get(`ssl.${role}.type`), location);
      if (type === 'JKS')
        problems.push(
          `ssl.${role}.location is a JKS store (${location}), which only Java reads. Convert it to PKCS12 with:\n  ${keytoolCommand(location)}\nthen set ssl.${role}.type=PKCS12 and ssl.${role}.location to the .p12 file.`,
        );
      else if (type !== 'PEM' && type !== 'PKCS12')
        problems.push(`ssl.${role}.type=${type} is not supported: use PEM or PKCS12.`);
      else files.push({ role, path: location, type });
    }
  }
  const endpointCheck = get('ssl.endpoint.identification.algorithm');
  return {
    bootstrap: get('bootstrap.servers') ?? null,
    protocol,
    mechanism,
    login,
    // the Java client checks hostnames ("https") unless the key is set to empty
    verifyHostname: endpointCheck === undefined || endpointCheck !== '',
    inline,
    files,
    passwords: {
      truststore: get('ssl.truststore.password') ?? null,
      keystore: get('ssl.keystore.password') ?? null,
      key: get('ssl.key.password') ?? null,
    },
    unused,
    problems,
  };
}

export interface LoadedClientProperties {
  readonly bootstrap: string | null;
  /** Null when there are problems. */
  readonly security: ConnectionSecurity | null;
  readonly unused: readonly string[];
  readonly problems: readonly string[];
}

export interface LoadDeps {
  /** Read a file named in the properties (relative paths from the properties file's folder). */
  readonly readFile: (file: string) => Promise<Buffer>;
}

/** Parse the file's text and read the stores it names; the result is checked by the schema. */
export async function loadClientProperties(
  text: string,
  propertiesPath: string,
  deps: LoadDeps,
): Promise<LoadedClientProperties> {
  const p = parseClientProperties(text);
  const problems = [...p.problems];
  let ca = p.inline.ca;
  let client: NonNullable<ConnectionSecurity['tls']>['client'] = null;
  if (p.inline.cert !== null && p.inline.key !== null)
    client = {
      kind: 'pem',
      cert: p.inline.cert,
      key: p.inline.key,
      ...(p.passwords.key !== null ? { keyPassword: p.passwords.key } : {}),
    };
  for (const f of p.files) {
    const file = path.resolve(path.dirname(propertiesPath), f.path);
    let bytes: Buffer;
    try {
      bytes = await deps.readFile(file);
    } catch (e) {
      problems.push(
        `ssl.${f.role}.location ${file} cannot be read: ${e instanceof Error ? e.message : String(e)}`,
      );
      continue;
    }
    if (f.role === 'truststore') {
      if (f.type === 'PEM') ca = bytes.toString('utf8');
      else
        try {
          ca = pkcs12TruststorePem(
            bytes,
            p.passwords.truststore ?? '',
            `ssl.truststore.location ${file}`,
          );
        } catch (e) {
          problems.push(e instanceof Error ? e.message : String(e));
        }
    } else if (f.type === 'PKCS12')
      client = {
        kind: 'pkcs12',
        pkcs12Base64: bytes.toString('base64'),
        password: p.passwords.keystore ?? '',
      };
    else {
      // a PEM keystore file holds the key and the certificate chain
      const pem = bytes.toString('utf8');
      const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(
        pem,
      )?.[0];
      const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
      if (key === undefined || certs === null)
        problems.push(`The PEM keystore ${file} needs a private key and a certificate.`);
      else
        client = {
          kind: 'pem',
          cert: certs.join('\n'),
          key,
          ...(p.passwords.key !== null ? { keyPassword: p.passwords.key } : {}),
        };
    }
  }
  const tls =
    p.protocol === 'SSL' || p.protocol === 'SASL_SSL'
      ? { ca, client, verifyHostname: p.verifyHostname }
      : null;
  const sasl =
    p.mechanism === null || p.login === null
      ? null
      : p.login.kind === 'password'
        ? p.mechanism === 'OAUTHBEARER'
          ? null
          : { mechanism: p.mechanism, username: p.login.username, password: p.login.password }
        : {
            mechanism: 'OAUTHBEARER' as const,
            token: {
              kind: 'client-credentials' as const,
              tokenEndpoint: p.login.tokenEndpoint,
              clientId: p.login.clientId,
              clientSecret: p.login.clientSecret,
              ...(p.login.scope !== undefined ? { scope: p.login.scope } : {}),
            },
          };
  if (problems.length > 0)
    return { bootstrap: p.bootstrap, security: null, unused: p.unused, problems };
  const checked = ConnectionSecurity.safeParse({ protocol: p.protocol, tls, sasl });
  if (!checked.success)
    return {
      bootstrap: p.bootstrap,
      security: null,
      unused: p.unused,
      problems: checked.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`),
    };
  return { bootstrap: p.bootstrap, security: checked.data, unused: p.unused, problems: [] };
}
