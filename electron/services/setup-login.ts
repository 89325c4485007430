/**
 * Logging in to a server for the setup wizard: the login's credentials (typed, remembered in the
 * keychain, a key or the agent), the host-key policy (known-hosts file, or the fingerprint the
 * person confirmed), sudo checked at once, the server looked at, the login remembered. Passwords
 * only ever reach the SSH layer and, when asked, the SavedServers store.
 */
import {
  SETUP_DEFAULTS,
  type SetupConnectResult,
  type SetupLogin,
  type SetupServerFacts,
} from '../shared/contract.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import type { ServerFacts } from '../core/setup/detect.js';
import { detectServer } from '../core/setup/executor.js';
import { isSshError } from '../core/ssh/ssh-errors.js';
import type {
  HostKeyPolicy,
  SshAuth,
  SshConnectOptions,
  SshSession,
  UnknownHostInfo,
} from '../core/ssh/ssh-session.js';
import type { SavedServers, ServerLogin } from './saved-servers.js';

export interface LoginDeps {
  readonly saved: SavedServers;
  readonly knownHostsFile: string;
  readonly connectSsh: (opts: SshConnectOptions) => Promise<SshSession>;
}

/** Logged in (the session is the caller's to keep and close), or a host key to confirm first. */
export type LoginOutcome =
  | Extract<SetupConnectResult, { state: 'unknown-host' }>
  | {
      readonly state: 'connected';
      readonly session: SshSession;
      readonly sudoPassword: string | undefined;
      readonly facts: SetupServerFacts;
      readonly remembered: boolean;
    };

function factsView(f: ServerFacts): SetupServerFacts {
  return {
    os: {
      prettyName: f.os.prettyName,
      id: f.os.id,
      versionId: f.os.versionId,
      supported: f.os.supported,
      reason: f.os.reason,
    },
    arch: f.arch,
    systemd: f.systemd,
    diskFreeKb: f.diskFreeKb,
    java: f.java,
    kafkaVersion: f.kafkaVersion,
    zookeeperdAvailable: f.zookeeperdCandidate !== null || f.zookeeperd?.installed === true,
    portsInUse: f.portsInUse === null ? null : [...f.portsInUse],
    ufw: f.ufw,
    user: f.user,
  };
}

/** The SSH layer's errors as the contract's (same codes, same safe messages). */
export function plainSshError(e: unknown): KvsError {
  return isSshError(e) ? new KvsError(e.code, e.message, e.detail) : toKvsError(e);
}

export async function loginToServer(login: SetupLogin, deps: LoginDeps): Promise<LoginOutcome> {
  const { saved, knownHostsFile, connectSsh } = deps;
  const who: ServerLogin = { host: login.host, port: login.port, user: login.user };
  const wantsRemember = login.remember && login.auth.kind === 'password';
  // refuse before logging in: nothing happens on the server when the answer is no anyway
  if (wantsRemember && !saved.canRemember) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Remembering passwords needs the desktop app with the system keychain; nothing was saved. Untick "remember" to go on.',
    );
  }
  let auth: SshAuth;
  let loginPassword: string | undefined;
  switch (login.auth.kind) {
    case 'password':
      loginPassword = login.auth.password;
      auth = { kind: 'password', password: loginPassword };
      break;
    case 'saved': {
      const pw = await saved.password(who);
      if (pw === null)
        throw new KvsError(
          'SSH_AUTH_FAILED',
          `No password is remembered for ${login.user}@${login.host}; type it in.`,
        );
      loginPassword = pw;
      auth = { kind: 'password', password: pw };
      break;
    }
    case 'key':
      auth =
        login.auth.passphrase === undefined
          ? { kind: 'key', privateKey: login.auth.privateKey }
          : { kind: 'key', privateKey: login.auth.privateKey, passphrase: login.auth.passphrase };
      break;
    case 'agent':
      auth = { kind: 'agent' };
      break;
  }

  let unknown: UnknownHostInfo | undefined;
  const trust = login.trustHostKey;
  const hostKey: HostKeyPolicy = {
    knownHostsFile,
    onUnknownHost: async (info) => {
      unknown = info;
      return trust !== undefined && info.fingerprint === trust;
    },
  };
  let session: SshSession;
  try {
    session = await connectSsh({
      host: login.host,
      port: login.port,
      username: login.user,
      auth,
      hostKey,
    });
  } catch (e) {
    if (unknown !== undefined && isSshError(e) && e.code === 'SSH_HOST_KEY_UNKNOWN') {
      if (trust !== undefined) {
        throw new KvsError(
          'SSH_HOST_KEY_CHANGED',
          `The server now shows the key ${unknown.fingerprint}, not the ${trust} you confirmed. Nothing was trusted; check the server's key before going on.`,
        );
      }
      return {
        state: 'unknown-host',
        host: unknown.host,
        port: unknown.port,
        keyType: unknown.keyType,
        fingerprint: unknown.fingerprint,
      };
    }
    throw plainSshError(e);
  }

  const sudoPassword = login.sudoPassword ?? loginPassword;
  try {
    // sudo is checked now, at the login step, so a wrong sudo password is told here and not
    // half-way through the install
    if (!(await session.isRoot())) {
      const r = await session.sudo(['true'], {
        timeoutMs: 20_000,
        ...(sudoPassword === undefined ? {} : { password: sudoPassword }),
      });
      if (r.code !== 0)
        throw new KvsError(
          'SUDO_NOT_ALLOWED',
          `${login.user} cannot run commands as root with sudo on ${login.host}.`,
          r.stderr.slice(0, 500),
        );
    }
    const facts = await detectServer(
      session,
      SETUP_DEFAULTS.installDir,
      sudoPassword === undefined ? {} : { sudoPassword },
    );
    let remembered = false;
    if (login.auth.kind === 'saved' || wantsRemember) {
      await saved.remember(who, loginPassword);
      remembered = true;
    } else {
      await saved.remember(who).catch(() => undefined);
    }
    return { state: 'connected', session, sudoPassword, facts: factsView(facts), remembered };
  } catch (e) {
    await session.close().catch(() => undefined);
    if (
      isSshError(e) &&
      e.code === 'SUDO_AUTH_FAILED' &&
      login.sudoPassword === undefined &&
      loginPassword !== undefined
    ) {
      throw new KvsError(
        'SUDO_AUTH_FAILED',
        `sudo on ${login.host} did not accept the login password. If sudo has its own password there, enter it under "sudo password".`,
      );
    }
    if (isSshError(e) && e.code === 'SUDO_AUTH_FAILED' && sudoPassword === undefined) {
      throw new KvsError(
        'SUDO_AUTH_FAILED',
        `sudo on ${login.host} asks for a password: enter it under "sudo password".`,
      );
    }
    throw plainSshError(e);
  }
}
