/**
 * The SSH layer the setup wizard uses to install Kafka on a server: one login
 * (password, private key or agent) with the server's host key checked by trust
 * on first use, then quoted commands, sudo and SFTP uploads over it.
 *
 * This file is the connection and login (openSsh) and puts a session together from its parts:
 * the shapes (ssh-types.ts), host-key trust (host-key-check.ts), commands (ssh-exec.ts),
 * sudo (ssh-sudo.ts) and file transfer (sftp-transfer.ts).
 *
 * Electron-free: everything environmental comes in through `opts` and `deps`.
 * Secrets (the login and sudo passwords) never go onto a command line, into
 * `commandLog`, into `deps.log` or into an error message.
 */
import ssh2 from 'ssh2';
import type { AuthenticationType, ConnectConfig } from 'ssh2';
import { checkHostKey } from './host-key-check.js';
import { fingerprintOf, isFingerprint, keyTypeOf } from './host-keys.js';
import { scrub } from './scrub-secrets.js';
import { createSftpTransfer } from './sftp-transfer.js';
import { SshError } from './ssh-errors.js';
import { createCommandRunner } from './ssh-exec.js';
import { createSudo } from './ssh-sudo.js';
import type { SessionInfo, SshClient, SshConnectOptions, SshDeps, SshSession } from './ssh-types.js';

export type {
  ExecOptions,
  ExecResult,
  HostKeyPolicy,
  SshAuth,
  SshConnectOptions,
  SshDeps,
  SshSession,
  SudoOptions,
  UnknownHostInfo,
  UploadOptions,
} from './ssh-types.js';

const { Client, utils } = ssh2;

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (no SSH server on that port?)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  ECONNRESET: 'the server closed the connection',
  EPIPE: 'the server closed the connection',
};

function describeTarget(username: string, host: string, port: number): string {
  return `${username}@${host}${port === 22 ? '' : `:${port}`}`;
}

function validate(opts: SshConnectOptions): { host: string; port: number; readyTimeoutMs: number } {
  const host = opts.host.trim();
  const port = opts.port ?? 22;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  if (!host || /[\s\0]/.test(host)) throw new SshError('INVALID_ARGUMENT', `"${opts.host}" is not a host name or address.`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SshError('INVALID_ARGUMENT', `${String(port)} is not a TCP port (1–65535).`);
  }
  if (!opts.username || /[\s\0:]/.test(opts.username)) {
    throw new SshError('INVALID_ARGUMENT', `"${opts.username}" is not a user name.`);
  }
  if (!Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0) {
    throw new SshError('INVALID_ARGUMENT', 'readyTimeoutMs must be a positive number of milliseconds.');
  }
  if ('expectedFingerprint' in opts.hostKey && !isFingerprint(opts.hostKey.expectedFingerprint)) {
    throw new SshError(
      'INVALID_ARGUMENT',
      `"${opts.hostKey.expectedFingerprint}" is not a host key fingerprint; expected SHA256: followed by 43 base64 characters (as printed by ssh-keygen -lf).`,
    );
  }
  return { host, port, readyTimeoutMs };
}

