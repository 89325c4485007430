/**
 * The setup wizard's rules, apart from React: the steps, the forms' defaults and checks
 * (the same validators the host uses for what reaches the server), what the server facts
 * warn about, and how install events become a progress view. Pure.
 */
import {
  SETUP_DEFAULTS,
  SetupLogin,
  SetupPlanRequest,
  type SavedServer,
  type ServiceState,
  type SetupEndedEvent,
  type SetupLogEvent,
  type SetupPlanView,
  type SetupServerFacts,
  type SetupStepEvent,
  type SetupStepStatus,
  type VideoRef,
} from '../../../../electron/shared/contract.js';
import {
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
  validateMirrorUrl,
} from '../../../../electron/shared/setup-validate.js';

// ---- steps -------------------------------------------------------------------------------------

export const WIZARD_STEPS = [
  { name: 'server', label: 'Server' },
  { name: 'login', label: 'Login' },
  { name: 'mode', label: 'Mode & version' },
  { name: 'review', label: 'Review plan' },
  { name: 'install', label: 'Install' },
  { name: 'done', label: 'Done' },
] as const;

export type WizardStep = (typeof WIZARD_STEPS)[number]['name'];

export function stepIndex(step: WizardStep): number {
  return WIZARD_STEPS.findIndex((s) => s.name === step);
}

// ---- small helpers -----------------------------------------------------------------------------

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a validator from the host's core says about a value: null when it passes. */
function problemOf(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (err) {
    return messageOf(err);
  }
}

/** A dotted-quad IPv4 address (0–255 per part, no leading zeros), e.g. 192.168.1.20. */
export function isDottedIPv4(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  return (
    m !== null && m.slice(1).every((p) => Number(p) <= 255 && (p === '0' || !p.startsWith('0')))
  );
}

export function isLoopbackIPv4(text: string): boolean {
  return isDottedIPv4(text) && text.startsWith('127.');
}

/** The address to advertise to start with: the SSH host when it is an IPv4 clients could use. */
export function defaultAdvertise(host: string): string {
  const h = host.trim();
  return problemOf(() => validateIPv4(h)) === null ? h : '';
}

/** 1 KiB units (df -k) → "12.3 GiB" / "512 MiB". */
export function formatKib(kib: number | null): string {
  if (kib === null || !Number.isFinite(kib) || kib < 0) return 'unknown';
  if (kib >= 1024 * 1024) return `${(kib / (1024 * 1024)).toFixed(1)} GiB`;
  if (kib >= 1024) return `${Math.floor(kib / 1024)} MiB`;
  return `${Math.floor(kib)} KiB`;
}

export type FormCheck<T, F extends string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly field: F; readonly error: string };

function fail<F extends string>(field: F, error: string): { ok: false; field: F; error: string } {
  return { ok: false, field, error };
}

// ---- step 1: server ----------------------------------------------------------------------------

export interface ServerForm {
  readonly host: string;
  readonly port: string;
  readonly user: string;
}

export const DEFAULT_SERVER_FORM: ServerForm = {
  host: '',
  port: String(SETUP_DEFAULTS.sshPort),
  user: '',
};

export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export type ServerField = 'host' | 'port' | 'user';

export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export function checkServer(form: ServerForm): FormCheck<ServerTarget, ServerField> {
  const host = form.host.trim();
  if (host === '')
    return fail('host', "Type the server's address: its IPv4 address (e.g. 192.168.1.20) or name.");
  if (host.length > 253 || /[\s/@]/.test(host) || host.includes('://'))
    return fail(
      'host',
      'The server address is just the IP address or host name — no spaces, user@ or ssh:// in front.',
    );
  const port = parsePort(form.port);
  if (port === null)
    return fail(
      'port',
      `The SSH port is a number from 1 to 65535 (usually ${SETUP_DEFAULTS.sshPort}).`,
    );
  const user = form.user.trim();
  if (user === '') return fail('user', 'Type the user name you log in to the server with.');
  if (user.length > 64 || /[\s@:]/.test(user))
    return fail('user', 'The user name has no spaces, @ or : (for example ubuntu).');
  return { ok: true, value: { host, port, user } };
}

export function sameServer(a: ServerTarget, b: ServerTarget): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.user === b.user;
}

