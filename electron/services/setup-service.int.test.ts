/**
 * The wizard's calls (`setup:*`) through the app services, against a real sshd in one "server" of
 * scripts/test-support/netns-servers.ts (its own network namespace and its own /etc, /var/lib,
 * /var/log, /var/tmp, /tmp, so the install never touches this machine and needs no install lock)
 * and a local stand-in for the Apache mirror (on this machine's bridge address, so the server
 * downloads over its own network): trust on first use, wrong password, wrong sudo
 * password, an interrupted download that the next run resumes (a Range request), a cancelled
 * download, a full install that is checked from this computer, remembered passwords, and
 * start / stop / status. Nothing here is a mock: ssh2 → OpenSSH, curl → HTTP, Kafka → Kafka.
 */
import { createHash, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packKafka } from '../../scripts/local-kafka/pack.js';
import {
  serversSkipReason,
  startNetnsServers,
  type NetnsServer,
  type NetnsServers,
} from '../../scripts/test-support/netns-servers.js';
import { startTestMirror, type TestMirror } from '../../scripts/test-support/test-mirror.js';
import { LAYOUT } from '../core/setup/config.js';
import { verifyFromLaptop } from '../core/setup/executor.js';
import type { SetupLogin } from '../shared/contract.js';
import { createAppServices, type AppServices } from './app-services.js';
import type { SecretCipher } from './saved-servers.js';
import { call, callError, EventLog } from '../../scripts/test-support/service-calls.js';

function staticSkipReason(): string | undefined {
  return (
    serversSkipReason() ??
    (spawnSync('sh', ['-c', 'command -v java curl sha512sum']).status !== 0
      ? 'java, curl or sha512sum missing'
      : undefined)
  );
}
const reason = staticSkipReason();

/** A real cipher (AES-256-GCM, random key) standing in for the OS keychain. */
function testCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    isAvailable: () => true,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const VERSION = '4.1.1';
const TGZ = `kafka_2.13-${VERSION}.tgz`;
const TGZ_PATH = `/kafka/${VERSION}/${TGZ}`;

