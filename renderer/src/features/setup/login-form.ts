/** Step 2, the login: password, key or agent, sudo's password, remembering, and what a failed connect means. */
import { SetupLogin, type SavedServer } from '../../../../electron/shared/contract.js';
import { FormCheck, fail } from './form-check.js';
import { ServerTarget } from './server-form.js';

// ---- step 2: login -----------------------------------------------------------------------------

export type AuthKind = 'password' | 'key' | 'agent' | 'saved';

export function authKindOptions(
  saved: SavedServer | undefined,
): { value: AuthKind; label: string }[] {
  const out: { value: AuthKind; label: string }[] = [
    { value: 'password', label: 'Password' },
    { value: 'key', label: 'Private key' },
    { value: 'agent', label: 'SSH agent' },
  ];
  if (saved?.hasPassword === true) out.push({ value: 'saved', label: 'Remembered password' });
  return out;
}

/** The kind in effect: "remembered password" only while that saved server has one. */
export function effectiveAuthKind(kind: AuthKind, saved: SavedServer | undefined): AuthKind {
  return kind === 'saved' && saved?.hasPassword !== true ? 'password' : kind;
}

/** The login method to start with for a server. */
export function defaultAuthKind(saved: SavedServer | undefined): AuthKind {
  return saved?.hasPassword === true ? 'saved' : 'password';
}

export const MAX_KEY_BYTES = 64 * 1024;

/** A problem with a picked private-key file, from its size (before reading it). */
export function keyFileProblem(file: {
  readonly name: string;
  readonly size: number;
}): string | null {
  if (file.size === 0)
    return `${file.name} is empty; choose your private key file (e.g. ~/.ssh/id_ed25519).`;
  if (file.size > MAX_KEY_BYTES)
    return `${file.name} is ${Math.ceil(file.size / 1024)} KiB — a private key is at most 64 KiB (usually a few KiB). Choose the key file itself (e.g. ~/.ssh/id_ed25519).`;
  return null;
}

/** A problem with a private key's text: public keys and files that are not keys at all. */
export function keyTextProblem(name: string, text: string): string | null {
  if (text.length > MAX_KEY_BYTES)
    return `${name} is larger than 64 KiB; that is not a private key.`;
  const t = text.trim();
  if (t === '') return `${name} is empty; choose your private key file.`;
  if (/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/.test(t))
    return `${name} is a public key. Choose the private key — the file with the same name without .pub (e.g. ~/.ssh/id_ed25519).`;
  if (t.startsWith('PuTTY-User-Key-File'))
    return `${name} is a PuTTY key (.ppk). Export it as an OpenSSH key in PuTTYgen (Conversions → Export OpenSSH key) and choose that file.`;
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(t))
    return `${name} does not look like a private key (no "-----BEGIN … PRIVATE KEY-----" line). Choose your OpenSSH or PEM private key file.`;
  return null;
}

export interface LoginForm {
  readonly kind: AuthKind;
  readonly password: string;
  /** The private key's text, read in the page from the file the person picked. */
  readonly key: { readonly name: string; readonly text: string } | null;
  readonly passphrase: string;
  /** sudo uses the login password (password logins only). */
  readonly sudoSame: boolean;
  readonly sudoPassword: string;
  readonly remember: boolean;
}

export const DEFAULT_LOGIN_FORM: LoginForm = {
  kind: 'password',
  password: '',
  key: null,
  passphrase: '',
  sudoSame: true,
  sudoPassword: '',
  remember: false,
};

/** The same form with every secret dropped (after logging in, or when changing server). */
export function withoutSecrets(form: LoginForm): LoginForm {
  return { ...form, password: '', key: null, passphrase: '', sudoPassword: '' };
}

export function isPasswordLogin(kind: AuthKind): boolean {
  return kind === 'password' || kind === 'saved';
}

/** Whether sudo's password is typed separately (otherwise: the login password, or none). */
export function asksSudoPassword(form: LoginForm, kind: AuthKind): boolean {
  return !isPasswordLogin(kind) || !form.sudoSame;
}

export const REMEMBER_NEEDS_DESKTOP =
  'Remembering passwords needs the desktop app (it encrypts them with the system keychain)';

