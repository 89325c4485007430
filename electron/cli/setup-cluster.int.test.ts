/**
 * `kvs setup-cluster` (the built CLI) installs a KRaft cluster into three real "servers" — network +
 * mount namespaces, each with its own sshd, address and filesystem (scripts/test-support/
 * netns-servers.ts) — from a Kafka 4.1.1 tarball packed here, with one login for all. Then from this
 * machine: every broker in the metadata at its own address, the quorum led with every voter caught
 * up, frames through an RF 3 / min ISR 2 topic (the CLI's own check); the nodes' storage carries one
 * cluster id and their own node.ids. A second run changes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serversSkipReason,
  startNetnsServers,
  type NetnsServers,
} from '../../scripts/test-support/netns-servers.js';
import { packKafka } from '../../scripts/local-kafka/pack.js';
import { LAYOUT } from '../core/setup/config.js';
import { parseMetaProperties } from '../core/setup/cluster-install.js';
import { createKafka, type KafkaHandle } from '../core/kafka/client.js';
import { createTopic, deleteTopic, withAdmin } from '../core/kafka/topics.js';
import { startViewer } from '../core/kafka/viewer.js';
import { produceFile } from '../core/produce-file.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { call, until } from '../../scripts/test-support/service-calls.js';
import { createAppServices } from '../services/app-services.js';

const bin = path.resolve(import.meta.dirname, '../../bin/kvs.mjs');
const reason = serversSkipReason();
/** Longer than a KRaft broker's session timeout (broker.session.timeout.ms, 9 s by default). */
const CUT_MS = 15_000;

