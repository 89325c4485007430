/**
 * The "TLS + SCRAM login" install (issue 15) end to end, against a real sshd in one "server" of
 * scripts/test-support/netns-servers.ts (its own network namespace and folders), real openssl,
 * real Kafka and real TLS — no mocks:
 *
 * - KRaft (Kafka 4.1.1) through the wizard's calls: the plan holds the password on no command line,
 *   the install makes the CA and certificate on the server and the SCRAM user, the check from this
 *   computer runs over SASL_SSL, and `setup:ended` hands over bootstrap, CA and user; a profile saved
 *   from them (`profiles:save`) connects (`connection:connect { profileId }`), creates a topic,
 *   produces and watches frames; the same install again changes nothing; key files are 0600 and
 *   owned right; while installing, no process's command line held the password or a private key.
 * - ZooKeeper mode (Kafka 3.9.1, the bundled ZooKeeper) through `kvs setup --tls-scram --json`, the
 *   password from a file: the JSON carries the CA; SASL_SSL round trip; again: nothing changed; a
 *   new password: only the SCRAM step changes.
 * - Each is uninstalled with --remove-data at the end; closing the server ends whatever is left.
 *
 * The fixed LAYOUT (/var/lib/kafka, the kafka user) lands in the server's own /var/lib and /etc,
 * not on this machine: no install lock. Its files are read through the server's hostPath(), owners
 * resolved by the server's own user list.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
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
import { call, EventLog, until } from '../../scripts/test-support/service-calls.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';
import { main } from '../cli/kvs.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { LAYOUT } from '../core/setup/config.js';
import { verifyFromLaptop } from '../core/setup/executor.js';
import { SECURE_FILES } from '../core/setup/secure-install.js';
import type { SetupEndedEvent, SetupPlanRequest } from '../shared/contract.js';
import { decodeFramePacket } from '../shared/frame-packet.js';
import { createAppServices, type AppServices } from './app-services.js';
import type { SecretCipher } from './saved-servers.js';

function staticSkipReason(): string | undefined {
  return (
    serversSkipReason() ??
    (spawnSync('sh', ['-c', 'command -v java openssl']).status !== 0
      ? 'java or openssl missing'
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

/** Every distinct command line on this machine while it runs (servers share its PID namespace). */
function watchCommandLines(): { stop: () => Promise<Set<string>> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
      await Promise.all(
        pids.map(async (p) => {
          const raw = await readFile(`/proc/${p}/cmdline`).catch(() => null);
          if (raw !== null && raw.length > 0) seen.add(raw.toString('utf8').replace(/\0/g, ' '));
        }),
      );
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** The base64 lines of every private key in a PEM file (what would show if a key leaked). */
async function keyLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const keys = text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]+-----END/g) ?? [];
  return keys.flatMap((k) =>
    k
      .split('\n')
      .slice(1, -1)
      .filter((l) => l.length >= 16),
  );
}

/** Mode and owner of a file in the server, the names from the server's own /etc. */
async function modeOwner(
  server: NetnsServer,
  file: string,
): Promise<{ mode: string; owner: string }> {
  const [mode = '', owner = ''] = (await server.exec(['stat', '-c', '%a %U:%G', '--', file]))
    .trim()
    .split(' ');
  return { mode: mode.padStart(4, '0'), owner };
}

const FRAMES = 10;