export function findSaved(
  servers: readonly SavedServer[],
  target: ServerTarget | null,
): SavedServer | undefined {
  return target === null ? undefined : servers.find((s) => sameServer(s, target));
}

export function serverLabel(s: ServerTarget): string {
  return s.port === SETUP_DEFAULTS.sshPort
    ? `${s.user}@${s.host}`
    : `${s.user}@${s.host}:${s.port}`;
}

/** A login on the server (what setup:connect answered). */
export interface SetupSession {
  readonly sessionId: string;
  readonly target: ServerTarget;
  readonly hostKey: { readonly keyType: string; readonly fingerprint: string };
  readonly facts: SetupServerFacts;
  /** The install folder the facts (Kafka version) are about. */
  readonly factsDir: string;
  readonly remembered: boolean;
}

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

/** More to say about some login failures (by error code), beyond the host's message. */
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

// ---- facts -------------------------------------------------------------------------------------

export interface FactRow {
  readonly label: string;
  readonly value: string;
  readonly tone: 'ok' | 'warn' | 'plain';
}

const WATCHED_PORTS: readonly { port: number; what: string }[] = [
  { port: SETUP_DEFAULTS.kafkaPort, what: 'Kafka' },
  { port: 9093, what: 'the KRaft controller' },
  { port: 2181, what: 'ZooKeeper' },
];

export const MIN_FREE_KIB = 1024 * 1024;

export function factRows(facts: SetupServerFacts, installDir: string): FactRow[] {
  const os = facts.os.prettyName ?? [facts.os.id, facts.os.versionId].filter(Boolean).join(' ');
  const rows: FactRow[] = [
    {
      label: 'System',
      value: facts.os.supported
        ? `${os || 'Linux'} — supported`
        : `${os || 'Unknown system'} — not supported: ${facts.os.reason ?? 'unknown reason'}`,
      tone: facts.os.supported ? 'ok' : 'warn',
    },
    {
      label: 'CPU',
      value: facts.arch ?? 'unknown (Kafka is installed on x86_64 or aarch64 only)',
      tone: facts.arch === null ? 'warn' : 'plain',
    },
    {
      label: 'systemd',
      value: facts.systemd === null ? 'unknown' : facts.systemd ? 'yes' : 'no',
      tone: facts.systemd === false ? 'warn' : 'plain',
    },
    {
      label: 'Free disk',
      value: facts.diskFreeKb === null ? 'unknown' : `${formatKib(facts.diskFreeKb)} free`,
      tone: facts.diskFreeKb !== null && facts.diskFreeKb < MIN_FREE_KIB ? 'warn' : 'plain',
    },
    {
      label: 'Java',
      value:
        facts.java === null
          ? 'not installed (the install adds the Java that Kafka needs)'
          : `${facts.java.version} (Java ${facts.java.major})`,
      tone: 'plain',
    },
    {
      label: 'Kafka',
      value:
        facts.kafkaVersion === null
          ? `none in ${installDir}`
          : `Kafka ${facts.kafkaVersion} in ${installDir}`,
      tone: facts.kafkaVersion === null ? 'plain' : 'warn',
    },
    { label: 'Ports in use', value: describePorts(facts.portsInUse), tone: 'plain' },
    {
      label: 'Firewall (ufw)',
      value: facts.ufw === null ? 'unknown' : facts.ufw === 'absent' ? 'not installed' : facts.ufw,
      tone: facts.ufw === 'active' ? 'warn' : 'plain',
    },
    { label: 'Login user', value: facts.user ?? 'unknown', tone: 'plain' },
  ];
  return rows;
}

export function describePorts(ports: readonly number[] | null, max = 16): string {
  if (ports === null) return 'unknown';
  if (ports.length === 0) return 'none';
  const shown = ports.slice(0, max).join(', ');
  return ports.length > max ? `${shown} and ${ports.length - max} more` : shown;
}

