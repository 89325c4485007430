/**
 * Checks a broker from this computer: its advertised address, a video sent and read back — over
 * SASL_SSL with the install's CA and login when it was a secure install.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionSecurity } from '../../shared/connection-security.js';
import { KvsError } from '../../shared/errors.js';
import { locateFfmpeg } from '../ffmpeg/locate-ffmpeg.js';
import { createKafka } from '../kafka/client.js';
import { createTopicWith, deleteTopic, withAdmin } from '../kafka/topics.js';
import { startViewer } from '../kafka/viewer.js';
import { produceFile } from '../produce-file.js';
import { tail } from './command-log.js';

export interface VerifyOptions {
  /** The advertised IPv4 (what clients are told to use). */
  advertise: string;
  port?: number;
  /** A secure install: SASL_SSL with the CA it made and its SCRAM login (absent: PLAINTEXT). */
  security?: ConnectionSecurity;
  /** A video to send; default: a 1 s, 10 fps test picture made with ffmpeg. */
  videoFile?: string;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A cluster: every broker the metadata must name, as advertised host:port (waited for). */
  expectBrokers?: readonly string[];
  /** A cluster: the check topic's replication factor and min.insync.replicas (all replicas in sync after). */
  replication?: { readonly factor: number; readonly minInsync: number };
}

export interface VerifyResult {
  ok: boolean;
  bootstrap: string;
  /** The brokers the cluster metadata names, as host:port. */
  brokers: string[];
  framesSent: number;
  framesReceived: number;
  /** With `replication`: the check topic's replicas and in-sync replicas after the round trip. */
  replicas?: number;
  inSync?: number;
  /** Why ok is false (null when ok). */
  problem: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (err, _out, stderr) =>
      err
        ? reject(
            new KvsError(
              'FFMPEG_FAILED',
              `ffmpeg could not make the test video: ${tail(stderr, 300) || err.message}`,
            ),
          )
        : resolve(),
    );
  });
}

async function makeCheckVideo(dir: string): Promise<string> {
  const { ffmpegPath } = await locateFfmpeg();
  const file = path.join(dir, 'kvs-setup-check.mp4');
  await run(ffmpegPath, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=1',
    '-c:v',
    'mpeg4',
    '-q:v',
    '5',
    '-pix_fmt',
    'yuv420p',
    `file:${file}`,
  ]);
  return file;
}

/**
 * From this computer: the cluster metadata fetched through `advertise:port` must name a
 * broker at exactly `advertise:port` (else clients would be sent elsewhere), and a short
 * video must go through a fresh topic and come back frame for frame. The topic is deleted after.
 */
