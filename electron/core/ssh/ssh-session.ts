/**
 * The SSH layer the setup wizard uses to install Kafka on a server: one login
 * (password, private key or agent) with the server's host key checked by trust
 * on first use, then quoted commands, sudo and SFTP uploads over it.
 *
 * Electron-free: everything environmental comes in through `opts` and `deps`.
 * Secrets (the login and sudo passwords) never go onto a command line, into
 * `commandLog`, into `deps.log` or into an error message.
 */
import { randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import type { AuthenticationType, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { fingerprintOf, hostKeyId, isFingerprint, keyTypeOf, pinHostKey, readKnownHosts } from './host-keys.js';
import { shellQuote } from './shell-quote.js';
import { SshError } from './ssh-errors.js';

const { Client, utils } = ssh2;
type SshClient = InstanceType<typeof Client>;

export type SshAuth =
  | { kind: 'password'; password: string }
  | { kind: 'key'; privateKey: Buffer | string; passphrase?: string }
  | { kind: 'agent'; socket?: string };

export interface UnknownHostInfo {
  host: string;
  port: number;
  /** OpenSSH style: "SHA256:" + unpadded base64. */
  fingerprint: string;
  keyType: string;
}

/**
 * How the server's host key is trusted:
 * - ask: known-hosts file; an unknown host is shown to the person (true pins it)
 * - acceptNew: known-hosts file; an unknown host is pinned without asking
 * - expectedFingerprint: only this key (e.g. from `--host-key SHA256:…`)
 * A key that differs from the pinned/expected one is always refused.
 */
export type HostKeyPolicy =
  | { knownHostsFile: string; onUnknownHost: (info: UnknownHostInfo) => Promise<boolean>; acceptNew?: false }
  | { knownHostsFile: string; acceptNew: true }
  | { expectedFingerprint: string };

export interface SshConnectOptions {
  host: string;
  port?: number;
  username: string;
  auth: SshAuth;
  /** Time to reach the server and log in (not counting time spent waiting for the person in onUnknownHost). */
  readyTimeoutMs?: number;
  hostKey: HostKeyPolicy;
}

export interface SshDeps {
  /** Diagnostic lines (commands run, uploads); never contains a password. */
  log?: (line: string) => void;
  /** Where the agent socket comes from when auth.socket is not given (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs: number;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface SudoOptions extends ExecOptions {
  /** The login user's password for sudo; without it sudo runs with -n (must not need one). */
  password?: string;
}

export interface ExecResult {
  /** Exit status, or null when the remote command was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface UploadOptions {
  mode?: number;
  onProgress?: (transferred: number, total: number) => void;
}

export interface SshSession {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly hostKey: { keyType: string; fingerprint: string };
  /** Every command string sent to the server, in order (passwords are never part of one). */
  readonly commandLog: string[];
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  sudo(argv: readonly string[], opts: SudoOptions): Promise<ExecResult>;
  /** Whether the login user is uid 0 (asked once, then remembered). */
  isRoot(): Promise<boolean>;
  upload(localPath: string, remotePath: string, opts?: UploadOptions): Promise<void>;
  writeFile(remotePath: string, content: string | Buffer, mode: number): Promise<void>;
  close(): Promise<void>;
}

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

function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

function describeTarget(username: string, host: string, port: number): string {
  return `${username}@${host}${port === 22 ? '' : `:${port}`}`;
}

async function checkHostKey(
  policy: HostKeyPolicy,
  host: string,
  port: number,
  fingerprint: string,
  keyType: string,
): Promise<void> {
  const id = hostKeyId(host, port);
  if ('expectedFingerprint' in policy) {
    if (policy.expectedFingerprint === fingerprint) return;
    throw new SshError(
      'SSH_HOST_KEY_CHANGED',
      `The host key of ${id} is not the expected one: expected ${policy.expectedFingerprint}, the server presented ${fingerprint} (${keyType}). Someone may be intercepting the connection; connection refused.`,
      `expected=${policy.expectedFingerprint} presented=${fingerprint}`,
    );
  }
  const known = (await readKnownHosts(policy.knownHostsFile))[id];
  if (known) {
    if (known.fingerprint === fingerprint) return;
    throw new SshError(
      'SSH_HOST_KEY_CHANGED',
      `The host key of ${id} has CHANGED: expected ${known.fingerprint} (${known.keyType}), the server presented ${fingerprint} (${keyType}). Someone may be intercepting the connection; connection refused. If the server was reinstalled, remove "${id}" from ${policy.knownHostsFile}.`,
      `expected=${known.fingerprint} presented=${fingerprint}`,
    );
  }
  if (policy.acceptNew !== true) {
    const ok = await policy.onUnknownHost({ host, port, fingerprint, keyType });
    if (!ok) {
      throw new SshError(
        'SSH_HOST_KEY_UNKNOWN',
        `The host key of ${id} (${keyType} ${fingerprint}) was not accepted, so no connection was made.`,
        `presented=${fingerprint}`,
      );
    }
  }
  await pinHostKey(policy.knownHostsFile, id, { keyType, fingerprint });
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

interface SessionInfo {
  host: string;
  port: number;
  username: string;
  hostKey: { keyType: string; fingerprint: string };
}

function firstWord(command: string): string {
  const w = command.split(' ')[0] ?? '';
  return w.length > 60 ? `${w.slice(0, 60)}…` : w;
}

function createSession(client: SshClient, info: SessionInfo, deps: SshDeps): SshSession {
  const commandLog: string[] = [];
  let closed = false;
  let rootCheck: Promise<boolean> | undefined;
  let sftpPromise: Promise<SFTPWrapper> | undefined;
  client.on('close', () => {
    closed = true;
  });

  interface RunHooks {
    /** Called with the open channel; owns writing stdin and ending it. */
    drive: (ch: ClientChannel) => void;
    /** Sees every stderr chunk before onStderr; returns what (if anything) to pass on. */
    filterStderr?: (chunk: Buffer) => Buffer | undefined;
  }

  const run = (command: string, opts: ExecOptions, hooks: RunHooks): Promise<ExecResult> => {
    if (closed) return Promise.reject(new SshError('SSH_UNREACHABLE', `The connection to ${info.host} is closed.`, 'reason=closed'));
    if (!(opts.timeoutMs > 0)) return Promise.reject(new SshError('INVALID_ARGUMENT', 'timeoutMs must be a positive number.'));
    if (opts.signal?.aborted) return Promise.reject(new SshError('CANCELLED', `Cancelled before running ${firstWord(command)}.`));
    commandLog.push(command);
    deps.log?.(`$ ${command}`);
    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let exit: { code: number | null; signal: string | null } | undefined;
      let done = false;
      let channel: ClientChannel | undefined;

      const finish = (e?: SshError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (e) {
          if (channel) {
            try {
              channel.signal('KILL');
            } catch {
              /* the server may not support signals */
            }
            channel.close();
          }
          reject(e);
          return;
        }
        if (!exit) {
          reject(new SshError('SSH_COMMAND_FAILED', `The connection closed before ${firstWord(command)} finished.`, 'reason=channel-closed'));
          return;
        }
        resolve({
          code: exit.code,
          signal: exit.signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      };
      const timer = setTimeout(
        () => finish(new SshError('SSH_TIMEOUT', `${firstWord(command)} did not finish within ${opts.timeoutMs / 1000}s.`, 'reason=command-timeout')),
        opts.timeoutMs,
      );
      const onAbort = (): void => finish(new SshError('CANCELLED', `Cancelled while running ${firstWord(command)}.`));
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      client.exec(command, (e, ch) => {
        if (e) {
          finish(new SshError('SSH_COMMAND_FAILED', `The server would not run ${firstWord(command)}: ${e.message}`, 'reason=exec-refused'));
          return;
        }
        channel = ch;
        if (done) {
          ch.close();
          return;
        }
        ch.on('data', (chunk: Buffer) => {
          out.push(chunk);
          opts.onStdout?.(chunk);
        });
        ch.stderr.on('data', (chunk: Buffer) => {
          const pass = hooks.filterStderr ? hooks.filterStderr(chunk) : chunk;
          if (pass && pass.length > 0) {
            err.push(pass);
            opts.onStderr?.(pass);
          }
        });
        ch.on('exit', (code: number | null, signal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
        });
        ch.on('close', () => finish());
        ch.on('error', () => undefined);
        hooks.drive(ch);
      });
    });
  };

  const writeStdinAndEnd = (ch: ClientChannel, stdin: string | Buffer | undefined): void => {
    if (stdin !== undefined && stdin.length > 0) ch.end(stdin);
    else ch.end();
  };

  const exec = (argv: readonly string[], opts: ExecOptions): Promise<ExecResult> => {
    let command: string;
    try {
      command = shellQuote(argv);
    } catch (e) {
      return Promise.reject(e);
    }
    return run(command, opts, { drive: (ch) => writeStdinAndEnd(ch, opts.stdin) });
  };

  const isRoot = (): Promise<boolean> => {
    rootCheck ??= exec(['id', '-u'], { timeoutMs: 15_000 }).then(
      (r) => r.code === 0 && r.stdout.trim() === '0',
      (e: unknown) => {
        rootCheck = undefined;
        throw e;
      },
    );
    return rootCheck;
  };

  const sudo = async (argv: readonly string[], opts: SudoOptions): Promise<ExecResult> => {
    const { password, ...execOpts } = opts;
    shellQuote(argv); // validates (NUL, empty) before anything is sent
    if (await isRoot()) return exec(argv, execOpts);
    if (password !== undefined && /[\r\n\0]/.test(password)) {
      throw new SshError('INVALID_ARGUMENT', 'A sudo password cannot contain line breaks or NUL bytes.');
    }

    // A random marker that the wrapped command prints to stderr once sudo has let it run:
    // before it, stderr is sudo's own (prompt / refusal); after it, the command's.
    const nonce = randomBytes(8).toString('hex');
    const okMarker = `KVS-SUDO-OK-${nonce}`;
    const prompt = `KVS-SUDO-PROMPT-${nonce}:`;
    const wrapped = ['sh', '-c', `printf '%s\\n' ${okMarker} >&2; exec "$@"`, 'sh', ...argv];
    const sudoArgv =
      password === undefined
        ? ['env', 'LC_ALL=C', 'sudo', '-n', '-k', '--', ...wrapped]
        : ['env', 'LC_ALL=C', 'sudo', '-S', '-p', prompt, '-k', '--', ...wrapped];
    const command = shellQuote(sudoArgv);

    let pre = '';
    let ok = false;
    let sentPassword = false;
    let wrongPassword = false;
    let stdinEnded = false;
    let chan: ClientChannel | undefined;

    const countPrompts = (text: string): number => {
      const ours = text.split(prompt).length - 1;
      // Fallback for a PAM prompt sudo did not replace with ours ("Password: ", "[sudo] password for x: ").
      const pam = (text.match(/password( for [^:\n]*)?: ?/gi) ?? []).length;
      return Math.max(ours, pam);
    };
    const endStdin = (data?: string | Buffer): void => {
      if (stdinEnded || !chan) return;
      stdinEnded = true;
      writeStdinAndEnd(chan, data);
    };
    const react = (): void => {
      if (!chan || ok) return;
      const prompts = countPrompts(pre);
      if (prompts === 1 && !sentPassword && password !== undefined) {
        sentPassword = true;
        chan.write(`${password}\n`); // stdin only: never on the command line, never logged
      } else if (prompts >= 2) {
        wrongPassword = true; // sudo asks again: let it hit EOF instead of retrying
        endStdin();
      }
    };

    const result = await run(command, execOpts, {
      drive: (ch) => {
        chan = ch;
        if (password === undefined) endStdin(execOpts.stdin);
        react();
      },
      filterStderr: (chunk) => {
        if (ok) return chunk;
        pre += chunk.toString('utf8');
        const at = pre.indexOf(`${okMarker}\n`);
        if (at >= 0) {
          ok = true;
          const rest = pre.slice(at + okMarker.length + 1);
          pre = pre.slice(0, at);
          endStdin(execOpts.stdin);
          return rest.length > 0 ? Buffer.from(rest, 'utf8') : undefined;
        }
        react();
        return undefined;
      },
    });
    if (ok) return result;

    // sudo refused before running the command: say why.
    const said = scrub(pre.split(prompt).join('').trim(), [password]);
    const who = `"${info.username}" on ${info.host}`;
    if (/not in the sudoers|not allowed to (run|execute)|may not run sudo|is not allowed to/i.test(said)) {
      throw new SshError('SUDO_NOT_ALLOWED', `${who} is not allowed to use sudo; add the user to the sudo group or use root.`, said);
    }
    if (
      wrongPassword ||
      /incorrect password|sorry, try again|no password was provided|authentication failure|password is required/i.test(said)
    ) {
      throw new SshError(
        'SUDO_AUTH_FAILED',
        password === undefined
          ? `sudo on ${info.host} needs the password of ${who.split(' on ')[0]}; none was given.`
          : `sudo on ${info.host} rejected the password of ${who.split(' on ')[0]}.`,
        said,
      );
    }
    if (result.code === 127 || /sudo: (command )?not found/i.test(said)) {
      throw new SshError('SUDO_NOT_ALLOWED', `sudo is not installed on ${info.host}; log in as root or install sudo.`, said);
    }
    throw new SshError('SSH_COMMAND_FAILED', `sudo on ${info.host} failed (exit ${String(result.code)}): ${said.split('\n')[0] ?? ''}`, said);
  };

  const getSftp = (): Promise<SFTPWrapper> => {
    if (closed) return Promise.reject(new SshError('SSH_UNREACHABLE', `The connection to ${info.host} is closed.`, 'reason=closed'));
    sftpPromise ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((e, sftp) => {
        if (e) {
          sftpPromise = undefined;
          reject(new SshError('SSH_COMMAND_FAILED', `The server on ${info.host} does not offer SFTP: ${e.message}`, 'reason=no-sftp'));
        } else resolve(sftp);
      });
    });
    return sftpPromise;
  };

  const chmod = (sftp: SFTPWrapper, remotePath: string, mode: number): Promise<void> =>
    new Promise((resolve, reject) => {
      sftp.chmod(remotePath, mode, (e) =>
        e ? reject(new SshError('SSH_COMMAND_FAILED', `Could not set the mode of ${remotePath}: ${e.message}`, 'reason=sftp-chmod')) : resolve(),
      );
    });

  const upload = async (localPath: string, remotePath: string, opts: UploadOptions = {}): Promise<void> => {
    const sftp = await getSftp();
    deps.log?.(`sftp put ${localPath} -> ${remotePath}`);
    await new Promise<void>((resolve, reject) => {
      sftp.fastPut(
        localPath,
        remotePath,
        {
          ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
          step: (transferred, _chunk, total) => opts.onProgress?.(transferred, total),
        },
        (e) =>
          e
            ? reject(new SshError('SSH_COMMAND_FAILED', `Could not upload ${localPath} to ${info.host}:${remotePath}: ${e.message}`, 'reason=sftp-put'))
            : resolve(),
      );
    });
    if (opts.mode !== undefined) await chmod(sftp, remotePath, opts.mode);
  };

  const writeFile = async (remotePath: string, content: string | Buffer, mode: number): Promise<void> => {
    const sftp = await getSftp();
    deps.log?.(`sftp write ${remotePath} (mode ${mode.toString(8)})`);
    await new Promise<void>((resolve, reject) => {
      sftp.writeFile(remotePath, content, { mode }, (e) =>
        e
          ? reject(new SshError('SSH_COMMAND_FAILED', `Could not write ${info.host}:${remotePath}: ${e.message}`, 'reason=sftp-write'))
          : resolve(),
      );
    });
    await chmod(sftp, remotePath, mode); // mode only applies when the file is created
  };

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