/** What a person should know about the server before installing, in plain words. */
export function factWarnings(facts: SetupServerFacts, installDir: string): string[] {
  const out: string[] = [];
  if (!facts.os.supported)
    out.push(
      `${facts.os.prettyName ?? 'This system'} is not supported: ${facts.os.reason ?? 'no reason was given'}. The installer works on Ubuntu (16.04–24.04) and Debian (10–12).`,
    );
  if (facts.arch === null)
    out.push(
      'The CPU type is unknown or unsupported: Kafka is installed on x86_64 or aarch64 servers only.',
    );
  if (facts.systemd === false)
    out.push(
      'The server does not run systemd, so Kafka cannot be set up as a service that starts at boot.',
    );
  if (facts.diskFreeKb !== null && facts.diskFreeKb < MIN_FREE_KIB)
    out.push(
      `Only ${formatKib(facts.diskFreeKb)} is free where Kafka goes; it needs at least 1 GiB (the download, the unpacked Kafka and its first logs). Free some space first.`,
    );
  if (facts.kafkaVersion !== null)
    out.push(
      `Kafka ${facts.kafkaVersion} is already installed in ${installDir}. You can start or stop it below. Installing Kafka ${facts.kafkaVersion} again only redoes what is missing; for another version choose another install folder (or uninstall it first).`,
    );
  for (const { port, what } of WATCHED_PORTS) {
    if (facts.portsInUse?.includes(port) !== true) continue;
    out.push(
      facts.kafkaVersion !== null
        ? `Port ${port} (${what}) is in use — probably by the Kafka already installed.`
        : `Port ${port}, which ${what} uses, is already in use by another program. Stop it first (see \`sudo ss -ltnp\` on the server), or the install cannot start Kafka.`,
    );
  }
  return out;
}

export function describeService(s: ServiceState): string {
  const kafka = s.kafka ? 'running' : 'stopped';
  const mode = s.mode === 'kraft' ? 'KRaft' : 'ZooKeeper';
  const zk = s.zookeeper === null ? '' : `; ZooKeeper ${s.zookeeper ? 'running' : 'stopped'}`;
  return `Kafka ${s.kafkaVersion} (${mode}) in ${s.installDir}: Kafka ${kafka}${zk}.`;
}

// ---- step 3: mode & version --------------------------------------------------------------------

export type SetupMode = 'kraft' | 'zookeeper';
export type ZookeeperChoice = 'auto' | 'zookeeperd' | 'bundled';
export type SourceKind = 'download' | 'upload';

export const MODE_OPTIONS: readonly { value: SetupMode; label: string }[] = [
  { value: 'kraft', label: 'KRaft, Kafka 4.x (no ZooKeeper)' },
  { value: 'zookeeper', label: "ZooKeeper + Kafka 3.9.x (the classic guide's route)" },
];

export function modeLabel(mode: SetupMode): string {
  return mode === 'kraft' ? 'KRaft' : 'ZooKeeper';
}

export interface OptionsForm {
  readonly mode: SetupMode;
  /** null = not edited: the default for the mode. */
  readonly kafkaVersion: string | null;
  readonly zookeeper: ZookeeperChoice;
  /** null = not edited: the SSH host when it is an IPv4 address. */
  readonly advertise: string | null;
  readonly source: SourceKind;
  readonly mirrorUrl: string;
  readonly installDir: string;
  readonly openFirewall: boolean;
}

export const DEFAULT_OPTIONS_FORM: OptionsForm = {
  mode: 'kraft',
  kafkaVersion: null,
  zookeeper: 'auto',
  advertise: null,
  source: 'download',
  mirrorUrl: SETUP_DEFAULTS.mirrorUrl,
  installDir: SETUP_DEFAULTS.installDir,
  openFirewall: true,
};

export function effectiveVersion(form: OptionsForm): string {
  return form.kafkaVersion ?? SETUP_DEFAULTS.kafkaVersion[form.mode];
}

export function effectiveAdvertise(form: OptionsForm, host: string): string {
  return form.advertise ?? defaultAdvertise(host);
}

/** Whether the version fits the mode (KRaft: 3.3+, ZooKeeper: 1.0–3.x). Null when it does or can't be read. */
export function modeVersionProblem(mode: SetupMode, version: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (m === null) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (mode === 'zookeeper' && major >= 4)
    return `Kafka ${version.trim()} has no ZooKeeper mode (Kafka 4 removed it): choose KRaft, or Kafka 3.9.x or older for ZooKeeper.`;
  if (mode === 'zookeeper' && major < 1)
    return `Kafka ${version.trim()} is too old; the wizard installs Kafka 1.0 or newer.`;
  if (mode === 'kraft' && (major < 3 || (major === 3 && minor < 3)))
    return `KRaft needs Kafka 3.3 or newer (4.x preferred), not ${version.trim()}; choose a newer Kafka or ZooKeeper mode.`;
  return null;
}

