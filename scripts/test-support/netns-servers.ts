/**
 * Several "servers" on this machine for tests that install Kafka over SSH (a cluster needs three
 * or five), each sealed off with its own network address AND its own filesystem view, so that
 * installs into them do not collide with each other or with this machine:
 *
 * - one Linux bridge `kvs-v<N>-br` in the root namespace on a free 10.232.N.0/24 (reserveSubnet();
 *   its reservation veth pair stays, unused, until close). The root namespace is `hostAddress`
 *   10.232.N.1; server i is 10.232.N.(10+i) on `eth0` in network namespace `<prefix>-<rand>-<i>`,
 *   joined to the bridge by veth `kvs-v<N>-h<i>`. Servers reach each other and this machine reaches
 *   each; there is no default route, so nothing leaves the machine.
 * - per server a holder process (`sleep infinity`, started by `ip netns exec <ns> unshare --mount
 *   --uts --propagation slave`) owns a private mount + UTS namespace. In it, folders of this
 *   machine are covered by bind mounts of the server's own folders under `rootDir`:
 *   /etc, /var/lib, /var/log, /var/mail, /srv are copies (taken at start; not the data of services
 *   such as PostgreSQL or Docker, see NOT_COPIED) and /opt, /home, /tmp,
 *   /var/tmp, /run start empty. Slave propagation: our mounts never reach the root namespace,
 *   but unmounts there (another test's `ip netns del`) still reach ours, so we keep nobody's
 *   namespace alive. /etc is a bind-mounted folder, not single files, so `useradd` (which renames
 *   /etc/passwd+ over /etc/passwd) edits the server's own copy. The copies are scrubbed of what an
 *   install test may have left on this machine (LAYOUT's folders, the `kafka` user), so every
 *   server starts like a fresh machine whatever runs next to it.
 * - per server an sshd (`sshd -D -e`, entered into the holder's namespaces with nsenter), its host
 *   key, sshd_config and authorized_keys in the server's /etc/ssh/kvs-server, its privsep folder
 *   in the server's /run/sshd; a throwaway user `<prefix>-t<i>-<rand>` with a shell-hostile password
 *   (or, with `sharedLogin`, one user `<prefix>-t-<rand>` and one password on every server)
 *   created INSIDE the server (so only its /etc knows it) and, with `sudo: true`, its sudoers.d
 *   file there. The hostname is `<prefix>-<i>`, listed with every server's address in each
 *   server's /etc/hosts.
 *
 * Everything a session starts (sudo, runuser, java) inherits the server's view. What the view does
 * not cover: /usr, /root, /dev/shm and /proc are this machine's (one PID namespace: `ps` inside
 * shows every process).
 *
 * From the test: exec(argv) runs a command as root in a server's namespaces (read its files, kill
 * its java), hostPath() says where a server path lies on this machine, setLinkDown()/setLinkUp()
 * cut its link (its bridge port), pids() lists what runs in it. `count: 1` is the one-server form:
 * an install test on it needs no install lock and never touches this machine's /var/lib/kafka.
 *
 * close() kills every process in the namespaces (by `ip netns pids`), removes namespaces, veths,
 * the bridge, the reservation and the temp folder: idempotent, best effort, each step on its own.
 * A test process killed outright leaves them behind (as netns-sshd's sandbox does): `ip netns
 * pids` and `ip netns del` on the `<prefix>-…` namespaces, `ip link del kvs-v<N>-br` clean up.
 *
 * Plain Node (no Vitest), like netns-sshd.ts. Needs Linux and root: check serversSkipReason().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LAYOUT } from '../../electron/core/setup/config.js';
import { SANDBOX_NET, reserveSubnet, sh } from './netns-subnet.js';
import { generateKey } from './ssh-test-keys.js';
import { sshdSkipReason } from './netns-sshd.js';

const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 15_000;
/** Folders copied from this machine at start (small, and a server needs their content). */
const COPIED = ['/etc', '/var/lib', '/var/log', '/var/mail', '/srv'] as const;
/** Not copied: data of services a test server does not run (time and disk, × every server). */
const NOT_COPIED: readonly string[] = [
  '/var/lib/postgresql',
  '/var/lib/mysql',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/lxd',
  '/var/lib/snapd',
];
/** Folders that start empty, with these modes. */
const EMPTY: ReadonlyArray<readonly [string, number]> = [
  ['/opt', 0o755],
  ['/home', 0o755],
  ['/tmp', 0o1777],
  ['/var/tmp', 0o1777],
  ['/run', 0o755],
];
/** Every folder a server has its own of (the bind mounts, in mount order). */
export const PRIVATE_DIRS: readonly string[] = [...COPIED, ...EMPTY.map(([d]) => d)];
/** Where each server's sshd files live (inside the server's own /etc). */
const SSHD_DIR = '/etc/ssh/kvs-server';

