/**
 * The connection-profile form's state and rules, pure: a flat record of strings the inputs edit,
 * made from a saved profile or an imported client.properties, and turned into a `profiles:save`
 * request — or into the list of what to fix, field by field. The service checks again (the
 * contract's schemas); this is for saying it while typing.
 *
 * Secrets: a saved profile's remembered secrets never come back to the page, so on an edit an empty
 * secret field means "keep the remembered one" (the service merges), and the form says so.
 */
import { parseBootstrap } from '../../../../electron/shared/bootstrap.js';
import type { ProfileImportResult, ProfileSave } from '../../../../electron/shared/contract.js';
import type {
  ProfileSecrets,
  ProfileView,
  PublicSecurity,
} from '../../../../electron/shared/connection-profile.js';
import type {
  SaslMechanism,
  SecurityProtocol,
} from '../../../../electron/shared/connection-security.js';

export interface ProfileForm {
  readonly id: string | null;
  readonly name: string;
  readonly bootstrap: string;
  readonly protocol: SecurityProtocol;
  /** TLS */
  readonly caMode: 'system' | 'pem';
  readonly caPem: string;
  readonly clientMode: 'none' | 'pem' | 'pkcs12';
  readonly clientCert: string;
  readonly clientKey: string;
  readonly clientKeyPassword: string;
  readonly pkcs12Base64: string;
  readonly pkcs12Password: string;
  readonly verifyHostname: boolean;
  /** SASL */
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
  readonly oauthKind: 'fixed' | 'client-credentials';
  readonly oauthToken: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  /** Remember the secrets (only where the service can: the OS keychain). */
  readonly remember: boolean;
  /** The profile being edited has secrets remembered (empty secret fields keep them). */
  readonly remembered: boolean;
}

export type ProfileField = keyof ProfileForm;

export const EMPTY_FORM: ProfileForm = {
  id: null,
  name: '',
  bootstrap: '',
  protocol: 'SASL_SSL',
  caMode: 'system',
  caPem: '',
  clientMode: 'none',
  clientCert: '',
  clientKey: '',
  clientKeyPassword: '',
  pkcs12Base64: '',
  pkcs12Password: '',
  verifyHostname: true,
  mechanism: 'SCRAM-SHA-512',
  username: '',
  password: '',
  oauthKind: 'fixed',
  oauthToken: '',
  tokenEndpoint: '',
  clientId: '',
  clientSecret: '',
  scope: '',
  remember: false,
  remembered: false,
};

export function usesTls(p: SecurityProtocol): boolean {
  return p === 'SSL' || p === 'SASL_SSL';
}
export function usesSasl(p: SecurityProtocol): boolean {
  return p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';
}

/** The form for public settings (+ secrets, from an import). */
function fromSettings(
  base: ProfileForm,
  s: PublicSecurity,
  secrets: ProfileSecrets = {},
): ProfileForm {
  const tls = s.tls;
  const sasl = s.sasl;
  return {
    ...base,
    protocol: s.protocol,
    caMode: tls?.ca ? 'pem' : 'system',
    caPem: tls?.ca ?? '',
    clientMode: tls?.client?.kind ?? 'none',
    clientCert: tls?.client?.kind === 'pem' ? tls.client.cert : '',
    clientKey: secrets.clientKey ?? '',
    clientKeyPassword: secrets.clientKeyPassword ?? '',
    pkcs12Base64: secrets.pkcs12Base64 ?? '',
    pkcs12Password: secrets.pkcs12Password ?? '',
    verifyHostname: tls?.verifyHostname ?? true,
    mechanism: sasl?.mechanism ?? base.mechanism,
    username: sasl !== null && sasl.mechanism !== 'OAUTHBEARER' ? sasl.username : '',
    password: secrets.saslPassword ?? '',
    oauthKind: sasl?.mechanism === 'OAUTHBEARER' ? sasl.token.kind : 'fixed',
    oauthToken: secrets.oauthToken ?? '',
    tokenEndpoint:
      sasl?.mechanism === 'OAUTHBEARER' && sasl.token.kind === 'client-credentials'
        ? sasl.token.tokenEndpoint
        : '',
    clientId:
      sasl?.mechanism === 'OAUTHBEARER' && sasl.token.kind === 'client-credentials'
        ? sasl.token.clientId
        : '',
    clientSecret: secrets.oauthClientSecret ?? '',
    scope:
      sasl?.mechanism === 'OAUTHBEARER' && sasl.token.kind === 'client-credentials'
        ? (sasl.token.scope ?? '')
        : '',
  };
}

export function formFromProfile(p: ProfileView, canRemember: boolean): ProfileForm {
  return {
    ...fromSettings({ ...EMPTY_FORM, id: p.id, name: p.name, bootstrap: p.bootstrap }, p.security),
    remember: canRemember && p.secretsRemembered,
    remembered: p.secretsRemembered,
  };
}

