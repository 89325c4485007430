/**
 * A real OpenSSH server for tests, sealed off in a network namespace of its own:
 *
 * - namespace `<prefix>-<rand>`, reached over a veth pair on a free 10.232.N.0/30
 *   (`hostAddress` 10.232.N.1 is the root-namespace end, sshd listens on `address`
 *   10.232.N.2:22 only), so no traffic leaves this machine and nothing listens outside;
 * - a throwaway user `<prefix>-t-<rand>` with a home, a password full of shell-hostile
 *   characters and, with `sudo: true`, a sudoers.d file;
 * - an ed25519 host key, sshd_config, authorized_keys and the logs in a private temp folder
 *   (0755: sshd reads authorized_keys as the test user);
 * - `sshd -D -e -f <cfg>` started with `ip netns exec`, its stderr kept for failure messages.
 *
 * close() takes all of it down again, each step on its own (best effort, idempotent). It
 * never removes /run/sshd: that is the system's privilege-separation folder, and another
 * test's sshd may be using it (it is only created, 0755, when missing).
 *
 * Plain Node (no Vitest): the Vitest integration tests and the Playwright e2e global setup
 * (run through tsx) both use it. Needs Linux and root: check sshdSkipReason() first.
 *
 * Shared parts: netns-subnet.ts (sh, the subnet reservation), ssh-test-keys.ts (key pairs); both
 * re-exported here.
 *
 * The sandbox shares this machine's filesystem (users, /etc, /var/lib …): it is for tests that
 * only need an sshd. Tests that install Kafka use netns-servers.ts (`count: 1` for one server),
 * whose servers have folders and users of their own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SANDBOX_NET, reserveSubnet, sh } from './netns-subnet.js';
import { generateKey, keyFingerprint } from './ssh-test-keys.js';

export { SANDBOX_NET, reserveSubnet, sh } from './netns-subnet.js';
export { generateKey, keyFingerprint } from './ssh-test-keys.js';

const SSHD = '/usr/sbin/sshd';
const SUDO = '/usr/bin/sudo';
const PRIVSEP_DIR = '/run/sshd';
const START_TIMEOUT_MS = 15_000;

/** Why no sandbox can be started on this machine, or undefined when it can. */
export function sshdSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespace, sshd, useradd)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  if (!existsSync(SSHD)) return `${SSHD} is not installed`;
  if (!existsSync(SUDO)) return 'sudo is not installed';
  const tools = ['ssh-keygen', 'useradd', 'chpasswd', 'userdel', 'runuser'];
  if (spawnSync('sh', ['-c', `command -v ${tools.join(' ')}`]).status !== 0)
    return `${tools.join('/')} missing`;
  return undefined;
}


export interface SshdSandboxOptions {
  /**
   * Names the namespace (`<prefix>-<rand>`), the user (`<prefix>-t-<rand>`), its sudoers
   * file and the temp folder. Lower case, starting with "kvs" (so leftovers are easy to
   * spot), at most 20 characters.
   */
  prefix: string;
  /** Put the user in sudoers (password required), default false. See also setSudo(). */
  sudo?: boolean;
  /**
   * Extra sshd_config lines. They go before the defaults, so they win (sshd takes the first
   * value of a keyword); a trailing `Match` block goes after them. Cumulative keywords
   * (HostKey, ListenAddress) add to the defaults: use restartSshd({ hostKeyFile }) for
   * another host key.
   */
  sshdConfig?: string[];
}