/** Why no servers can be started on this machine, or undefined when they can. */
export function serversSkipReason(): string | undefined {
  const sshd = sshdSkipReason();
  if (sshd !== undefined) return sshd;
  const tools = ['unshare', 'nsenter', 'mount', 'cp', 'getent', 'hostname'];
  if (spawnSync('sh', ['-c', `command -v ${tools.join(' ')}`]).status !== 0)
    return `${tools.join('/')} missing`;
  return undefined;
}

export interface NetnsServersOptions {
  /** How many servers, 1 to 9 (a cluster: 3 or 5). */
  count: number;
  /**
   * Names the namespaces (`<prefix>-<rand>-<i>`), hostnames (`<prefix>-<i>`), the users
   * (`<prefix>-t<i>-<rand>`) and the temp folder. Lower case, starting with "kvs", at most 20
   * characters.
   */
  prefix: string;
  /** Put each server's user in its sudoers.d (password required), default false. */
  sudo?: boolean;
  /**
   * The same user and password on every server (a cluster install's "same credentials for
   * all"), default false: each server its own user and password, so a mix-up shows.
   */
  sharedLogin?: boolean;
}

export interface NetnsServer {
  /** 1-based. */
  readonly index: number;
  /** Network namespace name. */
  readonly ns: string;
  /** The server's hostname (its own UTS namespace), e.g. kvs-cluster-1. */
  readonly hostname: string;
  /** e.g. 10.232.17.11 (sshd on port 22, on eth0 inside). */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Contains shell-hostile characters: ' " $ \ */
  readonly password: string;
  /** The user's home inside the server. */
  readonly home: string;
  /** "SHA256:…" of the server's host key. */
  readonly hostKeyFingerprint: string;
  /** The root-namespace end of the server's veth (a bridge port). */
  readonly hostVeth: string;
  /** This machine's folder holding the server's own folders: `<rootDir>/var/lib` is its /var/lib. */
  readonly rootDir: string;
  /** The holder process: its /proc/<pid>/ns/{mnt,uts,net} are the server's namespaces. */
  readonly holderPid: number;
  /**
   * Where a path of the server is on this machine, e.g. /var/lib/kafka → <rootDir>/var/lib/kafka.
   * Throws for a path outside the server's own folders (PRIVATE_DIRS).
   */
  hostPath(serverPath: string): string;
  /** Runs a command in the server's namespaces as root; resolves with its stdout. */
  exec(argv: readonly string[], input?: string): Promise<string>;
  /** Every pid in the server's network namespace (the holder, sshd, sessions, java …). */
  pids(): Promise<number[]>;
  /** Takes the server's bridge port down: nothing reaches it, it reaches nothing. */
  setLinkDown(): Promise<void>;
  setLinkUp(): Promise<void>;
  /** Replaces the authorized_keys of the server's sshd (every user) with these public keys. */
  authorizeKey(...publicKeys: Array<string | Buffer>): Promise<void>;
  /** Everything the server's sshd wrote to stderr, for failure messages. */
  sshdLog(): string;
}