describe.skipIf(reason !== undefined)(
  `secure install (TLS + SCRAM login) over SSH into a server in its own namespaces${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    const rand = randomBytes(3).toString('hex');
    const root = `/tmp/kvs-sec-${rand}`;
    const installDir = `${root}/kafka`;
    const zkInstallDir = `${root}/kafka-zk`;
    const scramUser = 'kvs-admin';
    // what the page offers: a strong generated password (here with the punctuation the rule allows)
    const password = `Pw-${randomBytes(18).toString('base64url')}!#%&(=,[]`;
    let starting: Promise<NetnsServers> | undefined;
    let sb: NetnsServer;
    let dir = '';
    let kraftTarball = '';
    let zkTarball = '';
    let video = '';
    let services: AppServices;
    let events: EventLog;
    let sessionId = '';
    let chosen = '';
    let first: SetupEndedEvent | undefined;

    const planRequest = (fileId: string): SetupPlanRequest => ({
      sessionId,
      mode: 'kraft',
      kafkaVersion: '4.1.1',
      advertise: sb.address,
      installDir,
      source: { kind: 'upload', fileId },
      zookeeper: 'auto',
      openFirewall: false,
      secure: { scramUser, scramPassword: password },
    });
    const install = async (): Promise<{ ended: SetupEndedEvent; runId: string }> => {
      chosen = kraftTarball;
      const picked = await call(services, 'setup:choose-tarball', {});
      if (picked === null) throw new Error('no tarball');
      const plan = await call(services, 'setup:plan', planRequest(picked.videoId));
      const { runId } = await call(services, 'setup:install', { planId: plan.planId });
      const ended = await events.waitFor('setup:ended', (e) => e.runId === runId, 240_000);
      return { ended, runId };
    };
    const cli = async (args: string[]): Promise<{ code: number; out: string[]; err: string }> => {
      const out: string[] = [];
      let err = '';
      const code = await main(args, {
        out: (l: string) => out.push(l),
        err: (t: string) => (err += t),
        isTTY: false,
        readStdin: async () => `${sb.password}\n${sb.password}\n`,
      });
      return { code, out, err };
    };
    const loginArgs = (dirArg: string): string[] => [
      '--host',
      sb.address,
      '--user',
      sb.user,
      '--password-stdin',
      '--sudo-password-stdin',
      '--known-hosts',
      path.join(dir, 'kh-cli.json'),
      '--accept-new-host-key',
      '--install-dir',
      dirArg,
    ];

    beforeAll(async () => {
      starting = startNetnsServers({ count: 1, prefix: 'kvs-secwiz', sudo: true });
      sb = (await starting).servers[0] as NetnsServer;
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-secwiz-it-'));
      const [kraft, zk, clip, ffmpeg] = await Promise.all([
        packKafka({ mode: 'kraft', out: path.join(dir, 'kafka_2.13-4.1.1.tgz') }),
        packKafka({ mode: 'zookeeper', out: path.join(dir, 'kafka_2.13-3.9.1.tgz') }),
        makeTestVideo({ dir, seconds: 1, width: 160, height: 90, fps: 10 }),
        locateFfmpeg(),
      ]);
      kraftTarball = kraft.tarball;
      zkTarball = zk.tarball;
      video = clip;
      services = createAppServices({
        userDataDir: path.join(dir, 'user'),
        allowOpenPath: true,
        cipher: testCipher(),
        ffmpeg,
        chooseTarball: async () => chosen,
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
      await step(() => services.dispose());
      // Whatever is still installed ends with the server: every process in it, its folders.
      await step(async () => (await starting)?.close());
      await step(() => rm(dir, { recursive: true, force: true }));
    }, 60_000);

    it('KRaft 4.1.1 via the wizard calls: CA + certificate on the server, SASL_SSL, the SCRAM user, checked over SASL_SSL; no secret on any command line', async () => {
      const hello = await call(services, 'setup:connect', {
        host: sb.address,
        port: 22,
        user: sb.user,
        auth: { kind: 'password', password: sb.password },
        remember: false,
      });
      if (hello.state !== 'unknown-host')
        throw new Error(`expected unknown-host, got ${hello.state}`);
      const r = await call(services, 'setup:connect', {
        host: sb.address,
        port: 22,
        user: sb.user,
        auth: { kind: 'password', password: sb.password },
        remember: false,
        trustHostKey: hello.fingerprint,
      });
      if (r.state !== 'connected') throw new Error(`expected connected, got ${r.state}`);
      sessionId = r.sessionId;

      // the plan: every command shown, the password in none of them
      chosen = kraftTarball;
      const picked = await call(services, 'setup:choose-tarball', {});
      const view = await call(services, 'setup:plan', planRequest(picked?.videoId ?? ''));
      const shown = view.steps.flatMap((st) => st.commands).join('\n');
      expect(shown).toContain(`advertised.listeners=SASL_SSL://${sb.address}:9092`);
      expect(shown).toContain('(the SCRAM password and its fingerprint, on stdin)');
      expect(shown).not.toContain(password);
      expect(view.steps.map((st) => st.id)).toEqual(
        expect.arrayContaining(['openssl', 'tls', 'server-properties', 'scram-user']),
      );

      const t0 = Date.now();
      const watcher = watchCommandLines();
      let ended: SetupEndedEvent;
      let cmdlines = new Set<string>();
      try {
        ({ ended } = await install());
      } finally {
        cmdlines = await watcher.stop();
      }
      console.log(`secure KRaft install took ${Date.now() - t0} ms`);
      expect(ended.error).toBeNull();
      expect(ended).toMatchObject({ ok: true, cancelled: false });
      expect(ended.verify).toMatchObject({
        bootstrap: `${sb.address}:9092`,
        brokers: [`${sb.address}:9092`],
        framesReceived: ended.verify?.framesSent,
        problem: null,
      });
      expect(ended.secure).toEqual({
        bootstrap: `${sb.address}:9092`,
        ca: await readFile(sb.hostPath(SECURE_FILES.caCert), 'utf8'),
        username: scramUser,
        mechanism: 'SCRAM-SHA-512',
      });
      first = ended;

      // the files: keys 0600, owned by root (the CA's) and kafka (the broker's keystore)
      expect(await modeOwner(sb, LAYOUT.tlsDir)).toEqual({ mode: '0750', owner: 'root:kafka' });
      expect(await modeOwner(sb, SECURE_FILES.caKey)).toEqual({ mode: '0600', owner: 'root:root' });
      expect(await modeOwner(sb, SECURE_FILES.keystore)).toEqual({
        mode: '0600',
        owner: 'kafka:kafka',
      });
      expect(await modeOwner(sb, SECURE_FILES.caCert)).toEqual({
        mode: '0644',
        owner: 'root:kafka',
      });
      expect(await modeOwner(sb, LAYOUT.scramMarker)).toEqual({
        mode: '0600',
        owner: 'kafka:kafka',
      });
      const marker = await readFile(sb.hostPath(LAYOUT.scramMarker), 'utf8');
      expect(marker).toMatch(new RegExp(`^SCRAM-SHA-512 ${scramUser} [0-9a-f]{64}\\n$`));
      // the certificate names the address the clients use
      const text = spawnSync(
        'openssl',
        ['x509', '-in', sb.hostPath(SECURE_FILES.serverCert), '-noout', '-text'],
        {
          encoding: 'utf8',
        },
      ).stdout;
      expect(text).toContain(`IP Address:${sb.address}`);

      // listeners: SASL_SSL on every interface, PLAINTEXT (internal, controller) on 127.0.0.1 only
      const ss = await sb.exec(['ss', '-Hltn']);
      const local = (port: number): string[] =>
        ss
          .split('\n')
          .map((l) => l.trim().split(/\s+/)[3] ?? '')
          .filter((a) => a.endsWith(`:${port}`));
      expect(local(9092).some((a) => a.startsWith('*') || a.startsWith('0.0.0.0'))).toBe(true);
      for (const port of [9091, 9093])
        expect(
          local(port).every((a) => a.includes('127.0.0.1')),
          `${port}: ${local(port).join()}`,
        ).toBe(true);

      // no command line held the password or a private key, while it all ran
      const leakedKeys = [
        ...(await keyLines(sb.hostPath(SECURE_FILES.caKey))),
        ...(await keyLines(sb.hostPath(SECURE_FILES.keystore))),
      ];
      expect(leakedKeys.length).toBeGreaterThan(2);
      expect(cmdlines.size).toBeGreaterThan(20);
      expect(
        [...cmdlines].some((c) => c.includes('kafka-configs') || c.includes('ConfigCommand')),
      ).toBe(true);
      for (const c of cmdlines) {
        expect(c).not.toContain(password);
        expect(c).not.toContain('PRIVATE KEY');
        for (const l of leakedKeys) expect(c).not.toContain(l);
      }
      // nor any event (step, log, ended) or the user-data folder
      expect(JSON.stringify(events.all)).not.toContain(password);
    }, 400_000);

    it('the result becomes a profile in one click: profiles:save, connect by profileId, create a topic, produce and watch frames', async () => {
      const ended = first;
      if (ended?.secure == null) throw new Error('the install gave no secure result');
      const { bootstrap, ca, username, mechanism } = ended.secure;
      const profile = await call(services, 'profiles:save', {
        id: null,
        name: `Kafka on ${sb.address}`,
        bootstrap,
        security: {
          protocol: 'SASL_SSL',
          tls: { ca, client: null, verifyHostname: true },
          sasl: { mechanism, username },
        },
        secrets: { saslPassword: password },
        remember: true,
      });
      expect(profile.secretsRemembered).toBe(true);
      const status = await call(services, 'connection:connect', { profileId: profile.id });
      expect(status.state).toBe('connected');

      const topic = `secure-setup-${randomBytes(3).toString('hex')}`;
      await call(services, 'topics:create', { topic });
      const { videoId } = await call(services, 'video:open-path', { path: video });
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic,
        realtime: false,
        loop: false,
        format: 'kvs',
        codec: 'jpeg',
      });
      const produced = await events.waitFor('produce:ended', (e) => e.jobId === jobId, 60_000);
      expect(produced).toMatchObject({ ok: true, frames: FRAMES, acked: FRAMES, failed: 0 });
      const seqs: Array<number | null> = [];
      const viewerId = newViewerId();
      const off = services.onFrame((id, packet) => {
        const decoded = decodeFramePacket(packet);
        if (id === viewerId && decoded.ok) seqs.push(decoded.header.seq);
        services.ackFrame(id);
        return true;
      });
      try {
        await call(services, 'watch:start', {
          viewerId,
          topic,
          from: { kind: 'beginning' },
          pace: false,
        });
        await until(() => seqs.length >= FRAMES, 'every frame back');
        expect(seqs).toEqual([...Array(FRAMES).keys()]);
        await call(services, 'watch:stop', { viewerId });
      } finally {
        off();
      }
      await call(services, 'connection:disconnect', {});
      // the password is nowhere in the user-data folder in plain text
      const userDir = path.join(dir, 'user');
      for (const f of await readdir(userDir, { recursive: true })) {
        const p = path.join(userDir, f);
        if (statSync(p).isFile()) expect((await readFile(p)).includes(password), f).toBe(false);
      }
    }, 120_000);

    it('the same secure install again changes nothing (same CA, same login)', async () => {
      const { ended, runId } = await install();
      expect(ended.error).toBeNull();
      expect(ended).toMatchObject({ ok: true, changed: 0 });
      const finals = events
        .of('setup:step')
        .filter((e) => e.runId === runId && e.status !== 'running');
      for (const e of finals)
        expect(['unchanged', 'checked'], `${e.stepId}: ${e.status}`).toContain(e.status);
      expect(finals.find((e) => e.stepId === 'tls')?.status).toBe('unchanged');
      expect(finals.find((e) => e.stepId === 'scram-user')?.status).toBe('unchanged');
      expect(ended.secure?.ca).toBe(first?.secure?.ca);
      await call(services, 'setup:disconnect', { sessionId });
      sessionId = '';
    }, 300_000);

    it('kvs server uninstall --remove-data removes the secure KRaft install', async () => {
      const un = await cli(['server', 'uninstall', ...loginArgs(installDir), '--remove-data']);
      expect(un.code, un.err).toBe(0);
      await expect(sb.exec(['getent', 'passwd', LAYOUT.user])).rejects.toThrow();
      expect(await sb.exec(['ss', '-Hltn'])).not.toMatch(/:(9091|9092|9093)\s/);
    }, 120_000);

    it('ZooKeeper mode (Kafka 3.9.1, bundled ZooKeeper) via kvs setup --tls-scram --json: SASL_SSL round trip, again unchanged, a new password changes only the login, uninstalled', async () => {
      const pwFile = path.join(dir, 'scram-password');
      await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
      const args = [
        'setup',
        ...loginArgs(zkInstallDir),
        '--mode',
        'zookeeper',
        '--kafka-version',
        '3.9.1',
        '--kafka-tarball',
        zkTarball,
        '--advertise',
        sb.address,
        '--tls-scram',
        '--scram-user',
        scramUser,
        '--scram-password-file',
        pwFile,
        '--json',
      ];
      const t0 = Date.now();
      const watcher = watchCommandLines();
      let r: { code: number; out: string[]; err: string };
      let cmdlines = new Set<string>();
      try {
        r = await cli(args);
      } finally {
        cmdlines = await watcher.stop();
      }
      console.log(`secure ZooKeeper install took ${Date.now() - t0} ms`);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('[changed] Start ZooKeeper in the background');
      expect(r.err).toContain('[changed] Create the SCRAM-SHA-512 login');
      expect(r.err + r.out.join('\n')).not.toContain(password);
      const last = JSON.parse(r.out.at(-1) ?? '{}') as {
        ok?: boolean;
        secure?: { bootstrap: string; ca: string; username: string; mechanism: string };
      };
      expect(last).toMatchObject({
        ok: true,
        mode: 'zookeeper',
        secure: {
          bootstrap: `${sb.address}:9092`,
          username: scramUser,
          mechanism: 'SCRAM-SHA-512',
        },
      });
      const ca = last.secure?.ca ?? '';
      expect(ca).toBe(await readFile(sb.hostPath(SECURE_FILES.caCert), 'utf8'));
      for (const c of cmdlines) {
        expect(c).not.toContain(password);
        expect(c).not.toContain('PRIVATE KEY');
      }
      expect(await modeOwner(sb, SECURE_FILES.keystore)).toEqual({
        mode: '0600',
        owner: 'kafka:kafka',
      });
      expect(await modeOwner(sb, SECURE_FILES.caKey)).toEqual({ mode: '0600', owner: 'root:root' });

      const v = await verifyFromLaptop({
        advertise: sb.address,
        videoFile: video,
        security: {
          protocol: 'SASL_SSL',
          tls: { ca, client: null, verifyHostname: true },
          sasl: { mechanism: 'SCRAM-SHA-512', username: scramUser, password },
        },
      });
      expect(v).toMatchObject({
        ok: true,
        brokers: [`${sb.address}:9092`],
        framesSent: FRAMES,
        framesReceived: FRAMES,
      });

      const again = await cli(args);
      expect(again.code, again.err).toBe(0);
      expect(JSON.parse(again.out.at(-1) ?? '{}')).toMatchObject({ ok: true, changed: 0 });

      // a new password: only the SCRAM step changes (the marker no longer matches), and the
      // check from here logs in with the new one
      const newPassword = `New-${randomBytes(18).toString('base64url')}`;
      await writeFile(pwFile, `${newPassword}\n`, { mode: 0o600 });
      const changedPw = await cli(args);
      expect(changedPw.code, changedPw.err).toBe(0);
      expect(JSON.parse(changedPw.out.at(-1) ?? '{}')).toMatchObject({ ok: true, changed: 1 });
      expect(changedPw.err).toContain('[changed] Create the SCRAM-SHA-512 login');
      expect(changedPw.err).not.toContain(newPassword);

      const un = await cli(['server', 'uninstall', ...loginArgs(zkInstallDir), '--remove-data']);
      expect(un.code, un.err).toBe(0);
      expect(await sb.exec(['ss', '-Hltn'])).not.toMatch(/:(2181|9091|9092)\s/);
    }, 400_000);
  },
);