export interface SshdSandbox {
  /** Namespace name. */
  readonly ns: string;
  /** sshd's IPv4 inside the namespace, e.g. 10.232.17.2 (port 22). */
  readonly address: string;
  /** The root-namespace end of the veth pair, e.g. 10.232.17.1. */
  readonly hostAddress: string;
  readonly port: number;
  readonly user: string;
  /** The user's home (created by useradd -m). */
  readonly home: string;
  /** Contains shell-hostile characters: ' " $ \ */
  readonly password: string;
  /** Private temp folder (0755) holding host key, config, logs; removed by close(). */
  readonly dir: string;
  /** The host key sshd currently uses (private key file). */
  readonly hostKeyFile: string;
  /** "SHA256:…" of the current host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** sshd's AuthorizedKeysFile (for every user), in `dir`; see authorizeKey(). */
  readonly authorizedKeysFile: string;
  /** The sudoers.d file setSudo(true) / `sudo: true` writes. */
  readonly sudoersFile: string;
  /** The current sshd_config. */
  readonly configFile: string;
  /** Everything sshd wrote to stderr so far (all its runs), for failure messages. */
  sshdLog(): string;
  /** Every pid currently in the namespace (empty once closed). */
  pids(): Promise<number[]>;
  /** Runs a command inside the namespace; resolves with its stdout. */
  execInNamespace(cmd: string, args: string[]): Promise<string>;
  /** Replaces authorized_keys (0644) with these public keys. */
  authorizeKey(...publicKeys: Array<string | Buffer>): Promise<void>;
  /** Writes (0440) or removes the user's sudoers.d file. */
  setSudo(allowed: boolean): Promise<void>;
  /**
   * Stops sshd (after letting per-connection processes finish, up to 5 s) and starts it
   * again, optionally with another host key and/or other extra config lines.
   */
  restartSshd(opts?: { hostKeyFile?: string; sshdConfig?: string[] }): Promise<void>;
  /** Idempotent, best effort; every teardown step runs even when another fails. */
  close(): Promise<void>;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function step(f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch {
    /* keep cleaning */
  }
}

function randomPassword(): string {
  return `Pw-${randomBytes(6).toString('hex')}-'"$x\\y`;
}


/** Builds the sandbox; on any failure it removes what it made and rethrows. */
export async function startSshdSandbox(opts: SshdSandboxOptions): Promise<SshdSandbox> {
  const { prefix } = opts;
  if (!/^kvs[a-z0-9-]{0,17}$/.test(prefix))
    throw new Error(`bad sandbox prefix: ${JSON.stringify(prefix)}`);
  const rand = randomBytes(3).toString('hex');
  const ns = `${prefix}-${rand}`;
  const user = `${prefix}-t-${rand}`;
  const sudoersFile = `/etc/sudoers.d/${user}`;
  const password = randomPassword();
  const made = { ns: false, veth: false, user: false, sudoers: false };
  let dir = '';
  let vethHost = '';
  let address = '';
  let hostAddress = '';
  let home = '';
  let hostKeyFile = '';
  let hostKeyFingerprint = '';
  let extraConfig = opts.sshdConfig ?? [];
  let sshd: ChildProcess | undefined;
  let log = '';
  let closing: Promise<void> | undefined;
  let nsGone = false;

  const killSshdOnExit = (): void => {
    sshd?.kill('SIGKILL');
  };
  const configFile = (): string => path.join(dir, 'sshd_config');
  const authorizedKeysFile = (): string => path.join(dir, 'authorized_keys');

  const nsPids = async (): Promise<number[]> =>
    (await sh('ip', ['netns', 'pids', ns])).split(/\s+/).filter(Boolean).map(Number);
  const pids = async (): Promise<number[]> => (made.ns && !nsGone ? nsPids() : []);

  const writeConfig = async (): Promise<void> => {
    const matchAt = extraConfig.findIndex((l) => /^\s*Match\s/i.test(l));
    const head = matchAt < 0 ? extraConfig : extraConfig.slice(0, matchAt);
    const tail = matchAt < 0 ? [] : extraConfig.slice(matchAt);
    const lines = [
      ...head,
      `ListenAddress ${address}`,
      'Port 22',
      `HostKey ${hostKeyFile}`,
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${authorizedKeysFile()}`,
      'UsePAM yes',
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'PermitRootLogin no',
      `AllowUsers ${user}`,
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      ...tail,
      '',
    ];
    await writeFile(configFile(), lines.join('\n'), { mode: 0o600 });
  };

  const startSshd = async (): Promise<void> => {
    await writeConfig();
    const child = spawn('ip', ['netns', 'exec', ns, SSHD, '-D', '-e', '-f', configFile()], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    sshd = child;
    process.on('exit', killSshdOnExit);
    let thisRun = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`sshd did not start:\n${thisRun}`)),
        START_TIMEOUT_MS,
      );
      child.stderr?.on('data', (d: Buffer) => {
        thisRun += d.toString();
        log += d.toString();
        if (thisRun.includes('Server listening on')) {
          clearTimeout(t);
          resolve();
        }
      });
      child.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`sshd exited (${String(code)}):\n${thisRun}`));
      });
    });
  };

  const stopSshd = async (): Promise<void> => {
    const child = sshd;
    sshd = undefined;
    process.off('exit', killSshdOnExit);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Let per-connection sshd processes finish first, so sshd itself reaps them.
    for (let i = 0; i < 50; i++) {
      const now = await nsPids().catch(() => []);
      if (now.every((p) => p === child.pid)) break;
      await delay(100);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, delay(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      await step(stopSshd);
      // The host end first: that removes the pair, and frees the subnet's reservation.
      if (made.veth) await step(() => sh('ip', ['link', 'del', vethHost]));
      if (made.ns) {
        // Whatever sshd forked (sessions, what they started) lives in the namespace: end it by pid.
        await step(async () => {
          for (let i = 0; i < 30; i++) {
            const left = await nsPids();
            if (left.length === 0) break;
            for (const pid of left) await step(async () => process.kill(pid, 'SIGKILL'));
            await delay(100);
          }
        });
        await step(() => sh('ip', ['netns', 'del', ns]));
        nsGone = true;
      }
      if (made.sudoers) await step(() => rm(sudoersFile, { force: true }));
      if (made.user) await step(() => sh('userdel', ['-r', '-f', user]));
      // the perf-data folder of any JVM the user ran
      if (made.user)
        await step(() => rm(`/tmp/hsperfdata_${user}`, { recursive: true, force: true }));
      // PRIVSEP_DIR stays: another test's sshd may be using it.
      if (dir) await step(() => rm(dir, { recursive: true, force: true }));
    })();
    return closing;
  };

  const setSudo = async (allowed: boolean): Promise<void> => {
    if (allowed) {
      made.sudoers = true;
      await writeFile(sudoersFile, `${user} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
    } else {
      await rm(sudoersFile, { force: true });
    }
  };

  try {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-sshd-`));
    await chmod(dir, 0o755); // sshd reads authorized_keys as the test user

    await sh('ip', ['netns', 'add', ns]);
    made.ns = true;
    const net = await reserveSubnet();
    made.veth = true;
    vethHost = net.vethHost;
    hostAddress = `${SANDBOX_NET}.${net.octet}.1`;
    address = `${SANDBOX_NET}.${net.octet}.2`;
    await sh('ip', ['link', 'set', net.vethNs, 'netns', ns]);
    await sh('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', vethHost]);
    await sh('ip', ['link', 'set', vethHost, 'up']);
    await sh('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/30`, 'dev', net.vethNs]);
    await sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', net.vethNs, 'up']);
    await sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