export interface NetnsServers {
  readonly servers: readonly NetnsServer[];
  /** The bridge in the root namespace. */
  readonly bridge: string;
  /** This machine's address on the bridge, e.g. 10.232.17.1. */
  readonly hostAddress: string;
  /** e.g. 10.232.17.0/24 */
  readonly subnet: string;
  /** The temp folder (0700) holding every server's rootDir. */
  readonly dir: string;
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

const nsPidsOf = async (ns: string): Promise<number[]> =>
  (await sh('ip', ['netns', 'pids', ns])).split(/\s+/).filter(Boolean).map(Number);

interface ServerState {
  index: number;
  ns: string;
  hostname: string;
  address: string;
  user: string;
  password: string;
  home: string;
  hostKeyFingerprint: string;
  hostVeth: string;
  nsVeth: string;
  rootDir: string;
  holder?: ChildProcess;
  holderPid: number;
  sshd?: ChildProcess;
  log: string;
  made: { ns: boolean; veth: boolean };
}

/** Waits until `pid` runs `comm` (after `ip netns exec` and `unshare` exec'd into it). */
async function waitForComm(child: ChildProcess, comm: string): Promise<number> {
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the namespace holder');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the namespace holder exited (${String(child.exitCode ?? child.signalCode)})`,
      );
    const now = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (now.trim() === comm) return pid;
    await delay(50);
  }
  throw new Error(`the namespace holder did not become ${comm}`);
}