/** Connect and log in. Rejects with an SshError; never resolves with a half-open session. */
export async function openSsh(opts: SshConnectOptions, deps: SshDeps = {}): Promise<SshSession> {
  const { host, port, readyTimeoutMs } = validate(opts);
  const { username, auth } = opts;
  const secrets = [auth.kind === 'password' ? auth.password : undefined, auth.kind === 'key' ? auth.passphrase : undefined];
  const target = describeTarget(username, host, port);

  const config: ConnectConfig = { host, port, username, readyTimeout: 0, keepaliveInterval: 15_000 };
  const queue: AuthenticationType[] = [];
  switch (auth.kind) {
    case 'password':
      config.password = auth.password;
      config.tryKeyboard = true;
      queue.push('password', 'keyboard-interactive');
      break;
    case 'key': {
      const parsed = utils.parseKey(auth.privateKey, auth.passphrase);
      if (parsed instanceof Error) {
        throw new SshError(
          'SSH_AUTH_FAILED',
          `The private key for ${target} could not be read${auth.passphrase === undefined ? ' (is it protected by a passphrase?)' : ' (wrong passphrase?)'}.`,
          scrub(parsed.message, secrets),
        );
      }
      config.privateKey = auth.privateKey;
      if (auth.passphrase !== undefined) config.passphrase = auth.passphrase;
      queue.push('publickey');
      break;
    }
    case 'agent': {
      const socket = auth.socket ?? (deps.env ?? process.env).SSH_AUTH_SOCK;
      if (!socket) {
        throw new SshError('SSH_AUTH_FAILED', `No SSH agent is running (SSH_AUTH_SOCK is not set), so ${target} cannot log in with it.`);
      }
      config.agent = socket;
      queue.push('agent');
      break;
    }
  }

  const client = new Client();
  const tried: AuthenticationType[] = [];
  let serverMethods: AuthenticationType[] | undefined;
  let stage: 'connecting' | 'host-key' | 'auth' = 'connecting';
  let presented: { keyType: string; fingerprint: string } | undefined;
  let hostKeyFailure: SshError | undefined;

  config.authHandler = (authsLeft, _partial, next) => {
    if (Array.isArray(authsLeft) && authsLeft.length > 0) serverMethods = authsLeft;
    while (queue.length > 0) {
      const m = queue.shift() as AuthenticationType;
      if (serverMethods && !serverMethods.includes(m)) continue;
      tried.push(m);
      next(m);
      return;
    }
    next(false as unknown as AuthenticationType);
  };

  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const fail = (err: SshError): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      client.removeAllListeners('ready');
      client.on('error', () => undefined);
      client.end();
      reject(new SshError(err.code, scrub(err.message, secrets), err.detail && scrub(err.detail, secrets)));
    };
    const armTimer = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        if (stage === 'connecting') {
          fail(
            new SshError(
              'SSH_UNREACHABLE',
              `Could not reach ${host}:${port} within ${readyTimeoutMs / 1000}s: nothing answered as an SSH server.`,
              'reason=timeout',
            ),
          );
        } else {
          fail(new SshError('SSH_TIMEOUT', `Logging in to ${target} did not finish within ${readyTimeoutMs / 1000}s.`, 'reason=login-timeout'));
        }
        client.destroy();
      }, readyTimeoutMs);
    };

    config.hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      stage = 'host-key';
      if (timer) clearTimeout(timer); // the person may take a while to answer
      const fingerprint = fingerprintOf(key);
      const keyType = keyTypeOf(key);
      presented = { keyType, fingerprint };
      checkHostKey(opts.hostKey, host, port, fingerprint, keyType).then(
        () => {
          if (settled) return;
          stage = 'auth';
          armTimer();
          verify(true);
        },
        (e: unknown) => {
          hostKeyFailure =
            e instanceof SshError ? e : new SshError('INTERNAL', `Checking the host key failed: ${e instanceof Error ? e.message : String(e)}`);
          verify(false);
          fail(hostKeyFailure);
        },
      );
    };

    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      finish(prompts.map(() => (auth.kind === 'password' ? auth.password : '')));
    });

    client.once('ready', () => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      client.on('error', (e) => deps.log?.(`ssh ${target}: ${scrub(e.message, secrets)}`));
      resolve(createSession(client, { host, port, username, hostKey: presented ?? { keyType: 'unknown', fingerprint: '' } }, deps));
    });

    client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (hostKeyFailure) return fail(hostKeyFailure);
      if (e.level === 'client-authentication') {
        const methods = tried.length > 0 ? tried.join(', ') : 'none';
        const allowed = serverMethods ? ` The server accepts: ${serverMethods.join(', ')}.` : '';
        return fail(
          new SshError(
            'SSH_AUTH_FAILED',
            `The server refused the login of user "${username}" at ${host}:${port} (tried: ${methods}).${allowed} Check the user name and ${auth.kind === 'password' ? 'password' : auth.kind === 'key' ? 'key' : 'agent keys'}.`,
            `reason=auth-failed tried=${methods}`,
          ),
        );
      }
      const why = (e.code && UNREACHABLE_CODES[e.code]) ?? e.message;
      return fail(new SshError('SSH_UNREACHABLE', `Could not reach ${host}:${port}: ${why}.`, `reason=${e.code ?? e.level ?? 'error'}`));
    });

    client.on('close', () => {
      if (hostKeyFailure) return fail(hostKeyFailure);
      fail(
        new SshError(
          'SSH_UNREACHABLE',
          `The connection to ${host}:${port} closed before logging in${stage === 'connecting' ? ' (is it an SSH server?)' : ''}.`,
          'reason=closed',
        ),
      );
    });

    armTimer();
    try {
      client.connect(config);
    } catch (e) {
      fail(new SshError('SSH_UNREACHABLE', `Could not connect to ${host}:${port}: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
}

function createSession(client: SshClient, info: SessionInfo, deps: SshDeps): SshSession {
  let closed = false;
  client.on('close', () => {
    closed = true;
  });
  const isClosed = (): boolean => closed;
  const runner = createCommandRunner(client, info, deps, isClosed);
  const sudo = createSudo(runner, info);
  const { upload, writeFile } = createSftpTransfer(client, info, deps, isClosed);
  const { commandLog, exec, isRoot } = runner;

  const close = (): Promise<void> => {
    if (closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        client.destroy();
        resolve();
      }, 3000);
      client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      client.end();
    });
  };

  return { ...info, commandLog, exec, sudo, isRoot, upload, writeFile, close };
}
