/**
 * The SSH login every `kvs setup` / `kvs server` / `kvs setup-cluster` command takes: the options,
 * the passwords read from stdin once (first line: SSH password, next: sudo password — never from
 * argv), and a session per server with its host key pinned on first use.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KvsError } from '../shared/errors.js';
import {
  openSsh,
  type HostKeyPolicy,
  type SshAuth,
  type SshSession,
  type UnknownHostInfo,
} from '../core/ssh/ssh-session.js';
import { isSshError } from '../core/ssh/ssh-errors.js';
import { userDataDir } from '../services/user-data-dir.js';
import { intOption, requireOption, type DocumentedOptions } from './args.js';
import type { CliIo } from './cli-io.js';

export const LOGIN_OPTIONS = {
  host: { type: 'string', value: '<ip>', help: "the server's address (required)" },
  'ssh-port': { type: 'string', value: 'N', help: 'its SSH port (default 22)' },
  user: { type: 'string', value: '<name>', help: 'the user to log in as (required)' },
  key: {
    type: 'string',
    value: '<file>',
    help: 'log in with this private key (else the SSH agent)',
  },
  'password-stdin': {
    type: 'boolean',
    help: "read the login password from stdin's first line (never from argv)",
  },
  'sudo-password-stdin': { type: 'boolean', help: "read sudo's password from stdin's next line" },
  'accept-new-host-key': {
    type: 'boolean',
    help: 'trust the key of a server seen for the first time',
  },
  'host-key': {
    type: 'string',
    value: 'SHA256:…',
    help: 'trust a server seen for the first time only if its key has this fingerprint',
  },
  'known-hosts': {
    type: 'string',
    value: '<file>',
    help: 'where pinned host keys are kept (default: in the user-data folder)',
  },
  'install-dir': {
    type: 'string',
    value: '<dir>',
    help: 'where Kafka is installed (default /opt/kafka)',
  },
  json: { type: 'boolean', help: 'end with one JSON line on stdout' },
} as const satisfies DocumentedOptions;

export const LOGIN_NOTE =
  'Passwords come from stdin, one per line (the SSH password first), never from the command line.';

export type LoginValues = {
  [K in keyof typeof LOGIN_OPTIONS]?: (typeof LOGIN_OPTIONS)[K]['type'] extends 'string'
    ? string
    : boolean;
};

function readProcessStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c: string) => (data += c));
    process.stdin.once('end', () => resolve(data));
    process.stdin.once('error', reject);
  });
}

export interface Login {
  session: SshSession;
  sudoPassword?: string;
}

/** The passwords a login takes, read from stdin once. */
export interface LoginSecrets {
  readonly sshPassword?: string;
  readonly sudoPassword?: string;
}

export function toKvs(e: unknown): unknown {
  return isSshError(e) ? new KvsError(e.code, e.message, e.detail) : e;
}

/**
 * Checks the login options and reads the passwords they ask for from stdin. `servers` > 1 (a
 * cluster with a login per server): one SSH password line per server, then one sudo line per
 * server, in the servers' order.
 */
export async function readLoginSecrets(values: LoginValues, io: CliIo): Promise<LoginSecrets>;
export async function readLoginSecrets(
  values: LoginValues,
  io: CliIo,
  servers: number,
): Promise<LoginSecrets[]>;
export async function readLoginSecrets(
  values: LoginValues,
  io: CliIo,
  servers?: number,
): Promise<LoginSecrets | LoginSecrets[]> {
  if (values.key !== undefined && values['password-stdin'])
    throw new KvsError('INVALID_ARGUMENT', 'Choose either --key or --password-stdin, not both.');
  if (values['accept-new-host-key'] && values['host-key'] !== undefined) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Choose either --accept-new-host-key or --host-key, not both.',
    );
  }
  let lines: string[] = [];
  if (values['password-stdin'] || values['sudo-password-stdin']) {
    lines = (await (io.readStdin ?? readProcessStdin)()).split(/\r?\n/);
  }
  const n = servers ?? 1;
  const take = (want: boolean | undefined, what: string): Array<string | undefined> => {
    if (!want) return Array<undefined>(n).fill(undefined);
    const got = lines.splice(0, n);
    const missing = got.length < n ? got.length : got.findIndex((l) => !l);
    if (missing >= 0)
      throw new KvsError(
        'INVALID_ARGUMENT',
        n === 1
          ? what === '--password-stdin'
            ? '--password-stdin: no password on the first line of stdin.'
            : '--sudo-password-stdin: no sudo password on stdin.'
          : `${what}: stdin has no password for server ${missing + 1} of ${n} (one line per server, in --hosts order).`,
      );
    return got;
  };
  const ssh = take(values['password-stdin'], '--password-stdin');
  const sudo = take(values['sudo-password-stdin'], '--sudo-password-stdin');
  const all = ssh.map((sshPassword, i) => {
    const sudoPassword = sudo[i];
    return {
      ...(sshPassword !== undefined ? { sshPassword } : {}),
      ...(sudoPassword !== undefined ? { sudoPassword } : {}),
    };
  });
  return servers === undefined ? (all[0] ?? {}) : all;
}

/** Logs in to `host` with the options and the passwords read before. */
export async function openLogin(
  host: string,
  values: LoginValues,
  secrets: LoginSecrets,
  /** This server's own user (a cluster's `user@ip`); default --user. */
  ownUser?: string,
): Promise<Login> {
  const user = ownUser ?? requireOption(values.user, 'user', 'ubuntu');
  const port = intOption(values['ssh-port'], 'ssh-port', 1, 65535) ?? 22;
  let auth: SshAuth;
  if (secrets.sshPassword !== undefined) auth = { kind: 'password', password: secrets.sshPassword };
  else if (values.key !== undefined) auth = { kind: 'key', privateKey: await readFile(values.key) };
  else auth = { kind: 'agent' };

  const knownHostsFile = values['known-hosts'] ?? path.join(userDataDir(), 'known-hosts.json');
  let unknown: UnknownHostInfo | undefined;
  const hostKey: HostKeyPolicy =
    values['host-key'] !== undefined
      ? { expectedFingerprint: values['host-key'] }
      : values['accept-new-host-key']
        ? { knownHostsFile, acceptNew: true }
        : {
            knownHostsFile,
            onUnknownHost: async (info) => {
              unknown = info;
              return false;
            },
          };
  try {
    const session = await openSsh({ host, port, username: user, auth, hostKey });
    return secrets.sudoPassword === undefined
      ? { session }
      : { session, sudoPassword: secrets.sudoPassword };
  } catch (e) {
    if (unknown !== undefined && isSshError(e) && e.code === 'SSH_HOST_KEY_UNKNOWN') {
      throw new KvsError(
        'SSH_HOST_KEY_UNKNOWN',
        `${host}:${port} is not a known host; its key is ${unknown.keyType} ${unknown.fingerprint}. ` +
          `If that is the server's key (check with ssh-keygen -lf on the server), run again with --host-key ${unknown.fingerprint} or --accept-new-host-key.`,
      );
    }
    throw toKvs(e);
  }
}

/** --host's login: the passwords from stdin, then the session. */
export async function login(values: LoginValues, io: CliIo): Promise<Login> {
  const host = requireOption(values.host, 'host', '10.0.0.5');
  requireOption(values.user, 'user', 'ubuntu');
  return openLogin(host, values, await readLoginSecrets(values, io));
}