function kvs(
  args: string[],
  stdin: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { timeout: 9 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

/** Every frame's sequence number in the topic, from the beginning, in the order read. */
async function readBack(handle: KafkaHandle, topic: string): Promise<number[]> {
  const seqs: number[] = [];
  const reader = await startViewer(handle, {
    topic,
    from: { kind: 'beginning' },
    untilCaughtUp: true,
    onFrame: (f) => {
      if (f.seq !== null) seqs.push(f.seq);
    },
  });
  await reader.done;
  return seqs;
}

const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

describe.skipIf(reason !== undefined)(
  `kvs setup-cluster into three servers${reason ? ` — skipped: ${reason}` : ''}`,
  () => {
    let starting: Promise<NetnsServers> | undefined;
    let fx: NetnsServers;
    let dir = '';
    let tarball = '';

    beforeAll(async () => {
      starting = startNetnsServers({ count: 3, prefix: 'kvs-clus', sudo: true, sharedLogin: true });
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-cluster-'));
      [fx, tarball] = await Promise.all([
        starting,
        packKafka({ mode: 'kraft', out: path.join(dir, 'kafka_2.13-4.1.1.tgz') }).then(
          (p) => p.tarball,
        ),
      ]);
    }, 240_000);

    afterAll(async () => {
      await (await starting?.catch(() => undefined))?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 60_000);

    function args(): { argv: string[]; stdin: string } {
      const first = fx.servers[0];
      if (first === undefined) throw new Error('no servers');
      return {
        argv: [
          'setup-cluster',
          ...['--hosts', fx.servers.map((s) => s.address).join(',')],
          ...['--user', first.user, '--password-stdin', '--sudo-password-stdin'],
          ...['--accept-new-host-key', '--known-hosts', path.join(dir, 'known-hosts.json')],
          ...['--kafka-tarball', tarball, '--json'],
        ],
        // one login for all (sharedLogin): SSH password, then sudo's
        stdin: `${first.password}\n${first.password}\n`,
      };
    }

    it(
      'installs, and the check from here sees three brokers, a led quorum and an RF 3 round trip',
      async () => {
        const t0 = Date.now();
        const { argv, stdin } = args();
        const r = await kvs(argv, stdin);
        expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
        const out = lastJson(r.stdout);
        console.log(`kvs setup-cluster (3 servers) took ${Date.now() - t0} ms`);
        expect(out).toMatchObject({ ok: true });
        const addresses = fx.servers.map((s) => `${s.address}:9092`);
        expect(out.bootstrap).toBe(addresses.join(','));
        expect(out.nodes).toEqual(fx.servers.map((s, i) => ({ host: s.address, nodeId: i + 1 })));
        expect([1, 2, 3]).toContain(out.quorumLeader);
        expect(r.stderr).toMatch(
          /3 brokers, quorum leader node \d, \d+\/\d+ test frames went through a topic with 3 replicas/,
        );

        // one cluster id, made once, in every node's storage; each its own node.id
        const metas = await Promise.all(
          fx.servers.map(async (s) =>
            parseMetaProperties(
              await readFile(s.hostPath(`${LAYOUT.dataDir}/meta.properties`), 'utf8'),
            ),
          ),
        );
        expect(metas.map((m) => m?.nodeId)).toEqual([1, 2, 3]);
        expect(new Set(metas.map((m) => m?.clusterId))).toEqual(new Set([out.clusterId]));
        for (const s of fx.servers) {
          const props = await readFile(s.hostPath('/opt/kafka/config/server.properties'), 'utf8');
          expect(props).toContain(`advertised.listeners=PLAINTEXT://${s.address}:9092\n`);
          expect(props).toContain(
            `controller.quorum.voters=${fx.servers.map((x, i) => `${i + 1}@${x.address}:9093`).join(',')}\n`,
          );
        }
      },
      10 * 60_000,
    );

    it(
      'a second run changes nothing and keeps the cluster id',
      async () => {
        const before = await readFile(
          fx.servers[0]?.hostPath(`${LAYOUT.dataDir}/meta.properties`) ?? '',
          'utf8',
        );
        const { argv, stdin } = args();
        const r = await kvs(argv, stdin);
        expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
        const out = lastJson(r.stdout);
        expect(out).toMatchObject({ ok: true, changed: 0 });
        expect(out.clusterId).toBe(parseMetaProperties(before)?.clusterId);
        expect(r.stderr).not.toContain('[changed]');
      },
      10 * 60_000,
    );

    /**
     * A 720p real-time stream (acks=all) with a live viewer while the partition leader is lost —
     * its JVM SIGKILLed ('kill', then started again with kvs server start) or its link cut for
     * longer than the broker session timeout ('cut', then up again): the producer goes on, every
     * acked frame is read back exactly once and in order, the viewer keeps drawing, the node
     * rejoins (ISR 3). Logs the figures.
     */
    async function rideOut(failure: 'kill' | 'cut'): Promise<void> {
      const bootstrap = fx.servers.map((s) => `${s.address}:9092`).join(',');
      const handle = createKafka({ bootstrap });
      const topic = `leader-loss-${randomBytes(3).toString('hex')}`;
      await createTopic(handle, topic); // a cluster of 3: RF 3, min.insync.replicas 2
      // the app, connected to the cluster: its broker panel's status
      const app = createAppServices({
        userDataDir: path.join(dir, `app-${failure}`),
        allowOpenPath: false,
      });
      const status = await call(app, 'connection:connect', { bootstrap });
      expect(status.brokers).toHaveLength(3);
      expect([1, 2, 3]).toContain(status.quorum?.leaderId);
      const video = await makeTestVideo({ dir, seconds: 10, width: 1280, height: 720, fps: 30 });

      const live: number[] = [];
      const viewer = await startViewer(handle, {
        topic,
        from: { kind: 'beginning' },
        onFrame: (f) => {
          if (f.seq !== null) live.push(f.seq);
        },
      });
      await viewer.ready;
      let acked = 0;
      let lastAckAt: number | null = null;
      let longestAckGap = 0;
      const states: Array<{ state: string; at: number }> = [];
      const producing = produceFile(handle, video, {
        topic,
        codec: 'jpeg',
        realtime: true,
        createTopic: false,
        onProgress: (p) => {
          // the longest time without a new acknowledgement: the outage as the producer saw it
          const t = Date.now();
          if (p.acked > acked) {
            if (lastAckAt !== null) longestAckGap = Math.max(longestAckGap, t - lastAckAt);
            lastAckAt = t;
          }
          acked = p.acked;
        },
        onBrokerState: (state) => states.push({ state, at: Date.now() }),
      });

      await until(() => acked >= 90, '3 s of frames acknowledged', 30_000);
      const meta = await withAdmin(handle, (admin) =>
        admin.fetchTopicMetadata({ topics: [topic] }),
      );
      const leader = meta.topics[0]?.partitions[0]?.leader ?? -1;
      const victim = fx.servers[leader - 1];
      if (victim === undefined) throw new Error(`no server for leader ${leader}`);
      const pid = Number((await readFile(victim.hostPath(LAYOUT.kafkaPidFile), 'utf8')).trim());
      const killedAt = Date.now();
      const liveAtKill = live.length;
      if (failure === 'kill') process.kill(pid, 'SIGKILL');
      else await victim.setLinkDown();
      const cutUp =
        failure === 'cut'
          ? new Promise<void>((resolve) => setTimeout(resolve, CUT_MS)).then(() =>
              victim.setLinkUp(),
            )
          : Promise.resolve();

      // the app says which node is down (it drops out of the metadata). A node cut off by the
      // network is not always seen so (the status refresh may time out on it): logged, not asserted.
      const shownDown = until(
        async () =>
          (await call(app, 'connection:status', {})).downBrokers?.some(
            (b) => b.nodeId === leader,
          ) === true,
        `the app to show node ${leader} down`,
        failure === 'kill' ? 30_000 : 14_000,
      ).then(
        () => true,
        (e: unknown) => {
          if (failure === 'kill') throw e;
          return false;
        },
      );
      const result = await producing;
      await cutUp;
      const appShowedDown = await shownDown;
      expect(result.failed, String(result.firstError?.message)).toBe(0);
      expect(result.acked).toBe(result.frames);
      // the viewer kept drawing after the leader went
      await until(() => live.length >= result.acked, 'the live viewer to have every frame', 30_000);
      expect(live.length).toBeGreaterThan(liveAtKill);
      await viewer.stop();

      // every acknowledged frame exactly once and in order, read back from the beginning
      const seqs = await readBack(handle, topic);
      const duplicates = seqs.length - new Set(seqs).size;
      expect(seqs).toEqual([...Array(result.acked).keys()]);

      // the killed node starts again (kvs server start) and is back in sync
      const first = fx.servers[0];
      const restart =
        failure === 'cut'
          ? { code: 0, stderr: '' }
          : await kvs(
              [
                'server',
                'start',
                ...['--host', victim.address, '--user', first?.user ?? ''],
                ...[
                  '--password-stdin',
                  '--sudo-password-stdin',
                  '--known-hosts',
                  path.join(dir, 'known-hosts.json'),
                ],
              ],
              `${first?.password ?? ''}\n${first?.password ?? ''}\n`,
            );
      expect(restart.code, restart.stderr).toBe(0);
      const restartedAt = Date.now();
      let isr = 0;
      await until(
        async () => {
          const m = await withAdmin(handle, (admin) =>
            admin.fetchTopicMetadata({ topics: [topic] }),
          );
          isr = m.topics[0]?.partitions[0]?.isr.length ?? 0;
          return isr === 3;
        },
        'the in-sync replicas back to 3',
        120_000,
      );
      await until(
        async () => ((await call(app, 'connection:status', {})).downBrokers ?? []).length === 0,
        'the app to show every node up again',
        30_000,
      );
      await app.dispose();
      const outage = states.find((x) => x.state !== 'connected');
      const back = states.find((x) => x.state === 'connected' && x.at > (outage?.at ?? 0));
      console.log(
        `leader loss (${failure}${failure === 'cut' ? ` ${CUT_MS} ms` : ''}): node ${leader} at frame ${liveAtKill}; producer outage ${
          outage && back ? back.at - outage.at : 0
        } ms (longest ${result.longestOutageMs ?? 0} ms); acked ${result.acked}, consumed ${seqs.length} (${duplicates} duplicate); rejoined (ISR 3) ${Date.now() - restartedAt} ms after start, ${Date.now() - killedAt} ms after the failure; longest time without an ack ${longestAckGap} ms; the app showed the node down: ${String(appShowedDown)}`,
      );
      await deleteTopic(handle, topic).catch(() => undefined);
    }

    it(
      'leader loss: SIGKILL of the partition leader mid-stream — the producer goes on, every acked frame read once and in order, the viewer keeps drawing, the node rejoins',
      () => rideOut('kill'),
      10 * 60_000,
    );

    it(
      "network cut: the partition leader's link down longer than the session timeout, then up — the same",
      () => rideOut('cut'),
      10 * 60_000,
    );

    it(
      'rolling restart (kvs setup-cluster --rolling-restart) while a stream runs: no acknowledged frame lost, none twice',
      async () => {
        const bootstrap = fx.servers.map((s) => `${s.address}:9092`).join(',');
        const handle = createKafka({ bootstrap });
        const topic = `rolling-${randomBytes(3).toString('hex')}`;
        await createTopic(handle, topic);
        const video = await makeTestVideo({ dir, seconds: 4, width: 640, height: 360, fps: 30 });
        const stop = new AbortController();
        const producing = produceFile(handle, video, {
          topic,
          codec: 'jpeg',
          realtime: true,
          loop: true,
          createTopic: false,
          signal: stop.signal,
        });
        const { argv, stdin } = args();
        const t0 = Date.now();
        const r = await kvs([...argv, '--rolling-restart'], stdin);
        stop.abort();
        const result = await producing;
        expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
        expect(lastJson(r.stdout)).toMatchObject({ ok: true, restarted: 3 });
        expect(r.stderr.match(/restarted and back in sync/g)).toHaveLength(3);
        expect(result.failed, String(result.firstError?.message)).toBe(0);

        const seqs = await readBack(handle, topic);
        // every acknowledged frame, in order, once (a frame sent as the stream was stopped may be there too)
        expect(seqs.slice(0, result.acked)).toEqual([...Array(result.acked).keys()]);
        expect(seqs.length - result.acked).toBeLessThanOrEqual(1);
        console.log(
          `rolling restart: ${Date.now() - t0} ms for 3 servers (${String(lastJson(r.stdout).ms)}); ${result.acked} frames acked, ${seqs.length} read back, longest producer outage ${result.longestOutageMs} ms`,
        );
        await deleteTopic(handle, topic).catch(() => undefined);
      },
      10 * 60_000,
    );
  },
);
