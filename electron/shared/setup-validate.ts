/**
 * Allowlist validation for every value that reaches a remote command of the setup wizard.
 * A value either matches a narrow pattern and is returned (normalised), or a
 * SetupValidationError names the field and says what is allowed. Nothing is escaped:
 * values that pass contain no character a shell, a systemd unit or a .properties file
 * would treat specially, and they only ever travel as whole argv elements anyway.
 */
import { KvsError } from './errors.js';

export type SetupField =
  | 'advertise'
  | 'hostname'
  | 'installDir'
  | 'kafkaVersion'
  | 'mirrorUrl'
  | 'username'
  | 'sha512'
  | 'tarballPath'
  | 'mode'
  | 'source'
  | 'scramUser'
  | 'scramPassword';

export class SetupValidationError extends KvsError {
  constructor(
    readonly field: SetupField,
    readonly value: unknown,
    message: string,
  ) {
    super('INVALID_ARGUMENT', message);
  }
}

export function isSetupValidationError(e: unknown): e is SetupValidationError {
  return e instanceof SetupValidationError;
}

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function str(field: SetupField, value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new SetupValidationError(field, value, `${what} is missing.`);
  }
  return value;
}

/** Dotted-quad IPv4 a client can connect to: no 0.0.0.0, no leading zeros, each part 0–255. */
export function validateIPv4(value: unknown, field: SetupField = 'advertise'): string {
  const s = str(field, value, 'The IPv4 address');
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  const ok =
    parts !== null &&
    parts.slice(1).every((p) => Number(p) <= 255 && (p === '0' || !p.startsWith('0')));
  if (!ok) {
    throw new SetupValidationError(
      field,
      value,
      `${show(value)} is not an IPv4 address like 192.168.1.20.`,
    );
  }
  if (s === '0.0.0.0' || s === '255.255.255.255') {
    throw new SetupValidationError(
      field,
      value,
      `${s} can't be advertised to clients; give the address clients use to reach the server.`,
    );
  }
  return s;
}

/** RFC 1123 host name (letters, digits, hyphens; dot-separated labels), lower-cased. */
export function validateHostname(value: unknown, field: SetupField = 'hostname'): string {
  const s = str(field, value, 'The host name');
  const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  if (s.length > 253 || !s.split('.').every((l) => label.test(l))) {
    throw new SetupValidationError(
      field,
      value,
      `${show(value)} is not a host name (letters, digits, hyphens and dots only).`,
    );
  }
  return s.toLowerCase();
}

/** Folders an install must never be put in (or, by uninstall, removed). */
const SYSTEM_DIRS = new Set([
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/snap',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/share',
  '/var/lib',
  '/var/log',
  '/var/tmp',
  '/var/cache',
]);

/** Absolute, [A-Za-z0-9._/-] only, no `..`/`.` parts, not `/` nor a system folder; trailing / dropped. */
export function validateInstallDir(value: unknown): string {
  const s = str('installDir', value, 'The install folder');
  if (!/^\/[A-Za-z0-9._/-]*$/.test(s) || s.length > 200) {
    throw new SetupValidationError(
      'installDir',
      value,
      `${show(value)} must be an absolute path of letters, digits and . _ - / only (e.g. /opt/kafka).`,
    );
  }
  const parts = s.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.' || p.startsWith('-'))) {
    throw new SetupValidationError(
      'installDir',
      value,
      `${show(value)} must not contain "." or ".." parts.`,
    );
  }
  const normal = `/${parts.join('/')}`;
  if (parts.length === 0 || SYSTEM_DIRS.has(normal)) {
    throw new SetupValidationError(
      'installDir',
      value,
      `${normal} is a system folder; install into a folder of its own such as /opt/kafka.`,
    );
  }
  return normal;
}

export interface KafkaVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** `^\d+\.\d+\.\d+$`, within what Apache has released as Kafka (0.8 … 9.x). */
export function validateKafkaVersion(value: unknown): KafkaVersion {
  const s = str('kafkaVersion', value, 'The Kafka version');
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{1,2})$/.exec(s);
  if (m === null) {
    throw new SetupValidationError(
      'kafkaVersion',
      value,
      `${show(value)} is not a Kafka version like 3.9.1 or 4.1.1.`,
    );
  }
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: s };
  if (v.major < 1 && !(v.major === 0 && v.minor >= 8)) {
    throw new SetupValidationError('kafkaVersion', value, `Kafka ${s} does not exist.`);
  }
  return v;
}