export async function verifyFromLaptop(opts: VerifyOptions): Promise<VerifyResult> {
  const port = opts.port ?? 9092;
  const bootstrap = `${opts.advertise}:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const handle = createKafka({
    bootstrap,
    retries: 2,
    ...(opts.security === undefined ? {} : { security: opts.security }),
  });
  const out: VerifyResult = {
    ok: false,
    bootstrap,
    brokers: [],
    framesSent: 0,
    framesReceived: 0,
    problem: null,
  };

  // Metadata (retried: a broker that just started may not answer yet).
  let lastError = '';
  const missing = (): string[] =>
    (opts.expectBrokers ?? []).filter((b) => !out.brokers.includes(b));
  while (out.brokers.length === 0 || (missing().length > 0 && Date.now() < deadline)) {
    if (opts.signal?.aborted) throw new KvsError('CANCELLED', 'Verification cancelled.');
    const admin = handle.kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      out.brokers = cluster.brokers.map((b) => `${b.host}:${String(b.port)}`);
      if (missing().length > 0) await sleep(1000); // a broker still registering
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      // A refused login does not get better by waiting (the SCRAM step ran before this check).
      if (e instanceof Error && e.name === 'KafkaJSSASLAuthenticationError')
        throw new KvsError(
          'KAFKA_AUTH_FAILED',
          `Kafka at ${bootstrap} refused the login from this computer: ${lastError}`,
        );
      if (Date.now() > deadline) {
        throw new KvsError(
          'BROKER_UNREACHABLE',
          `Kafka at ${bootstrap} did not answer from this computer: ${lastError}`,
        );
      }
      await sleep(1000);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  if (missing().length > 0) {
    out.problem = `The cluster's metadata names ${out.brokers.join(', ')}, but not ${missing().join(', ')}: that broker has not joined (see its log in /var/log/kafka).`;
    return out;
  }
  if (!out.brokers.includes(bootstrap)) {
    out.problem = `The broker advertises ${out.brokers.join(', ')}, not ${bootstrap}: clients would be sent to an address that is not the one you gave.`;
    return out;
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-verify-'));
  const topic = `kvs-setup-check-${randomBytes(4).toString('hex')}`;
  try {
    const file = opts.videoFile ?? (await makeCheckVideo(dir));
    if (opts.replication !== undefined) await createReplicated(handle, topic, opts.replication);
    const produced = await produceFile(handle, file, {
      topic,
      createTopic: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    out.framesSent = produced.acked;
    // Read it back from the beginning. A broker that just started may still be creating its
    // consumer-offsets topic (ZooKeeper mode): a reader that comes back short is tried again.
    let viewerError = '';
    do {
      const viewer = await startViewer(handle, {
        topic,
        from: { kind: 'beginning' },
        untilCaughtUp: true,
        onFrame: () => undefined,
        onState: (_s, err) => {
          if (err) viewerError = err.message;
        },
      });
      const timer = setTimeout(() => void viewer.stop(), Math.max(5000, deadline - Date.now()));
      const stats = await viewer.done.finally(() => clearTimeout(timer));
      out.framesReceived = Math.max(out.framesReceived, stats.frames);
      if (out.framesReceived < out.framesSent && Date.now() < deadline) await sleep(1000);
    } while (out.framesReceived < out.framesSent && Date.now() < deadline && !opts.signal?.aborted);
    if (produced.failed > 0 || out.framesSent === 0)
      out.problem = `${produced.failed} of ${produced.frames} frames could not be sent.`;
    else if (out.framesReceived !== out.framesSent) {
      out.problem = `${out.framesSent} frames were sent but ${out.framesReceived} came back${viewerError ? ` (${viewerError})` : ''}.`;
    }
    if (opts.replication !== undefined && out.problem === null) {
      const r = await replicasOf(handle, topic);
      out.replicas = r.replicas;
      out.inSync = r.inSync;
      if (r.replicas !== opts.replication.factor || r.inSync !== opts.replication.factor)
        out.problem = `The check topic has ${r.replicas} replicas, ${r.inSync} in sync; ${opts.replication.factor} of each were expected.`;
    }
    out.ok = out.problem === null;
    return out;
  } finally {
    await deleteTopic(handle, topic).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The check topic with the cluster's replication (acks=all then needs min.insync replicas), waited
 * for until every partition has a leader.
 */
function createReplicated(
  handle: ReturnType<typeof createKafka>,
  topic: string,
  r: { readonly factor: number; readonly minInsync: number },
): Promise<boolean> {
  return withAdmin(
    handle,
    (admin) =>
      createTopicWith(admin, topic, {
        replicationFactor: r.factor,
        config: { 'min.insync.replicas': String(r.minInsync) },
      }),
    topic,
  );
}

/** Replicas and in-sync replicas of the topic's first partition. */
async function replicasOf(
  handle: ReturnType<typeof createKafka>,
  topic: string,
): Promise<{ replicas: number; inSync: number }> {
  const admin = handle.kafka.admin();
  try {
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const p = meta.topics[0]?.partitions[0];
    return { replicas: p?.replicas.length ?? 0, inSync: p?.isr.length ?? 0 };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
