/**
 * Measures what a producer sees when a partition leader of a real three-node KRaft cluster
 * (kraft-cluster.ts) goes mid-stream: a 720p real-time JPEG stream (the real produce path:
 * ffmpeg → produceFile, acks=all, RF 3, min.insync.replicas 2), then the leader's JVM SIGKILLed
 * ('kill') or its link cut for CUT_MS ('cut') at ~3 s. Prints one JSON line per run: the longest
 * time without a new acknowledgement, the producer's own longest outage, acked/failed, frames
 * read back (once, in order?) and the leader moves the progress events reported.
 *
 *   flock /tmp/kvs-heavy.lock node --import tsx scripts/test-support/leader-loss-measure.ts cut kill
 *
 * CUT_MS (default 15000) sets the cut's length; LEADER=n makes node n the partition's leader (the
 * first of its replicas), e.g. LEADER=1 for the node first in the bootstrap list.
 *
 * Needs what kraft-cluster.ts needs (root, java, cached Kafka 4.1.1 jars) and ffmpeg.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createKafka } from '../../electron/core/kafka/client.js';
import { createTopic, withAdmin } from '../../electron/core/kafka/topics.js';
import { startViewer } from '../../electron/core/kafka/viewer.js';
import { produceFile } from '../../electron/core/produce-file.js';
import { startKraftCluster } from './kraft-cluster.js';
import { makeTestVideo } from './test-video.js';

const CUT_MS = Number(process.env.CUT_MS ?? 15_000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const kinds = process.argv.slice(2).filter((a) => a === 'kill' || a === 'cut');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-leader-measure-'));
  const cluster = await startKraftCluster({ prefix: 'kvs-lm' });
  try {
    const video = await makeTestVideo({ dir, seconds: 12, width: 1280, height: 720, fps: 30 });
    for (const kind of kinds.length > 0 ? kinds : ['cut']) {
      const handle = createKafka({ bootstrap: cluster.bootstrap });
      const topic = `leader-measure-${randomBytes(3).toString('hex')}`;
      const wanted = Number(process.env.LEADER ?? 0);
      if (wanted > 0)
        // replicas [wanted, others…]: the preferred (first) replica leads
        await withAdmin(handle, (a) =>
          a.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic,
                replicaAssignment: [
                  { partition: 0, replicas: [wanted, ...[1, 2, 3].filter((n) => n !== wanted)] },
                ],
              },
            ],
          }),
        );
      else await createTopic(handle, topic);
      let acked = 0;
      let lastAckAt: number | null = null;
      let longestAckGap = 0;
      const moves: string[] = [];
      const states: string[] = [];
      let failedAt: number | null = null;
      const producing = produceFile(handle, video, {
        topic,
        codec: 'jpeg',
        realtime: true,
        createTopic: false,
        onProgress: (p) => {
          const t = Date.now();
          if (p.acked > acked) {
            if (lastAckAt !== null && failedAt !== null && t > failedAt)
              longestAckGap = Math.max(longestAckGap, t - Math.max(lastAckAt, 0));
            lastAckAt = t;
          }
          acked = p.acked;
          const l = p.leader;
          if (l?.previous != null && l.movedAt != null) {
            const m = `${l.previous}->${l.nodeId} seen ${failedAt === null ? '?' : l.movedAt - failedAt} ms after`;
            if (!moves.some((x) => x.startsWith(`${l.previous}->${l.nodeId} `))) moves.push(m);
          }
        },
        onBrokerState: (s, e) =>
          states.push(
            `${s}@${failedAt === null ? '-' : Date.now() - failedAt}${e ? ` (${e.message.slice(0, 120)})` : ''}`,
          ),
      });
      while (acked < 90) await sleep(50);
      const meta = await withAdmin(handle, (a) => a.fetchTopicMetadata({ topics: [topic] }));
      const leader = meta.topics[0]?.partitions[0]?.leader ?? -1;
      const node = cluster.nodes.find((n) => n.nodeId === leader);
      if (node === undefined) throw new Error(`no node ${leader}`);
      failedAt = Date.now();
      if (kind === 'kill') await node.kill();
      else await node.linkDown();
      const back =
        kind === 'cut'
          ? sleep(CUT_MS).then(() => node.linkUp())
          : sleep(1000).then(() => node.start());
      const r = await producing;
      await back;
      // the node back in sync first: just after its link is back, a cut-off leader may still answer
      // as the leader for a moment (a stale high watermark), and a read from it would end early
      for (let i = 0; i < 240; i++) {
        const m = await withAdmin(handle, (a) => a.fetchTopicMetadata({ topics: [topic] })).catch(
          () => null,
        );
        const p0 = m?.topics[0]?.partitions[0];
        // (a stale answer from the node itself would still name it the leader)
        if (p0?.isr.length === 3 && p0.leader !== leader) break;
        await sleep(500);
      }
      const seqs: number[] = [];
      const reader = await startViewer(handle, {
        topic,
        from: { kind: 'beginning' },
        untilCaughtUp: true,
        onFrame: (f) => void (f.seq !== null && seqs.push(f.seq)),
      });
      await reader.done;
      const inOrderOnce = seqs.length === r.acked && seqs.every((s, i) => s === i);
      console.log(
        JSON.stringify({
          kind,
          cutMs: kind === 'cut' ? CUT_MS : undefined,
          leader,
          longestAckGapMs: longestAckGap,
          longestOutageMs: r.longestOutageMs,
          frames: r.frames,
          acked: r.acked,
          failed: r.failed,
          readBack: seqs.length,
          inOrderOnce,
          moves,
          states,
        }),
      );
    }
  } finally {
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
