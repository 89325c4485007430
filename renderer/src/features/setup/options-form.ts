/**
 * Step 3, the options: mode, version, advertised address, the Kafka source, TLS + SCRAM login, and
 * the plan request built from them.
 */
import {
  SETUP_DEFAULTS,
  SetupPlanRequest,
  type SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import {
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
  validateScramPassword,
  validateScramUser,
} from '../../../../electron/shared/setup-validate.js';
import type { PickedFile } from '../../shared/picked-file.js';
import { FormCheck, defaultAdvertise, fail, isDottedIPv4, problemOf } from './form-check.js';
import { checkKafkaSource } from './kafka-source-check.js';

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
  /** "TLS + SCRAM login": SASL_SSL for clients, a CA made on the server, the first SCRAM user. */
  readonly secure: boolean;
  readonly scramUser: string;
  /** Offered generated (generateScramPassword) when the option is turned on; the person may type one. */
  readonly scramPassword: string;
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
  secure: false,
  scramUser: 'kvs-admin',
  scramPassword: '',
};

/** A strong password for the first SCRAM user: 24 random bytes, base64url (32 characters). */
export function generateScramPassword(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(24));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Whether this Kafka can have TLS + SCRAM login (KRaft: 3.5+, ZooKeeper: 2.7+). Null when it can or can't be read. */
export function secureVersionProblem(mode: SetupMode, version: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (m === null) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (mode === 'kraft' && major === 3 && minor < 5)
    return `SCRAM logins need Kafka 3.5 or newer in KRaft mode, not ${version.trim()}.`;
  if (mode === 'zookeeper' && (major < 2 || (major === 2 && minor < 7)))
    return `TLS + SCRAM login needs Kafka 2.7 or newer, not ${version.trim()}.`;
  return null;
}

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

export type OptionsField =
  | 'kafkaVersion'
  | 'advertise'
  | 'installDir'
  | 'mirrorUrl'
  | 'tarball'
  | 'zookeeper'
  | 'scramUser'
  | 'scramPassword';

export function buildPlanRequest(
  sessionId: string,
  form: OptionsForm,
  ctx: {
    readonly host: string;
    readonly facts: SetupServerFacts;
    /** The Kafka .tgz picked for an upload source. */
    readonly tarball: PickedFile;
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

  let secure: SetupPlanRequest['secure'] = null;
  if (form.secure) {
    const tooOld = secureVersionProblem(form.mode, version);
    if (tooOld !== null) return fail('kafkaVersion', tooOld);
    if (form.mode === 'zookeeper' && form.zookeeper === 'zookeeperd')
      return fail(
        'zookeeper',
        'With TLS + SCRAM login, use the ZooKeeper bundled with Kafka (local only): zookeeperd listens on every interface, where anyone could change the logins.',
      );
    const scramUser = form.scramUser.trim();
    const userProblem = problemOf(() => validateScramUser(scramUser));
    if (userProblem !== null) return fail('scramUser', userProblem);
    const passwordProblem = problemOf(() => validateScramPassword(form.scramPassword));
    if (passwordProblem !== null) return fail('scramPassword', passwordProblem);
    secure = { scramUser, scramPassword: form.scramPassword };
  }

  const source = checkKafkaSource(form, ctx.tarball);
  if (!source.ok) return source;

  const request: SetupPlanRequest = {
    sessionId,
    mode: form.mode,
    kafkaVersion: version,
    advertise,
    installDir,
    source: source.value,
    zookeeper: form.zookeeper,
    openFirewall: ctx.facts.ufw === 'active' && form.openFirewall,
    secure,
  };
  const parsed = SetupPlanRequest.safeParse(request);
  if (!parsed.success)
    return fail('kafkaVersion', 'These choices cannot be sent as they are; check every field.');
  return { ok: true, value: request };
}
