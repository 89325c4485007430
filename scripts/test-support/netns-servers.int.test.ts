/**
 * The multi-server fixture itself (netns-servers.ts): three "servers", each logged into with the
 * app's own SSH client (ssh2, host key pinned by fingerprint, password + sudo password), reach
 * each other over the bridge; what one writes under /var/lib or /opt and a user it adds stay in
 * that server; a link cut makes a server unreachable and its return reachable again; close()
 * leaves nothing (namespaces, veths, bridge, addresses, processes, mounts, temp folder).
 * Then three real single-node KRaft installs at once, one per server, with the app's own plan and
 * the same fixed layout, each checked from this machine.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSsh, type SshSession } from '../../electron/core/ssh/ssh-session.js';
import { LAYOUT } from '../../electron/core/setup/config.js';
import { buildInstallPlan } from '../../electron/core/setup/install-plan.js';
import { runPlan } from '../../electron/core/setup/run-plan.js';
import { detectServer } from '../../electron/core/setup/server-queries.js';
import { verifyFromLaptop } from '../../electron/core/setup/verify-from-laptop.js';
import { packKafka } from '../local-kafka/pack.js';
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

function kafkaSkipReason(): string | undefined {
  if (reason !== undefined) return reason;
  if (spawnSync('sh', ['-c', 'command -v java ffmpeg']).status !== 0)
    return 'java or ffmpeg missing';
  return undefined;
}
const kafkaReason = kafkaSkipReason();

describe.skipIf(kafkaReason !== undefined)(
  `three Kafka installs side by side, one per server, over SSH with the app's own plan${kafkaReason ? ` (skipped: ${kafkaReason})` : ''}`,
  () => {
    let starting: Promise<NetnsServers> | undefined;
    let fx: NetnsServers;
    let dir = '';
    let tarball = '';
    const sessions: SshSession[] = [];

    beforeAll(async () => {
      starting = startNetnsServers({
        count: 3,
        prefix: 'kvs-srvkafka',
        sudo: true,
        sharedLogin: true,
      });
      fx = await starting;
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-srvkafka-'));
      tarball = (await packKafka({ mode: 'kraft', out: path.join(dir, 'kafka_2.13-4.1.1.tgz') }))
        .tarball;
    }, 180_000);

    afterAll(async () => {
      for (const s of sessions) await s.close().catch(() => undefined);
      // Kills the brokers with everything else in the servers.
      await (await starting?.catch(() => undefined))?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 60_000);

    it('the same fixed layout (/opt/kafka, /var/lib/kafka, user kafka) installs in each server at once, without the install lock, and each broker answers from this machine', async () => {
      // sharedLogin: one user and password for all (the cluster wizard's "same credentials").
      expect(new Set(fx.servers.map((s) => `${s.user}:${s.password}`)).size).toBe(1);
      const t0 = Date.now();
      await Promise.all(
        fx.servers.map(async (s) => {
          const session = await openSsh({
            host: s.address,
            username: s.user,
            auth: { kind: 'password', password: s.password },
            hostKey: { expectedFingerprint: s.hostKeyFingerprint },
          });
          sessions.push(session);
          const facts = await detectServer(session, '/opt/kafka', { sudoPassword: s.password });
          expect(facts.kafkaVersion).toBeNull(); // a fresh server, whatever this machine holds
          const plan = buildInstallPlan(facts, {
            mode: 'kraft',
            kafkaVersion: '4.1.1',
            installDir: '/opt/kafka',
            advertise: s.address,
            source: { kind: 'upload', tarballPath: tarball },
          });
          expect(plan.installation.systemd).toBe(false);
          const log: string[] = [];
          const result = await runPlan(session, plan, {
            sudoPassword: s.password,
            onLog: (l) => log.push(l),
          }).catch((e: unknown) => {
            throw new Error(`${s.hostname}: ${String(e)}\n${log.slice(-30).join('\n')}`);
          });
          expect(result.changed).toBeGreaterThan(5);
        }),
      );
      console.log(`3 installs in parallel took ${Date.now() - t0} ms`);

      const clusterIds = new Set<string>();
      const javaPids: number[] = [];
      for (const s of fx.servers) {
        const v = await verifyFromLaptop({ advertise: s.address });
        expect(v, s.hostname).toMatchObject({ ok: true, brokers: [`${s.address}:9092`] });
        expect(v.framesReceived).toBe(v.framesSent);
        // Its own files, on this machine only under its rootDir.
        const meta = await readFile(s.hostPath(`${LAYOUT.dataDir}/meta.properties`), 'utf8');
        clusterIds.add(/^cluster\.id=(.+)$/m.exec(meta)?.[1] ?? '');
        expect(await readFile(s.hostPath('/opt/kafka/config/server.properties'), 'utf8')).toContain(
          `advertised.listeners=PLAINTEXT://${s.address}:9092`,
        );
        const pid = Number((await readFile(s.hostPath(LAYOUT.kafkaPidFile), 'utf8')).trim());
        expect(await s.pids()).toContain(pid);
        javaPids.push(pid);
        expect(await s.exec(['ss', '-Hltn'])).toContain(`:9092`);
      }
      expect(clusterIds.size).toBe(3);
      expect(existsSync('/opt/kafka')).toBe(false);
      const machinePid = await readFile(LAYOUT.kafkaPidFile, 'utf8').catch(() => '');
      expect(javaPids).not.toContain(Number(machinePid.trim()));

      for (const s of sessions) await s.close().catch(() => undefined);
      await fx.close();
      for (const p of javaPids) expect(pidAlive(p), `java ${p}`).toBe(false);
    }, 300_000);
  },
);
