/**
 * The multi-server fixture itself (netns-servers.ts): three "servers", each logged into with the
 * app's own SSH client (ssh2, host key pinned by fingerprint, password + sudo password), reach
 * each other over the bridge; what one writes under /var/lib or /opt and a user it adds stay in
 * that server; a link cut makes a server unreachable and its return reachable again; close()
 * leaves nothing (namespaces, veths, bridge, addresses, processes, mounts, temp folder).
 * Kafka installed into these servers (the same fixed layout in each, no collision) is what the
 * cluster tests do (electron/services/setup-cluster.int.test.ts) and the one-server install tests.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSsh, type SshSession } from '../../electron/core/ssh/ssh-session.js';
import { LAYOUT } from '../../electron/core/setup/config.js';
import { sh } from './netns-subnet.js';
import {
  serversSkipReason,
  startNetnsServers,
  type NetnsServer,
  type NetnsServers,
} from './netns-servers.js';

const reason = serversSkipReason();

/** Whether a TCP connection to address:22 from the root namespace opens within `ms`. */
function reachable(address: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port: 22, timeout: ms });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('timeout', () => done(false));
    sock.once('error', () => done(false));
  });
}

/** Reads the SSH banner of `address`:22 from inside a server, with bash's /dev/tcp. */
const BANNER_SCRIPT = 'exec 3<>"/dev/tcp/$1/22" && head -c 7 <&3';

/** `ps` of a live process, false when it is gone (or a zombie Node has not reaped yet). */
const pidAlive = (pid: number): string | false => {
  const ps = spawnSync('ps', ['-o', 'stat=,args=', '-p', String(pid)], { encoding: 'utf8' });
  const out = ps.stdout.trim();
  return out === '' || out.startsWith('Z') ? false : out;
};