/** Builds the servers; on any failure it removes what it made and rethrows. */
export async function startNetnsServers(opts: NetnsServersOptions): Promise<NetnsServers> {
  const { prefix, count } = opts;
  if (!/^kvs[a-z0-9-]{0,17}$/.test(prefix))
    throw new Error(`bad servers prefix: ${JSON.stringify(prefix)}`);
  if (!Number.isInteger(count) || count < 1 || count > 9)
    throw new Error(`bad server count: ${String(count)}`);
  const rand = randomBytes(3).toString('hex');
  const sharedPassword = randomPassword();
  const servers: ServerState[] = [];
  let dir = '';
  let reservation = '';
  let octet = -1;
  let bridge = '';
  let bridgeMade = false;
  let closing: Promise<void> | undefined;

  const killOnExit = (): void => {
    for (const s of servers) {
      s.sshd?.kill('SIGKILL');
      s.holder?.kill('SIGKILL');
    }
  };
  process.on('exit', killOnExit);

  const inServer = (s: ServerState, argv: readonly string[], input?: string): Promise<string> => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('empty command');
    return sh(
      'nsenter',
      ['-t', String(s.holderPid), '-m', '-u', '-n', '--wd=/', '--', cmd, ...args],
      input,
    );
  };

  const closeServer = async (s: ServerState): Promise<void> => {
    const sshd = s.sshd;
    s.sshd = undefined;
    if (sshd && sshd.exitCode === null && sshd.signalCode === null) {
      const exited = new Promise<void>((resolve) => sshd.once('exit', () => resolve()));
      sshd.kill('SIGTERM');
      await Promise.race([exited, delay(2000)]);
    }
    if (s.made.ns) {
      // Everything the server ran (sessions, sudo, java, the holder) is in its network namespace.
      await step(async () => {
        for (let i = 0; i < 50; i++) {
          const left = await nsPidsOf(s.ns);
          if (left.length === 0) break;
          for (const pid of left) await step(async () => process.kill(pid, 'SIGKILL'));
          await delay(100);
        }
      });
    }
    // Our own children: wait until Node has reaped them, so no zombie outlives close().
    await Promise.all(
      [sshd, s.holder].map(async (c) => {
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGKILL');
        await Promise.race([exited, delay(2000)]);
      }),
    );
    if (s.made.veth) await step(() => sh('ip', ['link', 'del', s.hostVeth]));
    if (s.made.ns) await step(() => sh('ip', ['netns', 'del', s.ns]));
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all(servers.map((s) => step(() => closeServer(s))));
      if (bridgeMade) await step(() => sh('ip', ['link', 'del', bridge]));
      // Last: deleting the reservation frees the subnet for other fixtures.
      if (reservation) await step(() => sh('ip', ['link', 'del', reservation]));
      if (dir) await step(() => rm(dir, { recursive: true, force: true }));
      process.off('exit', killOnExit);
    })();
    return closing;
  };

  const makeRoot = async (s: ServerState): Promise<void> => {
    await mkdir(s.rootDir, { mode: 0o755 });
    for (const d of COPIED) {
      const to = path.join(s.rootDir, d);
      await mkdir(path.dirname(to), { recursive: true, mode: 0o755 });
      // A symlink would be followed by the bind mount, to this machine's folder: copy real folders only.
      const st = await lstat(d).catch(() => undefined);
      await mkdir(to, { mode: 0o755 });
      if (!st?.isDirectory()) continue;
      await chmod(to, st.mode & 0o7777);
      const entries = (await readdir(d)).filter((e) => !NOT_COPIED.includes(path.join(d, e)));
      if (entries.length > 0)
        await sh('cp', ['-a', '-t', to, ...entries.map((e) => path.join(d, e))]);
    }
    for (const [d, mode] of EMPTY) {
      const to = path.join(s.rootDir, d);
      await mkdir(to, { recursive: true });
      await chmod(to, mode);
    }
    // A copy taken while someone else's useradd ran would keep its lock files, and every
    // useradd in this server would then fail ("cannot lock /etc/passwd").
    for (const f of ['passwd', 'shadow', 'group', 'gshadow', 'subuid', 'subgid'])
      await rm(path.join(s.rootDir, 'etc', `${f}.lock`), { force: true });
    // A fresh machine as far as the install is concerned: none of LAYOUT's folders.
    for (const d of [LAYOUT.stateDir, LAYOUT.logDir, LAYOUT.stagingDir])
      await rm(path.join(s.rootDir, d), { recursive: true, force: true });
    for (const [d, mode] of [
      ['/run/sshd', 0o755],
      ['/run/lock', 0o1777],
    ] as const) {
      await mkdir(path.join(s.rootDir, d));
      await chmod(path.join(s.rootDir, d), mode);
    }
    await mkdir(path.join(s.rootDir, SSHD_DIR), { mode: 0o755 });
  };

  const startHolder = async (s: ServerState): Promise<void> => {
    const holder = spawn(
      'ip',
      [
        'netns',
        'exec',
        s.ns,
        'unshare',
        '--mount',
        '--uts',
        '--propagation',
        'slave',
        '--',
        'sleep',
        'infinity',
      ],
      { stdio: 'ignore' },
    );
    s.holder = holder;
    holder.on('error', () => undefined);
    s.holderPid = await waitForComm(holder, 'sleep');
    // Never mount anything unless the holder really is in namespaces of its own.
    for (const kind of ['mnt', 'uts', 'net']) {
      const mine = await readlink(`/proc/self/ns/${kind}`);
      const init = await readlink(`/proc/1/ns/${kind}`).catch(() => mine);
      const its = await readlink(`/proc/${s.holderPid}/ns/${kind}`);
      if (its === mine || its === init)
        throw new Error(`the holder of ${s.ns} shares this machine's ${kind} namespace`);
    }
    // The folder that holds rootDir (/tmp) last: once covered, the sources below it are hidden.
    const holdsDir = (d: string): boolean => dir.startsWith(`${d}/`);
    const order = [...PRIVATE_DIRS.filter((d) => !holdsDir(d)), ...PRIVATE_DIRS.filter(holdsDir)];
    for (const d of order)
      await sh('nsenter', [
        '-t',
        String(s.holderPid),
        '-m',
        '--',
        'mount',
        '--bind',
        path.join(s.rootDir, d),
        d,
      ]);
    await inServer(s, ['hostname', s.hostname]);
  };

  /** This fixture's block of user/group ids (100 per server), apart from other fixtures' by chance of 1 in 400. */
  const idBase = 20_000 + randomInt(400) * 1000;
  const prepareEtc = async (s: ServerState, hosts: string): Promise<void> => {
    // Not the machine's leftovers: the server has no `kafka` user until an install makes one.
    const has = (name: string, db: string): Promise<boolean> =>
      inServer(s, ['getent', db, name]).then(
        () => true,
        () => false,
      );
    if (await has(LAYOUT.user, 'passwd')) await inServer(s, ['userdel', '-f', LAYOUT.user]);
    if (await has(LAYOUT.user, 'group')) await inServer(s, ['groupdel', LAYOUT.user]);
    // Its own user and group ids: the PID namespace is this machine's, and `userdel kafka` (an
    // uninstall, here or in an install test on this machine) refuses while any process runs under
    // that numeric id — a server's `kafka` must never share the machine's or another server's id.
    const base = idBase + s.index * 100;
    const defsFile = path.join(s.rootDir, 'etc/login.defs');
    const defs = await readFile(defsFile, 'utf8').catch(() => '');
    const ranges = [
      ['UID_MIN', base + 50],
      ['UID_MAX', base + 99],
      ['GID_MIN', base + 50],
      ['GID_MAX', base + 99],
      ['SYS_UID_MIN', base],
      ['SYS_UID_MAX', base + 49],
      ['SYS_GID_MIN', base],
      ['SYS_GID_MAX', base + 49],
    ] as const;
    const names = new Set<string>(ranges.map(([k]) => k));
    await writeFile(
      defsFile,
      `${defs
        .split('\n')
        .filter((l) => !names.has(l.trim().replace(/^#/, '').split(/\s+/)[0] ?? ''))
        .join('\n')
        .trimEnd()}\n${ranges.map(([k, v]) => `${k} ${v}`).join('\n')}\n`,
    );
    const hostsFile = path.join(s.rootDir, 'etc/hosts');
    const old = await readFile(hostsFile, 'utf8').catch(() => '127.0.0.1 localhost\n');
    await writeFile(hostsFile, `${old.trimEnd()}\n${hosts}`);

    await inServer(s, ['useradd', '-m', '-s', '/bin/sh', s.user]);
    await inServer(s, ['chpasswd'], `${s.user}:${s.password}\n`);
    s.home = (await inServer(s, ['getent', 'passwd', s.user])).trim().split(':')[5] ?? '';
    if (opts.sudo)
      await writeFile(
        path.join(s.rootDir, 'etc/sudoers.d', s.user),
        `${s.user} ALL=(ALL:ALL) ALL\n`,
        { mode: 0o440 },
      );
  };

  const startSshd = async (s: ServerState): Promise<void> => {
    const hostDir = path.join(s.rootDir, SSHD_DIR);
    s.hostKeyFingerprint = await generateKey(
      path.join(hostDir, 'hostkey'),
      `${s.hostname}-hostkey`,
    );
    await writeFile(path.join(hostDir, 'authorized_keys'), '', { mode: 0o644 });
    const config = [
      `ListenAddress ${s.address}`,
      'Port 22',
      `HostKey ${SSHD_DIR}/hostkey`,
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${SSHD_DIR}/authorized_keys`,
      'UsePAM yes',
      'PidFile /run/sshd-kvs-server.pid',
      'StrictModes no',
      'PermitRootLogin no',
      `AllowUsers ${s.user}`,
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ];
    await writeFile(path.join(hostDir, 'sshd_config'), config.join('\n'), { mode: 0o600 });
    const child = spawn(
      'nsenter',
      [
        '-t',
        String(s.holderPid),
        '-m',
        '-u',
        '-n',
        '--wd=/',
        '--',
        SSHD,
        '-D',
        '-e',
        '-f',
        `${SSHD_DIR}/sshd_config`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    s.sshd = child;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`sshd in ${s.ns} did not start:\n${s.log}`)),
        START_TIMEOUT_MS,
      );
      child.stderr?.on('data', (d: Buffer) => {
        s.log += d.toString();
        if (s.log.includes('Server listening on')) {
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
        reject(new Error(`sshd in ${s.ns} exited (${String(code)}):\n${s.log}`));
      });
    });
  };

  try {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-servers-`));
    const net = await reserveSubnet();
    reservation = net.vethHost;
    octet = net.octet;
    const base = `${SANDBOX_NET}.${octet}`;
    bridge = `kvs-v${octet}-br`;
    await sh('ip', ['link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0']);
    bridgeMade = true;
    await sh('ip', ['addr', 'add', `${base}.1/24`, 'dev', bridge]);
    await sh('ip', ['link', 'set', bridge, 'up']);

    for (let i = 1; i <= count; i++) {
      servers.push({
        index: i,
        ns: `${prefix}-${rand}-${i}`,
        hostname: `${prefix}-${i}`,
        address: `${base}.${10 + i}`,
        user: opts.sharedLogin ? `${prefix}-t-${rand}` : `${prefix}-t${i}-${rand}`,
        password: opts.sharedLogin ? sharedPassword : randomPassword(),
        home: '',
        hostKeyFingerprint: '',
        hostVeth: `kvs-v${octet}-h${i}`,
        nsVeth: `kvs-v${octet}-n${i}`,
        rootDir: path.join(dir, `s${i}`),
        holderPid: 0,
        log: '',
        made: { ns: false, veth: false },
      });
    }
    const hosts = servers.map((s) => `${s.address} ${s.hostname}\n`).join('');

    await Promise.all(
      servers.map(async (s) => {
        await makeRoot(s);
        await sh('ip', ['netns', 'add', s.ns]);
        s.made.ns = true;
        await sh('ip', ['link', 'add', s.hostVeth, 'type', 'veth', 'peer', 'name', s.nsVeth]);
        s.made.veth = true;
        await sh('ip', ['link', 'set', s.hostVeth, 'master', bridge]);
        await sh('ip', ['link', 'set', s.hostVeth, 'up']);
        await sh('ip', ['link', 'set', s.nsVeth, 'netns', s.ns]);
        const inNs = (args: string[]): Promise<string> =>
          sh('ip', ['netns', 'exec', s.ns, 'ip', ...args]);
        await inNs(['link', 'set', s.nsVeth, 'name', 'eth0']);
        await inNs(['addr', 'add', `${s.address}/24`, 'dev', 'eth0']);
        await inNs(['link', 'set', 'eth0', 'up']);
        await inNs(['link', 'set', 'lo', 'up']);
        await startHolder(s);
        await prepareEtc(s, hosts);
        await startSshd(s);
      }),
    );
  } catch (e) {
    await close();
    throw e;
  }

  const handle = (s: ServerState): NetnsServer => ({
    index: s.index,
    ns: s.ns,
    hostname: s.hostname,
    address: s.address,
    port: 22,
    user: s.user,
    password: s.password,
    home: s.home,
    hostKeyFingerprint: s.hostKeyFingerprint,
    hostVeth: s.hostVeth,
    rootDir: s.rootDir,
    holderPid: s.holderPid,
    hostPath: (p) => {
      const norm = path.posix.normalize(p);
      const top = PRIVATE_DIRS.filter((d) => norm === d || norm.startsWith(`${d}/`));
      if (!path.posix.isAbsolute(norm) || top.length === 0)
        throw new Error(`${p} is not in one of the server's own folders`);
      return path.join(s.rootDir, norm);
    },
    exec: (argv, input) => {
      if (closing) return Promise.reject(new Error('the servers are closed'));
      return inServer(s, argv, input);
    },
    pids: async () => (closing ? [] : nsPidsOf(s.ns)),
    setLinkDown: async () => {
      await sh('ip', ['link', 'set', s.hostVeth, 'down']);
    },
    setLinkUp: async () => {
      await sh('ip', ['link', 'set', s.hostVeth, 'up']);
    },
    authorizeKey: async (...keys) => {
      const file = path.join(s.rootDir, SSHD_DIR, 'authorized_keys');
      await writeFile(file, keys.map((k) => k.toString().trimEnd() + '\n').join(''), {
        mode: 0o644,
      });
      await chmod(file, 0o644);
    },
    sshdLog: () => s.log,
  });

  return {
    servers: servers.map(handle),
    bridge,
    hostAddress: `${SANDBOX_NET}.${octet}.1`,
    subnet: `${SANDBOX_NET}.${octet}.0/24`,
    dir,
    close,
  };
}