/** http(s)://host[:port][/path] with a conservative character set; the trailing / is dropped. */
export function validateMirrorUrl(value: unknown): string {
  const s = str('mirrorUrl', value, 'The mirror URL');
  const m = /^(https?):\/\/([A-Za-z0-9.-]+)(?::(\d{1,5}))?((?:\/[A-Za-z0-9._~%+-]*)*)$/.exec(s);
  if (m === null || s.length > 300) {
    throw new SetupValidationError(
      'mirrorUrl',
      value,
      `${show(value)} is not a plain http(s) URL like https://archive.apache.org/dist (no spaces, quotes, query or credentials).`,
    );
  }
  validateHostname(m[2], 'mirrorUrl');
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) {
    throw new SetupValidationError('mirrorUrl', value, `${show(value)} has an invalid port.`);
  }
  return s.replace(/\/+$/, '');
}

/** Debian's default NAME_REGEX for user names. */
export function validateUsername(value: unknown): string {
  const s = str('username', value, 'The user name');
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(s)) {
    throw new SetupValidationError(
      'username',
      value,
      `${show(value)} is not a user name (lower-case letters, digits, _ and -, starting with a letter or _).`,
    );
  }
  return s;
}

/** 128 hex digits (spaces allowed between groups, as Apache's .sha512 files print them); lower-cased. */
export function validateSha512(value: unknown): string {
  const s = str('sha512', value, 'The SHA-512 checksum');
  const hex = s.replace(/[ \t]/g, '').toLowerCase();
  if (!/^[0-9a-f]{128}$/.test(hex)) {
    throw new SetupValidationError(
      'sha512',
      value,
      `${show(value)} is not a SHA-512 checksum (128 hex digits).`,
    );
  }
  return hex;
}

/**
 * A tarball on this computer. It only ever becomes the local side of an upload (never part
 * of a remote command), so any absolute path without control characters is fine.
 */
export function validateLocalPath(value: unknown): string {
  const s = str('tarballPath', value, 'The tarball path');
  // C0 controls, DEL and C1 controls
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s) || !(s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s))) {
    throw new SetupValidationError(
      'tarballPath',
      value,
      `${show(value)} must be an absolute path to a .tgz file.`,
    );
  }
  return s;
}

/**
 * The first SCRAM user of a secure install: letters, digits, ".", "_" and "-" (no "=" or ",",
 * which SCRAM would have to escape), starting with a letter or digit, at most 64 characters.
 */
export function validateScramUser(value: unknown): string {
  const s = str('scramUser', value, 'The SCRAM user name');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s)) {
    throw new SetupValidationError(
      'scramUser',
      value,
      `${show(value)} is not a SCRAM user name (letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64).`,
    );
  }
  return s;
}

export const SCRAM_PASSWORD_MIN = 12;
export const SCRAM_PASSWORD_MAX = 256;

/**
 * The first SCRAM user's password: 12–256 printable ASCII characters without spaces, '"' or '\'
 * (it goes through a .properties file to kafka-configs, and people paste it into a Java client's
 * sasl.jaas.config). The message never repeats the value.
 */
export function validateScramPassword(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new SetupValidationError('scramPassword', '***', 'The SCRAM password is missing.');
  if (value.length < SCRAM_PASSWORD_MIN || value.length > SCRAM_PASSWORD_MAX)
    throw new SetupValidationError(
      'scramPassword',
      '***',
      `The SCRAM password must be ${SCRAM_PASSWORD_MIN} to ${SCRAM_PASSWORD_MAX} characters long.`,
    );
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value))
    throw new SetupValidationError(
      'scramPassword',
      '***',
      'The SCRAM password may only hold printable ASCII characters other than spaces, " and \\.',
    );
  return value;
}

/** The error message for `value`, or null when `validate` accepts it. */
export function problemOf(validate: (v: unknown) => unknown, value: unknown): string | null {
  try {
    validate(value);
    return null;
  } catch (e) {
    if (e instanceof SetupValidationError) return e.message;
    throw e;
  }
}
