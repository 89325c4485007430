/**
 * A rolling restart of a cluster (issue 16): one server at a time — stop Kafka, start it (the start
 * plan waits for its ports), then wait until the broker is back in the metadata and every partition
 * of every topic has all its replicas in sync again — before the next. So with replication factor 3
 * and min.insync.replicas 2 at most one copy is ever missing, and producers with acks=all go on.
 */
import type { Admin } from 'kafkajs';
import { KvsError } from '../../shared/errors.js';
import { withTimeout, type KafkaHandle } from '../kafka/client.js';
import { withAdmin } from '../kafka/topics.js';
import type { ClusterServer } from './cluster-install.js';
import { runPlan, type StepEvent } from './run-plan.js';
import { installedIn } from './server-queries.js';
import { buildStartPlan, buildStopPlan } from './service-plans.js';

export interface RollingRestartOptions {
  readonly installDir: string;
  /** Give up waiting for one server to be back in sync after this long (default 3 min). */
  readonly inSyncTimeoutMs?: number;
  /**
   * Cancels between servers, or while waiting for one to be back in sync — never between a
   * server's stop and its start, which would leave it stopped.
   */
  readonly signal?: AbortSignal;
  /** A step of the stop plan or of the start plan (which ends waiting for the ports) of a server. */
  onStep?(server: number, event: StepEvent, phase: 'stop' | 'start'): void;
  /** The server is up again; now waiting for every partition to be back in sync. */
  onWaitInSync?(server: number): void;
  /** A server is back: restarted and every partition fully in sync, `ms` after its stop began. */
  onServerDone?(server: number, ms: number): void;
}

/** Partitions (of all topics, internal ones too) with fewer in-sync replicas than replicas. */
export async function partitionsOutOfSync(admin: Admin): Promise<number> {
  const topics = await withTimeout(admin.listTopics(), 10_000, 'Listing topics');
  if (topics.length === 0) return 0;
  const meta = await withTimeout(admin.fetchTopicMetadata({ topics }), 10_000, 'Reading replicas');
  return meta.topics
    .flatMap((t) => t.partitions)
    .filter((p) => p.leader < 0 || p.isr.length < p.replicas.length).length;
}

async function waitInSync(
  handle: KafkaHandle,
  brokers: number,
  timeoutMs: number,
  failure: (state: string) => string,
  signal?: AbortSignal,
  cancelled = 'The rolling restart was cancelled; nothing was restarted.',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (signal?.aborted) throw new KvsError('CANCELLED', cancelled);
    try {
      const [seen, behind] = await withAdmin(handle, async (admin) => [
        (await withTimeout(admin.describeCluster(), 10_000, 'Reading the cluster')).brokers.length,
        await partitionsOutOfSync(admin),
      ]);
      if (seen === brokers && behind === 0) return;
      last = `${seen} of ${brokers} brokers up, ${behind} partition${behind === 1 ? '' : 's'} not fully in sync`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) throw new KvsError('TIMEOUT', failure(last));
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Restarts the servers one by one, waiting for the cluster to be back in sync after each. */
export async function rollingRestart(
  servers: readonly ClusterServer[],
  handle: KafkaHandle,
  opts: RollingRestartOptions,
): Promise<number[]> {
  const times: number[] = [];
  // before touching anything: a cluster already out of sync would lose its last copy
  await waitInSync(
    handle,
    servers.length,
    60_000,
    (state) =>
      `The cluster is not fully in sync now (${state}): restarting a server would take away a copy that is needed. Wait, or bring the missing broker back first; nothing was restarted.`,
    opts.signal,
  );
  for (const [i, s] of servers.entries()) {
    const t0 = Date.now();
    const inst = await installedIn(s.session, s.facts, opts.installDir);
    if (opts.signal?.aborted)
      throw new KvsError(
        'CANCELLED',
        `The rolling restart was cancelled before ${s.label}; the servers before it were restarted, it and the ones after it were not touched.`,
      );
    const run = (phase: 'stop' | 'start') => ({
      ...(s.sudoPassword !== undefined ? { sudoPassword: s.sudoPassword } : {}),
      onStep: (e: StepEvent) => opts.onStep?.(i, e, phase),
    });
    await runPlan(s.session, buildStopPlan(inst), run('stop'));
    await runPlan(s.session, buildStartPlan(inst), run('start'));
    opts.onWaitInSync?.(i);
    const timeoutMs = opts.inSyncTimeoutMs ?? 180_000;
    await waitInSync(
      handle,
      servers.length,
      timeoutMs,
      (state) =>
        `After restarting ${s.label} the cluster did not get back in sync within ${Math.round(timeoutMs / 1000)} s (${state}); the rolling restart stopped there — the servers after it were not touched.`,
      opts.signal,
      `The rolling restart was cancelled after restarting ${s.label} (it runs again, catching up); the servers after it were not touched.`,
    );
    times.push(Date.now() - t0);
    opts.onServerDone?.(i, Date.now() - t0);
  }
  return times;
}