/** The Kafka version in an Apache tarball's name (kafka_2.13-3.9.1.tgz → 3.9.1). */
export function tarballVersion(name: string): string | null {
  const m = /kafka_\d+\.\d+-(\d+\.\d+\.\d+)\.(tgz|tar\.gz)$/i.exec(name.trim());
  return m?.[1] ?? null;
}

export function isTarballName(name: string): boolean {
  return /\.(tgz|tar\.gz)$/i.test(name.trim());
}

/** What the advertised address means for clients, beyond whether it is valid. */
export function advertiseNotes(address: string): string[] {
  const a = address.trim();
  if (!isDottedIPv4(a)) return [];
  if (a.startsWith('127.'))
    return [
      `${a} is the server's own loopback address: only programs on the server itself could use Kafka. Give the address this computer reaches the server at.`,
    ];
  return [];
}

export type TarballState =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'uploading';
      readonly name: string;
      readonly loaded: number;
      readonly total: number;
    }
  | { readonly kind: 'ready'; readonly ref: VideoRef };

export type OptionsField =
  'kafkaVersion' | 'advertise' | 'installDir' | 'mirrorUrl' | 'tarball' | 'zookeeper';

export function buildPlanRequest(
  sessionId: string,
  form: OptionsForm,
  ctx: {
    readonly host: string;
    readonly facts: SetupServerFacts;
    readonly tarball: TarballState;
  },
): FormCheck<SetupPlanRequest, OptionsField> {
  const version = effectiveVersion(form).trim();
  if (version === '') return fail('kafkaVersion', 'Type the Kafka version to install, e.g. 4.1.1.');
  const versionProblem =
    problemOf(() => validateKafkaVersion(version)) ?? modeVersionProblem(form.mode, version);
  if (versionProblem !== null) return fail('kafkaVersion', versionProblem);

  const advertise = effectiveAdvertise(form, ctx.host).trim();
  if (advertise === '')
    return fail(
      'advertise',
      'Type the IPv4 address clients use to reach the server (e.g. 192.168.1.20). It goes into advertised.listeners.',
    );
  const advertiseProblem = problemOf(() => validateIPv4(advertise));
  if (advertiseProblem !== null) return fail('advertise', advertiseProblem);

  const installDir = form.installDir.trim();
  const dirProblem = problemOf(() => validateInstallDir(installDir));
  if (dirProblem !== null) return fail('installDir', dirProblem);

  if (
    form.mode === 'zookeeper' &&
    form.zookeeper === 'zookeeperd' &&
    !ctx.facts.zookeeperdAvailable
  )
    return fail(
      'zookeeper',
      'apt on this server offers no zookeeperd package; choose “the ZooKeeper bundled with Kafka” (or automatic).',
    );

  let source: SetupPlanRequest['source'];
  if (form.source === 'download') {
    const mirrorUrl = form.mirrorUrl.trim();
    const mirrorProblem = problemOf(() => validateMirrorUrl(mirrorUrl));
    if (mirrorProblem !== null) return fail('mirrorUrl', mirrorProblem);
    source = { kind: 'download', mirrorUrl };
  } else {
    if (ctx.tarball.kind === 'uploading')
      return fail('tarball', `Wait until ${ctx.tarball.name} has finished uploading.`);
    if (ctx.tarball.kind === 'none')
      return fail(
        'tarball',
        'Choose the Kafka .tgz to upload (e.g. kafka_2.13-4.1.1.tgz from kafka.apache.org/downloads).',
      );
    source = { kind: 'upload', fileId: ctx.tarball.ref.videoId };
  }

  const request: SetupPlanRequest = {
    sessionId,
    mode: form.mode,
    kafkaVersion: version,
    advertise,
    installDir,
    source,
    zookeeper: form.zookeeper,
    openFirewall: ctx.facts.ufw === 'active' && form.openFirewall,
  };
  const parsed = SetupPlanRequest.safeParse(request);
  if (!parsed.success)
    return fail('kafkaVersion', 'These choices cannot be sent as they are; check every field.');
  return { ok: true, value: request };
}