describe.skipIf(reason !== undefined)(
  `three servers in network + mount namespaces${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    const rand = randomBytes(3).toString('hex');
    let starting: Promise<NetnsServers> | undefined;
    let fx: NetnsServers;
    let s1: NetnsServer;
    let s2: NetnsServer;
    let s3: NetnsServer;
    const sessions: SshSession[] = [];

    const login = async (s: NetnsServer): Promise<SshSession> => {
      const session = await openSsh({
        host: s.address,
        port: s.port,
        username: s.user,
        auth: { kind: 'password', password: s.password },
        readyTimeoutMs: 10_000,
        hostKey: { expectedFingerprint: s.hostKeyFingerprint },
      });
      sessions.push(session);
      return session;
    };
    const sudo = async (session: SshSession, s: NetnsServer, argv: string[]): Promise<string> => {
      const r = await session.sudo(argv, { password: s.password, timeoutMs: 20_000 });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };

    beforeAll(async () => {
      const t0 = Date.now();
      starting = startNetnsServers({ count: 3, prefix: 'kvs-srvtest', sudo: true });
      fx = await starting;
      [s1, s2, s3] = fx.servers as [NetnsServer, NetnsServer, NetnsServer];
      console.log(`3 servers up in ${Date.now() - t0} ms on ${fx.subnet}`);
    }, 120_000);

    afterAll(async () => {
      for (const s of sessions) await s.close().catch(() => undefined);
      await (await starting?.catch(() => undefined))?.close();
    }, 60_000);

    it('each server has its own address, hostname, sshd and host key; the app logs in with password and sudo', async () => {
      const octet = /^10\.232\.(\d+)\.0\/24$/.exec(fx.subnet)?.[1];
      expect(octet, fx.subnet).toBeDefined();
      expect(fx.hostAddress).toBe(`10.232.${octet}.1`);
      expect(fx.servers.map((s) => s.address)).toEqual(
        [11, 12, 13].map((n) => `10.232.${octet}.${n}`),
      );
      expect(new Set(fx.servers.map((s) => s.hostKeyFingerprint)).size).toBe(3);
      for (const c of [`'`, '"', '$', '\\']) expect(s1.password).toContain(c);
      // Each server its own login, which exists in that server only.
      expect(new Set(fx.servers.map((s) => s.user)).size).toBe(3);
      expect(new Set(fx.servers.map((s) => s.password)).size).toBe(3);
      expect(spawnSync('getent', ['passwd', s1.user]).status).not.toBe(0);
      await expect(s2.exec(['getent', 'passwd', s1.user])).rejects.toThrow();
      expect(await sh('ss', ['-Hltn'])).not.toContain(`${s1.address}:22`);

      for (const s of fx.servers) {
        const session = await login(s);
        expect(session.hostKey.fingerprint).toBe(s.hostKeyFingerprint);
        const host = await session.exec(['hostname'], { timeoutMs: 10_000 });
        expect(host.stdout.trim()).toBe(s.hostname);
        expect((await sudo(session, s, ['id', '-u'])).trim()).toBe('0');
        // sshd listens on the server's address only, inside its namespace.
        const listening = (await s.exec(['ss', '-Hltn'])).split('\n').filter(Boolean);
        expect(listening.length).toBeGreaterThan(0);
        for (const l of listening) expect(l).toContain(`${s.address}:22`);
        // No way off the machine: only the bridge's subnet is routed.
        expect(await s.exec(['ip', '-4', 'route'])).not.toContain('default');
        expect((await s.pids()).length).toBeGreaterThanOrEqual(2); // holder + sshd (+ sessions)
      }
    }, 60_000);

    it('servers reach each other and this machine over the bridge, both ways', async () => {
      for (const from of fx.servers) {
        const session = await login(from);
        for (const to of fx.servers.filter((s) => s !== from)) {
          const r = await session.exec(['bash', '-c', BANNER_SCRIPT, 'bash', to.address], {
            timeoutMs: 10_000,
          });
          expect(r.stdout, `${from.hostname} → ${to.hostname}: ${r.stderr}`).toBe('SSH-2.0');
          // and by name, through the server's own /etc/hosts
          expect(await from.exec(['getent', 'hosts', to.hostname])).toContain(to.address);
        }
      }
      for (const s of fx.servers) expect(await reachable(s.address, 3000)).toBe(true);

      // A server on this machine's bridge address (a test's Kafka mirror) is reachable from each.
      const server = createServer((c) => c.end('hello-from-host'));
      await new Promise<void>((resolve) => server.listen(0, fx.hostAddress, resolve));
      try {
        const { port } = server.address() as AddressInfo;
        for (const s of fx.servers) {
          const got = await s.exec([
            'timeout',
            '5',
            'bash',
            '-c',
            'exec 3<>"/dev/tcp/$1/$2" && cat <&3',
            'bash',
            fx.hostAddress,
            String(port),
          ]);
          expect(got, s.hostname).toBe('hello-from-host');
        }
      } finally {
        server.close();
      }
    }, 60_000);

    it('what a server writes to /var/lib, /opt, /tmp and /etc (useradd) stays in that server', async () => {
      const marker = `s1-${rand}`;
      const probeUser = `kvs-probe-${rand}`;
      const optDir = `/opt/kvs-probe-${rand}`;
      const session = await login(s1);
      await sudo(session, s1, ['mkdir', '-p', LAYOUT.stateDir, optDir]);
      await sudo(session, s1, [
        'sh',
        '-c',
        'echo "$1" > /var/lib/kafka/marker && echo "$1" > /tmp/marker',
        'sh',
        marker,
      ]);
      await sudo(session, s1, ['useradd', '--system', '--no-create-home', LAYOUT.user]);
      await sudo(session, s1, ['useradd', '--no-create-home', probeUser]);
      // A process started as the new user sees the same view.
      expect(
        (await sudo(session, s1, ['runuser', '-u', LAYOUT.user, '--', 'id', '-un'])).trim(),
      ).toBe(LAYOUT.user);
      expect((await sudo(session, s1, ['cat', '/var/lib/kafka/marker'])).trim()).toBe(marker);
      // … under a numeric id of its own: the PID namespace is shared, and userdel on this machine
      // (an install test's uninstall) refuses while any process runs under the same id
      const kafkaUid = Number((await sudo(session, s1, ['id', '-u', LAYOUT.user])).trim());
      expect(kafkaUid).toBeGreaterThanOrEqual(20_000);
      const machineIds = (await readFile('/etc/passwd', 'utf8'))
        .split('\n')
        .map((l) => Number(l.split(':')[2]));
      expect(machineIds).not.toContain(kafkaUid);

      // Server 1's files are in its rootDir on this machine …
      expect((await readFile(s1.hostPath('/var/lib/kafka/marker'), 'utf8')).trim()).toBe(marker);
      expect((await readFile(s1.hostPath('/tmp/marker'), 'utf8')).trim()).toBe(marker);
      expect(existsSync(s1.hostPath(optDir))).toBe(true);
      const passwd1 = await readFile(s1.hostPath('/etc/passwd'), 'utf8');
      expect(passwd1).toMatch(new RegExp(`^${LAYOUT.user}:`, 'm'));
      expect(passwd1).toMatch(new RegExp(`^${probeUser}:`, 'm'));
      expect(() => s1.hostPath('/usr/bin')).toThrow(/not in one of the server's own folders/);

      // … and nowhere else: not on this machine …
      expect(existsSync('/var/lib/kafka/marker')).toBe(false);
      expect(
        existsSync('/tmp/marker') && (await readFile('/tmp/marker', 'utf8')).includes(marker),
      ).toBe(false);
      expect(existsSync(optDir)).toBe(false);
      expect(spawnSync('getent', ['passwd', probeUser]).status).not.toBe(0);
      expect(await readFile('/etc/passwd', 'utf8')).not.toContain(probeUser);
      // … nor in the other servers, neither through their SSH nor their namespaces.
      for (const other of [s2, s3]) {
        const theirs = await login(other);
        const r = await theirs.exec(
          [
            'sh',
            '-c',
            'ls -A /opt; ls /var/lib/kafka; id kafka; getent passwd "$1"',
            'sh',
            probeUser,
          ],
          { timeoutMs: 10_000 },
        );
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/No such file|cannot access/);
        expect(r.stderr).toMatch(/no such user/);
        await expect(other.exec(['test', '-e', '/var/lib/kafka/marker'])).rejects.toThrow();
        await expect(other.exec(['getent', 'passwd', LAYOUT.user])).rejects.toThrow();
        expect(existsSync(other.hostPath('/var/lib/kafka'))).toBe(false);
        expect(await readFile(other.hostPath('/etc/passwd'), 'utf8')).not.toContain(probeUser);
      }
    }, 60_000);

    it('a link cut makes a server unreachable from this machine and the others; bringing it up makes it reachable again', async () => {
      const fromS1 = (to: NetnsServer): Promise<string> =>
        s1
          .exec(['timeout', '3', 'bash', '-c', BANNER_SCRIPT, 'bash', to.address])
          .catch(() => 'unreachable');
      await s2.setLinkDown();
      try {
        expect(await reachable(s2.address, 1500)).toBe(false);
        expect(await fromS1(s2)).toBe('unreachable');
        expect(await fromS1(s3)).toBe('SSH-2.0'); // the others are not affected
        expect(await s2.exec(['ip', '-br', 'link', 'show', 'eth0'])).toMatch(/LOWERLAYERDOWN|DOWN/);
      } finally {
        await s2.setLinkUp();
      }
      let back = false;
      for (let i = 0; i < 20 && !back; i++) back = await reachable(s2.address, 1000);
      expect(back).toBe(true);
      expect(await fromS1(s2)).toBe('SSH-2.0');
      const session = await login(s2);
      expect((await session.exec(['hostname'], { timeoutMs: 10_000 })).stdout.trim()).toBe(
        s2.hostname,
      );
    }, 60_000);

    it('close() ends every process started in the servers and removes namespaces, links, addresses, mounts and files', async () => {
      // A process that outlives its session, as a started broker does.
      const session = await login(s3);
      await sudo(session, s3, ['sh', '-c', 'nohup sleep 600 >/dev/null 2>&1 </dev/null &']);
      const pids = (await Promise.all(fx.servers.map((s) => s.pids()))).flat();
      const cmdlines = await Promise.all(
        (await s3.pids()).map((p) => readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')),
      );
      expect(cmdlines).toContain('sleep\u0000600\u0000');
      const octet = /^10\.232\.(\d+)\./.exec(fx.subnet)?.[1] ?? '?';

      for (const s of sessions) await s.close().catch(() => undefined);
      const t0 = Date.now();
      await fx.close();
      await fx.close(); // idempotent
      console.log(`close took ${Date.now() - t0} ms`);

      for (const p of pids) expect(pidAlive(p), `pid ${p}`).toBe(false);
      const nsList = await sh('ip', ['netns', 'list']);
      for (const s of fx.servers) {
        expect(nsList).not.toContain(s.ns);
        expect(await s.pids()).toEqual([]);
      }
      expect(await sh('ip', ['link'])).not.toContain(`kvs-v${octet}-`);
      expect(await sh('ip', ['-4', 'addr'])).not.toContain(`10.232.${octet}.`);
      expect(await sh('ip', ['-4', 'route'])).not.toContain(`10.232.${octet}.`);
      expect(existsSync(fx.dir)).toBe(false);
      expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(fx.dir);
      await expect(s1.exec(['true'])).rejects.toThrow(/closed/);
    }, 60_000);
  },
);