/** Why the "remember" box is disabled (null when it can be ticked). */
export function rememberNote(
  transport: 'electron' | 'browser',
  canRemember: boolean,
  kind: AuthKind,
): string | null {
  if (!canRemember)
    return transport === 'browser'
      ? REMEMBER_NEEDS_DESKTOP
      : "This computer has no system keychain to encrypt passwords with, so they can't be remembered.";
  if (kind === 'saved') return 'The password for this server is already remembered.';
  if (kind !== 'password')
    return 'Only passwords are remembered; keys and the agent need nothing stored.';
  return null;
}

export type LoginField = 'kind' | 'password' | 'key' | 'passphrase' | 'sudoPassword';

const MAX_SECRET = 1024;

export function buildLogin(
  server: ServerTarget,
  form: LoginForm,
  opts: {
    readonly saved: SavedServer | undefined;
    readonly canRemember: boolean;
    readonly trustHostKey?: string | undefined;
  },
): FormCheck<SetupLogin, LoginField> {
  const kind = effectiveAuthKind(form.kind, opts.saved);
  let auth: SetupLogin['auth'];
  switch (kind) {
    case 'password':
      if (form.password === '') return fail('password', 'Type the password for this user.');
      if (form.password.length > MAX_SECRET)
        return fail('password', 'The password is too long (over 1024 characters).');
      auth = { kind: 'password', password: form.password };
      break;
    case 'key': {
      if (form.key === null)
        return fail('key', 'Choose your private key file (e.g. ~/.ssh/id_ed25519).');
      const problem = keyTextProblem(form.key.name, form.key.text);
      if (problem !== null) return fail('key', problem);
      if (form.passphrase.length > MAX_SECRET)
        return fail('passphrase', 'The passphrase is too long (over 1024 characters).');
      auth =
        form.passphrase === ''
          ? { kind: 'key', privateKey: form.key.text }
          : { kind: 'key', privateKey: form.key.text, passphrase: form.passphrase };
      break;
    }
    case 'agent':
      auth = { kind: 'agent' };
      break;
    case 'saved':
      auth = { kind: 'saved' };
      break;
  }
  let sudoPassword: string | undefined;
  if (asksSudoPassword(form, kind)) {
    if (form.sudoPassword === '' && isPasswordLogin(kind))
      return fail('sudoPassword', "Type sudo's password, or tick “sudo uses the login password”.");
    if (form.sudoPassword.length > MAX_SECRET)
      return fail('sudoPassword', "sudo's password is too long (over 1024 characters).");
    if (form.sudoPassword !== '') sudoPassword = form.sudoPassword;
  }
  const login: SetupLogin = {
    host: server.host,
    port: server.port,
    user: server.user,
    auth,
    remember: kind === 'password' && opts.canRemember && form.remember,
    ...(sudoPassword === undefined ? {} : { sudoPassword }),
    ...(opts.trustHostKey === undefined ? {} : { trustHostKey: opts.trustHostKey }),
  };
  const parsed = SetupLogin.safeParse(login);
  if (!parsed.success)
    return fail('kind', 'These login details cannot be sent as they are; check every field.');
  return { ok: true, value: login };
}

/** The command that prints the server's own key fingerprint, for the key type shown. */
export function hostKeyCheckCommand(keyType: string): string {
  const t = keyType.toLowerCase();
  const file = t.includes('ed25519')
    ? 'ed25519'
    : t.includes('ecdsa')
      ? 'ecdsa'
      : t.includes('rsa')
        ? 'rsa'
        : t.includes('dss') || t.includes('dsa')
          ? 'dsa'
          : 'ed25519';
  return `ssh-keygen -lf /etc/ssh/ssh_host_${file}_key.pub`;
}

/** More to say about some login failures (by error code), beyond the service's message. */
export function connectErrorHint(code: string | null): string | null {
  switch (code) {
    case 'SSH_HOST_KEY_CHANGED':
      return 'The server shows a different key than the one pinned when you first logged in. If the server was reinstalled that is expected; otherwise someone may be in between. Do not go on until you have checked the key on the server.';
    case 'SSH_AUTH_FAILED':
      return 'Check the user name and the password or key. Many servers refuse password logins for root.';
    case 'SUDO_AUTH_FAILED':
      return "sudo did not accept the password. If it differs from the login password, untick “sudo uses the login password” and type sudo's password.";
    case 'SUDO_NOT_ALLOWED':
      return 'This user may not use sudo. Log in as a user in the sudo group (or ask the server’s administrator to add yours).';
    case 'SSH_UNREACHABLE':
    case 'SSH_TIMEOUT':
      return 'Check the address and the SSH port, and that this computer can reach the server (VPN, firewall).';
    default:
      return null;
  }
}