// ---- steps 5–6: install progress ---------------------------------------------------------------

export const MAX_LOG_LINES = 2000;

export interface StepRow {
  readonly index: number;
  readonly stepId: string;
  readonly title: string;
  readonly status: SetupStepStatus;
  readonly error?: string | undefined;
}

export interface RunView {
  readonly runId: string | null;
  readonly steps: readonly StepRow[];
  readonly log: readonly string[];
  /** Log lines dropped from the top to keep at most MAX_LOG_LINES. */
  readonly droppedLines: number;
  readonly ended: SetupEndedEvent | null;
}

export const VERIFY_STEP_TITLE = 'Check from this computer (connect, send and read back frames)';

export const STATUS_LABELS: Readonly<Record<SetupStepStatus, string>> = {
  pending: 'Waiting',
  running: 'Running…',
  changed: 'Done',
  unchanged: 'Already done',
  checked: 'Checked',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function isCompleted(status: SetupStepStatus): boolean {
  return status === 'changed' || status === 'unchanged' || status === 'checked';
}

/** The rows before anything ran: the plan's steps, then the check from this computer. */
export function startRun(plan: Pick<SetupPlanView, 'steps'>, runId: string | null = null): RunView {
  const steps: StepRow[] = plan.steps.map((s, index) => ({
    index,
    stepId: s.id,
    title: s.title,
    status: 'pending',
  }));
  steps.push({
    index: steps.length,
    stepId: 'verify',
    title: VERIFY_STEP_TITLE,
    status: 'pending',
  });
  return { runId, steps, log: [], droppedLines: 0, ended: null };
}

export function applyStep(run: RunView, ev: SetupStepEvent): RunView {
  if (!Number.isInteger(ev.index) || ev.index < 0 || ev.index > 10_000) return run;
  const count =
    Number.isInteger(ev.stepCount) && ev.stepCount > 0 && ev.stepCount <= 10_000
      ? ev.stepCount
      : null;
  let steps = [...run.steps];
  if (count !== null && count !== steps.length) {
    steps = steps.slice(0, count);
    while (steps.length < count)
      steps.push({
        index: steps.length,
        stepId: `step-${steps.length}`,
        title: `Step ${steps.length + 1}`,
        status: 'pending',
      });
  }
  while (steps.length <= ev.index)
    steps.push({
      index: steps.length,
      stepId: `step-${steps.length}`,
      title: `Step ${steps.length + 1}`,
      status: 'pending',
    });
  steps[ev.index] = {
    index: ev.index,
    stepId: ev.stepId,
    title: ev.title,
    status: ev.status,
    error: ev.error,
  };
  return { ...run, steps };
}

/** prev + added, keeping the last `max` lines; how many were dropped from the top. */
export function capLines(
  prev: readonly string[],
  added: readonly string[],
  max: number = MAX_LOG_LINES,
): { lines: string[]; dropped: number } {
  const all = [...prev, ...added];
  const dropped = Math.max(0, all.length - max);
  return { lines: dropped > 0 ? all.slice(dropped) : all, dropped };
}

export function applyLog(
  run: RunView,
  lines: readonly string[],
  max: number = MAX_LOG_LINES,
): RunView {
  if (lines.length === 0) return run;
  const capped = capLines(run.log, lines, max);
  return { ...run, log: capped.lines, droppedLines: run.droppedLines + capped.dropped };
}

/** The end of a run: a step still running ends as failed or cancelled. */
export function applyEnded(run: RunView, ev: SetupEndedEvent): RunView {
  const steps = run.steps.map((s) =>
    s.status === 'running' && !ev.ok
      ? { ...s, status: (ev.cancelled ? 'cancelled' : 'failed') as SetupStepStatus }
      : s,
  );
  return { ...run, steps, ended: ev };
}

export function runProgress(run: RunView): { done: number; total: number } {
  return { done: run.steps.filter((s) => isCompleted(s.status)).length, total: run.steps.length };
}

export function failedStep(run: RunView): StepRow | null {
  return run.steps.find((s) => s.status === 'failed') ?? null;
}

export type RunEvent =
  | { readonly type: 'step'; readonly ev: SetupStepEvent }
  | { readonly type: 'log'; readonly ev: SetupLogEvent }
  | { readonly type: 'ended'; readonly ev: SetupEndedEvent };

export function applyRunEvent(run: RunView, e: RunEvent): RunView {
  switch (e.type) {
    case 'step':
      return applyStep(run, e.ev);
    case 'log':
      return applyLog(run, e.ev.lines);
    case 'ended':
      return applyEnded(run, e.ev);
  }
}

/**
 * Events of runs the page does not know yet (they can arrive before setup:install has
 * answered with the run id): kept per run, a few runs and a bounded number of events each.
 */
export class RunInbox {
  private readonly runs = new Map<string, RunEvent[]>();

  constructor(
    private readonly maxRuns = 4,
    private readonly maxEventsPerRun = MAX_LOG_LINES + 500,
  ) {}

  push(e: RunEvent): void {
    const id = e.ev.runId;
    let list = this.runs.get(id);
    if (list === undefined) {
      list = [];
      this.runs.set(id, list);
      while (this.runs.size > this.maxRuns) {
        const oldest = this.runs.keys().next().value;
        if (oldest === undefined) break;
        this.runs.delete(oldest);
      }
    }
    list.push(e);
    if (list.length > this.maxEventsPerRun) {
      // Drop the oldest log batch first; step and end events matter more.
      const i = list.findIndex((x) => x.type === 'log');
      list.splice(i >= 0 ? i : 0, 1);
    }
  }

  /** The events of a run, oldest first, removed from the inbox. */
  take(runId: string): RunEvent[] {
    const list = this.runs.get(runId) ?? [];
    this.runs.delete(runId);
    return list;
  }

  get size(): number {
    return this.runs.size;
  }
}

export interface ResultView {
  readonly ok: boolean;
  readonly headline: string;
  readonly lines: readonly string[];
  /** "N steps changed something, M were already done." */
  readonly counts: string;
  /** What to bootstrap from (ok runs). */
  readonly bootstrap: string | null;
  readonly error: { readonly message: string; readonly detail: string | null } | null;
}

/** The done step's text from the end of a run. */
export function resultView(
  ended: SetupEndedEvent,
  plan: Pick<SetupPlanView, 'kafkaVersion' | 'mode' | 'bootstrap'>,
  host: string,
  run: RunView,
): ResultView {
  const counts = `${ended.changed} step${ended.changed === 1 ? '' : 's'} changed something, ${ended.unchanged} ${ended.unchanged === 1 ? 'was' : 'were'} already done.`;
  const verify = ended.verify;
  if (ended.ok) {
    const lines: string[] = [];
    if (verify !== null) {
      lines.push(
        `Checked from this computer: ${verify.framesSent} test frames sent, ${verify.framesReceived} read back through ${verify.bootstrap}.`,
      );
      if (verify.brokers.length > 0)
        lines.push(`The broker advertises ${verify.brokers.join(', ')}.`);
      if (verify.problem !== null) lines.push(`Note: ${verify.problem}`);
    }
    return {
      ok: true,
      headline: `Kafka ${plan.kafkaVersion} (${modeLabel(plan.mode)}) is running on ${host}`,
      lines,
      counts,
      bootstrap: verify?.bootstrap ?? plan.bootstrap,
      error: null,
    };
  }
  const failed = failedStep(run);
  const lines: string[] = [];
  if (ended.cancelled) lines.push('The install was cancelled. What finished stays in place.');
  if (failed !== null) lines.push(`Step ${failed.index + 1} failed: ${failed.title}.`);
  if (verify?.problem) lines.push(`Check from this computer: ${verify.problem}`);
  lines.push('Running it again is safe: finished steps report “already done” and are skipped.');
  const message =
    ended.error?.message ??
    failed?.error ??
    (ended.cancelled ? 'The install was cancelled.' : 'The install failed; no reason was given.');
  return {
    ok: false,
    headline: ended.cancelled ? 'Install cancelled' : 'Install failed',
    lines,
    counts,
    bootstrap: null,
    error: { message, detail: ended.error?.detail ?? null },
  };
}