describe.skipIf(reason !== undefined)(
  `setup wizard calls over SSH into a server in its own namespaces${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    const rand = randomBytes(3).toString('hex');
    const installDir = `/tmp/kvs-wiz-${rand}/kafka`;
    let starting: Promise<NetnsServers> | undefined;
    let sb: NetnsServer;
    let mirror: TestMirror;
    let dir = '';
    let tarballSize = 0;
    let services: AppServices;
    let events: EventLog;
    let sessionId = '';

    const login = (over: Partial<SetupLogin> = {}): SetupLogin => ({
      host: sb.address,
      port: 22,
      user: sb.user,
      auth: { kind: 'password', password: sb.password },
      remember: false,
      ...over,
    });

    /** Make a plan that downloads from the test mirror and run it; resolves with the ended event. */
    const installOnce = async (onRunning?: (runId: string) => Promise<void>) => {
      const plan = await call(services, 'setup:plan', {
        sessionId,
        mode: 'kraft',
        kafkaVersion: VERSION,
        advertise: sb.address,
        installDir,
        source: { kind: 'download', mirrorUrl: mirror.url },
        zookeeper: 'auto',
        openFirewall: false,
      });
      const { runId } = await call(services, 'setup:install', { planId: plan.planId });
      if (onRunning) await onRunning(runId);
      const ended = await events.waitFor('setup:ended', (e) => e.runId === runId, 180_000);
      return { plan, runId, ended };
    };

    beforeAll(async () => {
      starting = startNetnsServers({ count: 1, prefix: 'kvs-wiz', sudo: true });
      const fx = await starting;
      sb = fx.servers[0] as NetnsServer;
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-wiz-it-'));
      const { tarball } = await packKafka({ mode: 'kraft', out: path.join(dir, TGZ) });
      tarballSize = statSync(tarball).size;
      const sum = createHash('sha512')
        .update(await readFile(tarball))
        .digest('hex');
      await writeFile(path.join(dir, `${TGZ}.sha512`), `${sum}  ${TGZ}\n`);
      mirror = await startTestMirror(fx.hostAddress, {
        [TGZ_PATH]: tarball,
        [`${TGZ_PATH}.sha512`]: path.join(dir, `${TGZ}.sha512`),
      });
      services = createAppServices({
        userDataDir: path.join(dir, 'user'),
        allowOpenPath: false,
        cipher: testCipher(),
      });
      events = new EventLog(services);
    }, 180_000);

    afterAll(async () => {
      const step = async (f: () => Promise<unknown>): Promise<void> => {
        try {
          await f();
        } catch {
          /* keep cleaning */
        }
      };
      if (sessionId)
        await step(() =>
          call(services, 'setup:service', { sessionId, installDir, action: 'stop' }),
        );
      await step(() => services.dispose());
      await step(() => mirror.close());
      // Every process in the server (the broker too), its namespaces and folders (the install's).
      await step(async () => (await starting)?.close());
      await step(() => rm(dir, { recursive: true, force: true }));
    }, 60_000);

    it('an unknown server: its key is shown, a different confirmed key is refused, a wrong password is told', async () => {
      const first = await call(services, 'setup:connect', login());
      expect(first).toEqual({
        state: 'unknown-host',
        host: sb.address,
        port: 22,
        keyType: 'ssh-ed25519',
        fingerprint: sb.hostKeyFingerprint,
      });

      const other = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;
      const changed = await callError(services, 'setup:connect', login({ trustHostKey: other }));
      expect(changed.code).toBe('SSH_HOST_KEY_CHANGED');
      expect(changed.message).toContain(sb.hostKeyFingerprint);

      const wrong = await callError(
        services,
        'setup:connect',
        login({
          auth: { kind: 'password', password: 'not-the-password' },
          trustHostKey: sb.hostKeyFingerprint,
        }),
      );
      expect(wrong.code).toBe('SSH_AUTH_FAILED');
      expect(JSON.stringify(wrong)).not.toContain('not-the-password');
    }, 60_000);

    it('a wrong sudo password is told at the login step', async () => {
      const e = await callError(
        services,
        'setup:connect',
        login({ sudoPassword: 'wrong-sudo-pw' }),
      );
      expect(e.code).toBe('SUDO_AUTH_FAILED');
      expect(e.message).toMatch(/sudo/i);
      expect(JSON.stringify(e)).not.toContain('wrong-sudo-pw');
    }, 60_000);

    it('logs in (the key is pinned now), looks at the server and remembers the password encrypted', async () => {
      const r = await call(services, 'setup:connect', login({ remember: true }));
      if (r.state !== 'connected') throw new Error(`expected connected, got ${r.state}`);
      sessionId = r.sessionId;
      expect(r.hostKey.fingerprint).toBe(sb.hostKeyFingerprint);
      expect(r.remembered).toBe(true);
      expect(r.facts.user).toBe(sb.user);
      expect(r.facts.kafkaVersion).toBeNull();
      expect(r.facts.portsInUse).toContain(22);

      const saved = await call(services, 'setup:saved-servers', {});
      expect(saved.canRemember).toBe(true);
      expect(saved.servers[0]).toEqual({
        host: sb.address,
        port: 22,
        user: sb.user,
        hasPassword: true,
      });
      // the password is nowhere in the user-data folder in plain text
      const userDir = path.join(dir, 'user');
      for (const f of await readdir(userDir, { recursive: true })) {
        const p = path.join(userDir, f);
        if (statSync(p).isFile()) expect((await readFile(p)).includes(sb.password), f).toBe(false);
      }
      // the remembered password logs in
      const again = await call(services, 'setup:connect', login({ auth: { kind: 'saved' } }));
      expect(again.state).toBe('connected');
      if (again.state === 'connected')
        await call(services, 'setup:disconnect', { sessionId: again.sessionId });
    }, 60_000);

    it('remembering a password where there is no keychain (kvs serve) is refused before logging in', async () => {
      const plainServices = createAppServices({
        userDataDir: path.join(dir, 'user-no-keychain'),
        allowOpenPath: false,
      });
      try {
        expect((await call(plainServices, 'setup:saved-servers', {})).canRemember).toBe(false);
        const e = await callError(plainServices, 'setup:connect', login({ remember: true }));
        expect(e.code).toBe('INVALID_ARGUMENT');
        expect(e.message).toMatch(/keychain/);
        expect(existsSync(path.join(dir, 'user-no-keychain', 'saved-servers.json'))).toBe(false);
      } finally {
        await plainServices.dispose();
      }
    });

    it('disposing the app services (the app quitting) closes its SSH sessions: the server keeps none of them', async () => {
      // the server side of a session is an `sshd: <user>…` process (OpenSSH's privilege separation)
      const sessions = (): number =>
        execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
          .split('\n')
          .filter((l) => l.startsWith(`sshd: ${sb.user}`)).length;
      const before = sessions();
      const quitting = createAppServices({
        userDataDir: path.join(dir, 'user'),
        allowOpenPath: false,
        cipher: testCipher(),
      });
      const r = await call(quitting, 'setup:connect', login());
      expect(r.state).toBe('connected');
      await expect.poll(sessions).toBeGreaterThan(before);
      await quitting.dispose();
      await expect.poll(sessions, { timeout: 15_000 }).toBe(before);
    }, 60_000);

    it('the plan shows every command before anything runs', async () => {
      const plan = await call(services, 'setup:plan', {
        sessionId,
        mode: 'kraft',
        kafkaVersion: VERSION,
        advertise: sb.address,
        installDir,
        source: { kind: 'download', mirrorUrl: mirror.url },
        zookeeper: 'auto',
        openFirewall: false,
      });
      expect(plan.bootstrap).toBe(`${sb.address}:9092`);
      const download = plan.steps.find((s) => s.id === 'download');
      expect(download?.commands.join('\n')).toContain(`${mirror.url}${TGZ_PATH}`);
      expect(plan.steps.flatMap((s) => s.commands).join('\n')).toContain(
        `advertised.listeners=PLAINTEXT://${sb.address}:9092`,
      );
      expect(existsSync(sb.hostPath(LAYOUT.stateDir))).toBe(false);
    }, 60_000);

    it('a download cut part-way fails at the download step; a cancelled one stops; the next run resumes it', async () => {
      const cutAt = Math.floor(tarballSize * 0.4);
      mirror.setBehaviour(TGZ_PATH, { kind: 'cut', bytes: cutAt });
      const cut = await installOnce();
      expect(cut.ended).toMatchObject({ ok: false, cancelled: false });
      expect(cut.ended.error?.message).toMatch(/Download Kafka/);
      const failedStep = events
        .of('setup:step')
        .filter((e) => e.runId === cut.runId && e.status === 'failed');
      expect(failedStep.map((e) => e.stepId)).toEqual(['download']);
      expect(statSync(sb.hostPath(`${LAYOUT.stagingDir}/${TGZ}.part`)).size).toBe(cutAt);

      mirror.setBehaviour(TGZ_PATH, { kind: 'stall', bytes: 1024 * 1024 });
      const cancelled = await installOnce(async (runId) => {
        await events.waitFor(
          'setup:log',
          (e) => e.runId === runId && e.lines.some((l) => l.includes('curl') && l.includes(TGZ)),
          60_000,
        );
        await new Promise((r) => setTimeout(r, 1000));
        await call(services, 'setup:cancel', { runId });
      });
      expect(cancelled.ended).toMatchObject({ ok: false, cancelled: true });
      expect(
        events
          .of('setup:step')
          .filter((e) => e.runId === cancelled.runId)
          .at(-1)?.status,
      ).toBe('cancelled');

      mirror.setBehaviour(TGZ_PATH, { kind: 'serve' });
      const before = mirror.requests.length;
      const done = await installOnce();
      expect(done.ended.error).toBeNull();
      expect(done.ended).toMatchObject({ ok: true, cancelled: false });
      const resumed = mirror.requests.slice(before).find((r) => r.path === TGZ_PATH);
      expect(resumed?.rangeStart).toBeGreaterThanOrEqual(cutAt);
      expect(done.ended.verify).toMatchObject({
        bootstrap: `${sb.address}:9092`,
        brokers: [`${sb.address}:9092`],
        problem: null,
      });
      expect(done.ended.verify?.framesReceived).toBe(done.ended.verify?.framesSent);
      expect(done.ended.verify?.framesSent).toBeGreaterThan(0);

      // every step reported, in order, and a final status for each; the live log carried commands
      const steps = events
        .of('setup:step')
        .filter((e) => e.runId === done.runId && e.status !== 'running');
      expect(steps.map((e) => e.index)).toEqual([...Array(done.plan.steps.length + 1).keys()]);
      expect(steps.at(-1)).toMatchObject({ stepId: 'verify-from-here', status: 'checked' });
      const log = events
        .of('setup:log')
        .filter((e) => e.runId === done.runId)
        .flatMap((e) => e.lines);
      expect(log.some((l) => l.startsWith('$ '))).toBe(true);
      // no secret in any event
      expect(JSON.stringify(events.all)).not.toContain(sb.password);
    }, 300_000);

    it('status, stop and start of what was installed', async () => {
      expect(
        await call(services, 'setup:service', { sessionId, installDir, action: 'status' }),
      ).toEqual({ kafka: true, zookeeper: null, installDir, kafkaVersion: VERSION, mode: 'kraft' });
      expect(
        (await call(services, 'setup:service', { sessionId, installDir, action: 'stop' })).kafka,
      ).toBe(false);
      expect(
        (await call(services, 'setup:service', { sessionId, installDir, action: 'start' })).kafka,
      ).toBe(true);
    }, 120_000);

    it('doctor: a broker advertising loopback is found, fixed on the server over SSH, and streams again', async () => {
      const bootstrap = `${sb.address}:9092`;
      const before = await call(services, 'doctor:run', { bootstrap });
      expect(before.findings).toEqual([]);
      expect(before.ok).toBe(true);
      // break it the way beginners do: advertised.listeners=PLAINTEXT://127.0.0.1:9092
      const broken = await call(services, 'doctor:fix-on-server', {
        sessionId,
        bootstrap,
        advertise: '127.0.0.1',
      });
      expect(broken.findings.map((f) => f.code)).toEqual(['ADVERTISED_LOOPBACK']);
      expect(broken.findings[0]?.fix).toContain(`advertised.listeners=PLAINTEXT://${bootstrap}`);
      expect(broken.serverFix).toEqual({ sessionId, host: sb.address, advertise: sb.address });
      // "Fix on server" with what the doctor proposes
      const fixed = await call(services, 'doctor:fix-on-server', {
        sessionId,
        bootstrap,
        advertise: broken.serverFix?.advertise ?? '',
      });
      expect(fixed.findings).toEqual([]);
      expect(fixed.ok).toBe(true);
      expect(fixed.serverFix).toBeNull();
      const v = await verifyFromLaptop({ advertise: sb.address });
      expect(v.framesReceived).toBe(v.framesSent);
      expect(v.ok).toBe(true);
    }, 180_000);
  },
);