export function formFromImport(
  r: ProfileImportResult,
  fileName: string,
  current: ProfileForm,
): ProfileForm {
  const name = current.name.trim() !== '' ? current.name : fileName.replace(/\.properties$/i, '');
  return fromSettings(
    { ...current, name, bootstrap: r.bootstrap ?? current.bootstrap },
    r.security,
    r.secrets,
  );
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

export type FormErrors = Partial<Record<ProfileField, string>>;

export type BuildResult =
  | { readonly ok: true; readonly save: ProfileSave; readonly secrets: ProfileSecrets }
  | { readonly ok: false; readonly errors: FormErrors };

/**
 * The save request, or what to fix. A secret left empty is not sent: for a new profile (or one
 * not remembered) it is asked for at connect; on an edit of a remembered one, the old one stays.
 */
export function buildSave(f: ProfileForm): BuildResult {
  const errors: FormErrors = {};
  if (f.name.trim() === '') errors.name = 'Give the profile a name.';
  const parsed = parseBootstrap(f.bootstrap);
  if (!parsed.ok) errors.bootstrap = parsed.error;

  const secrets: ProfileSecrets = {};
  const put = (k: keyof ProfileSecrets, v: string) => {
    if (v !== '') (secrets as Record<string, string>)[k] = v;
  };

  let tls: PublicSecurity['tls'] = null;
  if (usesTls(f.protocol)) {
    if (f.caMode === 'pem' && !PEM.test(f.caPem))
      errors.caPem =
        'Paste the CA certificate in PEM ("-----BEGIN CERTIFICATE-----"), or choose its file.';
    let client: NonNullable<PublicSecurity['tls']>['client'] = null;
    if (f.clientMode === 'pem') {
      if (!PEM.test(f.clientCert)) errors.clientCert = 'Choose the client certificate (PEM).';
      if (f.clientKey !== '' && !PEM.test(f.clientKey))
        errors.clientKey = 'The private key must be PEM ("-----BEGIN PRIVATE KEY-----").';
      client = { kind: 'pem', cert: f.clientCert };
      put('clientKey', f.clientKey);
      put('clientKeyPassword', f.clientKeyPassword);
    } else if (f.clientMode === 'pkcs12') {
      client = { kind: 'pkcs12' };
      put('pkcs12Base64', f.pkcs12Base64);
      put('pkcs12Password', f.pkcs12Password);
    }
    tls = { ca: f.caMode === 'pem' ? f.caPem : null, client, verifyHostname: f.verifyHostname };
  }

  let sasl: PublicSecurity['sasl'] = null;
  if (usesSasl(f.protocol)) {
    if (f.mechanism === 'OAUTHBEARER') {
      if (f.oauthKind === 'fixed') {
        sasl = { mechanism: 'OAUTHBEARER', token: { kind: 'fixed' } };
        put('oauthToken', f.oauthToken.trim());
      } else {
        if (!/^https?:\/\/\S+$/.test(f.tokenEndpoint.trim()))
          errors.tokenEndpoint = 'The token endpoint is an http(s) URL.';
        if (f.clientId.trim() === '') errors.clientId = 'Type the client id.';
        sasl = {
          mechanism: 'OAUTHBEARER',
          token: {
            kind: 'client-credentials',
            tokenEndpoint: f.tokenEndpoint.trim(),
            clientId: f.clientId.trim(),
            ...(f.scope.trim() !== '' ? { scope: f.scope.trim() } : {}),
          },
        };
        put('oauthClientSecret', f.clientSecret);
      }
    } else {
      if (f.username.trim() === '') errors.username = 'Type the user name.';
      sasl = { mechanism: f.mechanism, username: f.username.trim() };
      put('saslPassword', f.password);
    }
  }

  if (Object.keys(errors).length > 0 || !parsed.ok) return { ok: false, errors };
  return {
    ok: true,
    save: {
      id: f.id,
      name: f.name.trim(),
      bootstrap: parsed.normalized,
      security: { protocol: f.protocol, tls, sasl },
      secrets,
      remember: f.remember,
    },
    secrets,
  };
}

/** One line about a profile's security, for the list. */
export function describeSecurity(s: PublicSecurity): string {
  const parts: string[] = [s.protocol];
  if (s.sasl !== null)
    parts.push(
      s.sasl.mechanism === 'OAUTHBEARER'
        ? `OAUTHBEARER (${s.sasl.token.kind === 'fixed' ? 'token' : s.sasl.token.clientId})`
        : `${s.sasl.mechanism} as ${s.sasl.username}`,
    );
  if (s.tls !== null) {
    parts.push(s.tls.ca === null ? 'system CAs' : 'own CA');
    if (s.tls.client !== null) parts.push('client certificate');
    if (!s.tls.verifyHostname) parts.push('hostname NOT checked');
  }
  return parts.join(' · ');
}
