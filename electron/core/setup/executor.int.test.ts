/**
 * The setup wizard end to end against a real sshd (no mocks): one "server" of
 * scripts/test-support/netns-servers.ts (its own network namespace on a bridge, its own
 * /etc, /var/lib, /var/log, /var/tmp, /tmp, /run), a throwaway user logs in with a password
 * and sudo password, and `kvs setup` uploads a packed KRaft Kafka, installs and starts it
 * inside the server (no systemd here: the pid-file path). From the root namespace ("the
 * laptop") the metadata must advertise the server's address and a video must round-trip.
 *
 * The plan's fixed layout (/var/lib/kafka, /var/log/kafka, /var/tmp/kvs-setup, user kafka)
 * lands in the server's own folders, so no install lock: asserted below, the install leaves
 * nothing of it on this machine.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packKafka } from '../../../scripts/local-kafka/pack.js';
import { sh } from '../../../scripts/test-support/netns-subnet.js';
import {
  serversSkipReason,
  startNetnsServers,
  type NetnsServer,
  type NetnsServers,
} from '../../../scripts/test-support/netns-servers.js';
import { main } from '../../cli/kvs.js';
import { makeTestVideo } from '../../../scripts/test-support/test-video.js';
import { openSsh, type SshSession } from '../ssh/ssh-session.js';
import { LAYOUT } from './config.js';
import {
  detectServer,
  runPlan,
  verifyFromLaptop,
  RunPlanError,
  type StepEvent,
} from './executor.js';
import { buildInstallPlan } from './install-plan.js';
import { type InstallPlan } from './plan-types.js';

function staticSkipReason(): string | undefined {
  const servers = serversSkipReason();
  if (servers !== undefined) return servers;
  if (spawnSync('sh', ['-c', 'command -v java']).status !== 0) return 'java missing';
  return undefined;
}
const reason = staticSkipReason();

describe.skipIf(reason !== undefined)(
  `kvs setup over SSH into a server in its own namespaces${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    const rand = randomBytes(3).toString('hex');
    let starting: Promise<NetnsServers> | undefined;
    let srv: NetnsServer | undefined;
    let user = '';
    let password = '';
    let nsAddr = '';
    let dir = '';
    let installDir = '';
    let tarball = '';
    let video = '';
    const sessions: SshSession[] = [];

    const open = async (): Promise<SshSession> => {
      const s = await openSsh({
        host: nsAddr,
        username: user,
        auth: { kind: 'password', password },
        hostKey: { knownHostsFile: path.join(dir, 'kh.json'), acceptNew: true },
      });
      sessions.push(s);
      return s;
    };
    const server = (): NetnsServer => {
      if (!srv) throw new Error('the server did not start');
      return srv;
    };
    const nsPids = async (): Promise<number[]> => (await srv?.pids()) ?? [];
    /** Whether the server (not this machine) has the `kafka` user. */
    const kafkaUserInServer = (): Promise<boolean> =>
      server()
        .exec(['getent', 'passwd', LAYOUT.user])
        .then(
          () => true,
          () => false,
        );
    /** Whether a path exists in the server's own folders. */
    const inServer = (p: string): boolean => existsSync(server().hostPath(p));
    const listening = (): Promise<string> => server().exec(['ss', '-Hltn']);
    const loginArgs = (): string[] => [
      '--host',
      nsAddr,
      '--user',
      user,
      '--password-stdin',
      '--sudo-password-stdin',
      '--known-hosts',
      path.join(dir, 'kh-cli.json'),
      '--accept-new-host-key',
      '--install-dir',
      installDir,
    ];
    const cli = async (args: string[]): Promise<{ code: number; out: string[]; err: string }> => {
      const out: string[] = [];
      let err = '';
      const io = {
        out: (l: string) => out.push(l),
        err: (t: string) => (err += t),
        isTTY: false,
        readStdin: async () => `${password}\n${password}\n`,
      };
      const code = await main(args, io);
      return { code, out, err };
    };
    const planFor = async (s: SshSession, sudoPassword: string): Promise<InstallPlan> => {
      const facts = await detectServer(s, installDir, { sudoPassword });
      return buildInstallPlan(facts, {
        mode: 'kraft',
        kafkaVersion: '4.1.1',
        installDir,
        advertise: nsAddr,
        source: { kind: 'upload', tarballPath: tarball },
      });
    };

    beforeAll(async () => {
      installDir = `/tmp/kvs-setup-${rand}/kafka`;
      starting = startNetnsServers({ count: 1, prefix: 'kvs-setup', sudo: true });
      srv = (await starting).servers[0];
      ({ user, password, address: nsAddr } = server());
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-setup-it-'));

      const packed = await packKafka({
        mode: 'kraft',
        out: path.join(dir, 'kafka_2.13-4.1.1.tgz'),
      });
      tarball = packed.tarball;
      video = await makeTestVideo({ dir, seconds: 1, width: 160, height: 120, fps: 10 });
    }, 120_000);

    afterAll(async () => {
      const step = async (f: () => Promise<unknown>): Promise<void> => {
        try {
          await f();
        } catch {
          /* keep cleaning */
        }
      };
      for (const s of sessions) await step(() => s.close());
      // Every process in the server (a broker still running too), its namespaces, the bridge and
      // its folders (the install's with them); also when beforeAll gave up early.
      await step(async () => (await starting)?.close());
      if (dir) await step(() => rm(dir, { recursive: true, force: true }));
    }, 60_000);

    it('a wrong sudo password fails with SUDO_AUTH_FAILED at the first sudo step and changes nothing', async () => {
      const s = await open();
      const wrong = `wrong-${randomBytes(4).toString('hex')}`;
      const plan = await planFor(s, wrong);
      expect(plan.installation.systemd).toBe(false); // PID 1 here is not systemd: the pid-file path
      const firstSudo = plan.steps.find((st) => st.sudo);
      const events: StepEvent[] = [];
      const err: unknown = await runPlan(s, plan, {
        sudoPassword: wrong,
        onStep: (e) => events.push(e),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RunPlanError);
      const re = err as RunPlanError;
      expect(re.code).toBe('SUDO_AUTH_FAILED');
      expect(re.stepId).toBe(firstSudo?.id);
      expect(re.message).toContain(firstSudo?.title ?? '?');
      expect(JSON.stringify([re.toJSON(), events])).not.toContain(wrong);
      expect(events.filter((e) => e.status === 'changed')).toEqual([]);
      expect(await kafkaUserInServer()).toBe(false);
      expect(inServer(LAYOUT.stateDir) || inServer(installDir)).toBe(false);
    }, 60_000);

    it('kvs setup --dry-run prints the plan and changes nothing', async () => {
      const r = await cli([
        'setup',
        ...loginArgs(),
        '--kafka-tarball',
        tarball,
        '--advertise',
        nsAddr,
        '--dry-run',
      ]);
      expect(r.code, r.err).toBe(0);
      expect(r.out.join('\n')).toContain('Start Kafka in the background');
      expect(await kafkaUserInServer()).toBe(false);
    }, 60_000);

    it('kvs setup installs and starts Kafka in the namespace (upload, password + sudo password, --json)', async () => {
      const t0 = Date.now();
      const r = await cli([
        'setup',
        ...loginArgs(),
        '--mode',
        'kraft',
        '--kafka-version',
        '4.1.1',
        '--kafka-tarball',
        tarball,
        '--advertise',
        nsAddr,
        '--json',
      ]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('[changed] Start Kafka in the background');
      expect(r.err).not.toContain(password);
      const last = JSON.parse(r.out.at(-1) ?? '{}') as Record<string, unknown>;
      expect(last).toMatchObject({
        ok: true,
        bootstrap: `${nsAddr}:9092`,
        mode: 'kraft',
        kafkaVersion: '4.1.1',
      });
      expect(last.changed).toBeGreaterThan(5);
      // The broker listens inside the server only.
      expect(await listening()).toContain(':9092');
      expect(await sh('ss', ['-Hltn'])).not.toMatch(/:9092\s/);
      console.log(`setup took ${Date.now() - t0} ms`);

      // It all went into the server's own folders and /etc, none of it onto this machine: the
      // install folder (unique to this test), the data folder with this install's cluster id, the
      // pid file with this broker's pid, the `kafka` user with the server's numeric id.
      const s = server();
      expect(inServer(installDir)).toBe(true);
      expect(existsSync(path.dirname(installDir))).toBe(false);
      const meta = await readFile(s.hostPath(`${LAYOUT.dataDir}/meta.properties`), 'utf8');
      const clusterId = /^cluster\.id=(.+)$/m.exec(meta)?.[1] ?? '';
      expect(clusterId).not.toBe('');
      const machineMeta = await readFile(`${LAYOUT.dataDir}/meta.properties`, 'utf8').catch(
        () => '',
      );
      expect(machineMeta).not.toContain(clusterId);
      const brokerPid = (await readFile(s.hostPath(LAYOUT.kafkaPidFile), 'utf8')).trim();
      expect(await s.pids()).toContain(Number(brokerPid));
      const machinePid = await readFile(LAYOUT.kafkaPidFile, 'utf8').catch(() => '');
      expect(machinePid.trim()).not.toBe(brokerPid);
      const serverKafka = (await s.exec(['getent', 'passwd', LAYOUT.user])).trim();
      const kafkaUid = serverKafka.split(':')[2] ?? '';
      expect(kafkaUid).toMatch(/^\d+$/);
      expect(await readFile('/etc/passwd', 'utf8')).not.toContain(serverKafka);
      expect(spawnSync('getent', ['passwd', kafkaUid]).status, `uid ${kafkaUid}`).not.toBe(0);
    }, 120_000);

    it('from the laptop: metadata advertises the namespace address and a 1 s video round-trips every frame', async () => {
      const v = await verifyFromLaptop({ advertise: nsAddr, videoFile: video });
      expect(v).toMatchObject({
        ok: true,
        bootstrap: `${nsAddr}:9092`,
        brokers: [`${nsAddr}:9092`],
        problem: null,
      });
      expect(v.framesSent).toBe(10);
      expect(v.framesReceived).toBe(10);
    }, 60_000);

    it('running the same setup again changes nothing', async () => {
      const s = await open();
      const plan = await planFor(s, password);
      const events: StepEvent[] = [];
      const result = await runPlan(s, plan, {
        sudoPassword: password,
        onStep: (e) => events.push(e),
      });
      expect(result.changed).toBe(0);
      const finals = events.filter((e) => e.status !== 'running');
      expect(finals).toHaveLength(plan.steps.length);
      for (const e of finals)
        expect(['unchanged', 'checked'], `${e.stepId}: ${e.status}`).toContain(e.status);
      expect(finals.find((e) => e.stepId === 'start-kafka')?.status).toBe('unchanged');
    }, 60_000);

    it('kvs server status / stop / uninstall --remove-data leave nothing behind', async () => {
      const st = await cli(['server', 'status', ...loginArgs(), '--json']);
      expect(st.code, st.err).toBe(0);
      expect(JSON.parse(st.out.at(-1) ?? '{}')).toMatchObject({
        ok: true,
        kafka: true,
        mode: 'kraft',
      });

      const stop = await cli(['server', 'stop', ...loginArgs()]);
      expect(stop.code, stop.err).toBe(0);
      expect(await listening()).not.toContain(':9092');
      const st2 = await cli(['server', 'status', ...loginArgs(), '--json']);
      expect(JSON.parse(st2.out.at(-1) ?? '{}')).toMatchObject({ kafka: false });

      const un = await cli(['server', 'uninstall', ...loginArgs(), '--remove-data', '--json']);
      expect(un.code, un.err).toBe(0);
      expect(inServer(installDir)).toBe(false);
      expect(inServer(LAYOUT.stateDir)).toBe(false);
      expect(inServer(LAYOUT.stagingDir)).toBe(false);
      expect(await kafkaUserInServer()).toBe(false);
      // Only sshd (and session processes on their way out) remain in the server: no java.
      const cmds = await Promise.all(
        (await nsPids()).map((p) => sh('ps', ['-o', 'comm=', '-p', String(p)]).catch(() => '')),
      );
      expect(cmds.join('')).not.toContain('java');
    }, 90_000);

    it('ZooKeeper mode (Kafka 3.9.1 + the bundled ZooKeeper, no systemd): setup, round trip, uninstall', async () => {
      const zkTarball = (
        await packKafka({ mode: 'zookeeper', out: path.join(dir, 'kafka_2.13-3.9.1.tgz') })
      ).tarball;
      const zkArgs = loginArgs().map((a) => (a === installDir ? `${installDir}-zk` : a));
      const r = await cli([
        'setup',
        ...zkArgs,
        '--mode',
        'zookeeper',
        '--kafka-version',
        '3.9.1',
        '--zookeeper',
        'bundled',
        '--kafka-tarball',
        zkTarball,
        '--advertise',
        nsAddr,
        '--json',
      ]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('[changed] Start ZooKeeper in the background');
      expect(r.err).not.toMatch(/apt-get|Install ZooKeeper \(zookeeperd\)/);
      expect(JSON.parse(r.out.at(-1) ?? '{}')).toMatchObject({
        ok: true,
        bootstrap: `${nsAddr}:9092`,
        mode: 'zookeeper',
        kafkaVersion: '3.9.1',
      });
      const v = await verifyFromLaptop({ advertise: nsAddr, videoFile: video });
      expect(v).toMatchObject({
        ok: true,
        brokers: [`${nsAddr}:9092`],
        framesSent: 10,
        framesReceived: 10,
      });
      const un = await cli(['server', 'uninstall', ...zkArgs, '--remove-data']);
      expect(un.code, un.err).toBe(0);
      expect(un.out.join('\n')).toContain('[changed] Stop ZooKeeper');
      expect(await kafkaUserInServer()).toBe(false);
      expect(inServer(LAYOUT.stateDir)).toBe(false);
      expect(await listening()).not.toMatch(/:(9092|2181)\s/);
    }, 120_000);

    it('an unknown host key without --accept-new-host-key is refused with the fingerprint and how to accept it', async () => {
      const args = loginArgs()
        .filter((a) => a !== '--accept-new-host-key')
        .map((a) => (a.endsWith('kh-cli.json') ? path.join(dir, 'kh-new.json') : a));
      const r = await cli(['server', 'status', ...args]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^kvs: .*SHA256:[A-Za-z0-9+/]{43}.*--accept-new-host-key/);
    }, 30_000);
  },
);