    hostKeyFile = path.join(dir, 'hostkey');
    hostKeyFingerprint = await generateKey(hostKeyFile, `${prefix}-hostkey`);

    await sh('useradd', ['-m', '-s', '/bin/sh', user]);
    made.user = true;
    await sh('chpasswd', [], `${user}:${password}\n`);
    home = (await sh('getent', ['passwd', user])).trim().split(':')[5] ?? `/home/${user}`;
    if (opts.sudo) await setSudo(true);

    if (!existsSync(PRIVSEP_DIR)) {
      await mkdir(PRIVSEP_DIR, { mode: 0o755 }).then(
        () => chmod(PRIVSEP_DIR, 0o755), // whatever the umask
        (e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e; // another sandbox was quicker
        },
      );
    }
    await startSshd();
  } catch (e) {
    await close();
    throw e;
  }

  return {
    ns,
    address,
    hostAddress,
    port: 22,
    user,
    home,
    password,
    dir,
    get hostKeyFile() {
      return hostKeyFile;
    },
    get hostKeyFingerprint() {
      return hostKeyFingerprint;
    },
    authorizedKeysFile: authorizedKeysFile(),
    sudoersFile,
    configFile: configFile(),
    sshdLog: () => log,
    pids,
    execInNamespace: (cmd, args) => sh('ip', ['netns', 'exec', ns, cmd, ...args]),
    authorizeKey: async (...keys) => {
      const text = keys.map((k) => k.toString().trimEnd() + '\n').join('');
      await writeFile(authorizedKeysFile(), text, { mode: 0o644 });
      await chmod(authorizedKeysFile(), 0o644);
    },
    setSudo,
    restartSshd: async (o = {}) => {
      if (closing) throw new Error('the sshd sandbox is closed');
      if (o.hostKeyFile !== undefined && o.hostKeyFile !== hostKeyFile) {
        hostKeyFingerprint = await keyFingerprint(`${o.hostKeyFile}.pub`);
        hostKeyFile = o.hostKeyFile;
      }
      if (o.sshdConfig) extraConfig = o.sshdConfig;
      await stopSshd();
      await startSshd();
    },
    close,
  };
}
