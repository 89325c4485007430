/**
 * The wizard's cluster runs (issue 16), as events for the page: a cluster install (every server's
 * steps, node by node — core/setup/cluster-install.ts — then the checks from this computer) and a
 * rolling restart (core/setup/rolling-restart.ts). Steps and log lines carry their server's index
 * (`node`); the checks from this computer carry none. Each run ends with one `setup:ended`, never a
 * throw. Cancelling (the signal) aborts the running command; finished steps stay done.
 */
import { SETUP_DEFAULTS, type SetupEndedEvent, type SetupStepEvent } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import { runClusterPlans, type ClusterServer } from '../core/setup/cluster-install.js';
import type { VerifyOptions, VerifyResult } from '../core/setup/executor.js';
import type { InstallPlan } from '../core/setup/plan-types.js';
import type { QuorumState } from '../core/setup/quorum-check.js';
import { rollingRestart } from '../core/setup/rolling-restart.js';
import type { StepEvent } from '../core/setup/run-plan.js';
import { createKafka } from '../core/kafka/client.js';
import type { SetupEvents } from './install-run.js';
import { errorPayload } from './error-payload.js';
import { createLogBatch } from './setup-log-batch.js';
import { plainSshError } from './setup-login.js';

/** The checks from this computer after a cluster install (steps without a `node`). */
const CHECKS = [
  {
    stepId: 'quorum',
    title: 'Controller quorum: a leader, and every voter caught up',
  },
  {
    stepId: 'verify-from-here',
    title:
      'Check from this computer: every broker at its advertised address, frames through a replicated topic (acks=all)',
  },
] as const;

interface RunBase {
  readonly runId: string;
  readonly servers: readonly ClusterServer[];
  readonly signal: AbortSignal;
  readonly events: SetupEvents;
}

export interface ClusterInstallRun extends RunBase {
  readonly plans: readonly InstallPlan[];
  readonly clusterId: string;
  readonly nodeIds: readonly number[];
  readonly verify: (opts: VerifyOptions) => Promise<VerifyResult>;
  readonly waitForQuorum: (
    server: ClusterServer,
    inst: InstallPlan['installation'],
    bootstrap: string,
    nodeIds: readonly number[],
    opts: { signal: AbortSignal },
  ) => Promise<QuorumState>;
}

export interface RollingRestartRun extends RunBase {
  readonly installDir: string;
  readonly bootstrap: string;
  /** Per server, before the next (default 3 min). */
  readonly inSyncTimeoutMs?: number;
}

/** Step events with the server's own step numbering, log lines batched per server. */
function reporter(r: RunBase, stepIds: readonly (readonly string[])[]) {
  const batch = createLogBatch<number | undefined>((node, lines) =>
    r.events.log(r.runId, lines, node),
  );
  const failed = { node: null as number | null, stepId: '' };
  const emit = (e: Omit<SetupStepEvent, 'runId'>): void => {
    batch.flush(); // a step's lines go out before its status
    r.events.step({ runId: r.runId, ...e });
  };
  return {
    batch,
    failed,
    onStep(node: number, e: StepEvent): void {
      const ids = stepIds[node] ?? [];
      const index = Math.max(0, ids.indexOf(e.stepId));
      if (e.status === 'failed') Object.assign(failed, { node, stepId: e.stepId });
      emit({
        node,
        index,
        stepCount: ids.length,
        stepId: e.stepId,
        title: e.title,
        status: e.status === 'failed' && r.signal.aborted ? 'cancelled' : e.status,
        ...(e.error === undefined ? {} : { error: e.error }),
      });
    },
    check(index: number, status: SetupStepEvent['status'], error?: string): void {
      const c = CHECKS[index];
      if (c === undefined) return;
      emit({
        index,
        stepCount: CHECKS.length,
        ...c,
        status,
        ...(error === undefined ? {} : { error }),
      });
    },
    log(node: number | undefined, line: string): void {
      batch.add(node, line);
    },
  };
}

function errorOf(r: RunBase, e: unknown, what: string): KvsError {
  // a rolling restart says itself where it stopped
  if (e instanceof KvsError && e.code === 'CANCELLED' && what === 'rolling restart') return e;
  return r.signal.aborted
    ? new KvsError(
        'CANCELLED',
        `The ${what} was cancelled. Run it again to go on: finished steps are kept and report "unchanged".`,
      )
    : plainSshError(e);
}

/** Runs a cluster install to its end; never throws (the outcome is the `ended` event). */
export async function runClusterInstall(r: ClusterInstallRun): Promise<void> {
  const rep = reporter(
    r,
    r.plans.map((p) => p.steps.map((s) => s.id)),
  );
  let changed = 0;
  let unchanged = 0;
  let checkAt: number | null = null;
  let verified: SetupEndedEvent['verify'] = null;
  const bootstraps = r.servers.map((s) => `${s.advertise}:${SETUP_DEFAULTS.kafkaPort}`);
  try {
    const results = await runClusterPlans(r.servers, r.plans, {
      signal: r.signal,
      onStep: (i, e) => rep.onStep(i, e),
      onLog: (i, l) => rep.log(i, l),
    });
    changed = results.reduce((n, x) => n + x.changed, 0);
    unchanged = results.reduce((n, x) => n + x.unchanged + x.checked, 0);

    const first = r.servers[0];
    const inst = r.plans[0]?.installation;
    if (first === undefined || inst === undefined) throw new KvsError('INTERNAL', 'No servers.');
    checkAt = 0;
    rep.check(0, 'running');
    rep.log(
      undefined,
      `asking ${first.label} for the controller quorum (kafka-metadata-quorum.sh)…`,
    );
    const quorum = await r.waitForQuorum(first, inst, bootstraps[0] ?? '', r.nodeIds, {
      signal: r.signal,
    });
    rep.log(
      undefined,
      `quorum leader: node ${quorum.leaderId ?? '?'}; voters ${quorum.members
        .map((m) => `${m.nodeId} (${m.status}, lag ${m.lag})`)
        .join(', ')}`,
    );
    rep.check(0, 'checked');

    checkAt = 1;
    rep.check(1, 'running');
    const factor = Math.min(3, r.servers.length);
    rep.log(
      undefined,
      `checking ${bootstraps.join(', ')} from this computer: a topic with ${factor} replicas, min.insync.replicas 2, acks=all…`,
    );
    const v = await r.verify({
      advertise: first.advertise,
      expectBrokers: bootstraps,
      replication: { factor, minInsync: 2 },
      signal: r.signal,
    });
    verified = {
      bootstrap: v.bootstrap,
      brokers: v.brokers,
      framesSent: v.framesSent,
      framesReceived: v.framesReceived,
      problem: v.problem,
    };
    rep.log(
      undefined,
      `metadata names ${v.brokers.join(', ') || 'no broker'}; ${v.framesReceived} of ${v.framesSent} test frames came back; ${v.inSync ?? '?'} of ${v.replicas ?? '?'} replicas in sync`,
    );
    if (!v.ok)
      throw new KvsError(
        'KAFKA_ERROR',
        `The cluster runs but the check from this computer failed: ${v.problem ?? 'unknown problem'}`,
      );
    rep.check(1, 'checked');
    rep.batch.flush();
    r.events.ended({
      runId: r.runId,
      ok: true,
      cancelled: false,
      changed,
      unchanged,
      verify: verified,
      error: null,
      secure: null,
      cluster: {
        clusterId: r.clusterId,
        bootstrap: bootstraps.join(','),
        nodes: r.servers.map((s, i) => ({ nodeId: r.nodeIds[i] ?? 0, advertise: s.advertise })),
        quorumLeader: quorum.leaderId,
        replicas: v.replicas ?? null,
        inSync: v.inSync ?? null,
      },
    });
  } catch (e) {
    const err = errorOf(r, e, 'install');
    if (checkAt !== null)
      rep.check(checkAt, err.code === 'CANCELLED' ? 'cancelled' : 'failed', err.message);
    rep.batch.flush();
    r.events.ended({
      runId: r.runId,
      ok: false,
      cancelled: err.code === 'CANCELLED',
      changed,
      unchanged,
      verify: verified,
      error: errorPayload(err),
      secure: null,
      cluster: null,
    });
  } finally {
    rep.batch.close();
  }
}

/** The steps a rolling restart runs on each server (stop, start, back in sync). */
const RESTART_STEPS = ['stop', 'start', 'in-sync'] as const;

/** Runs a rolling restart to its end; never throws (the outcome is the `ended` event). */
export async function runRollingRestart(r: RollingRestartRun): Promise<void> {
  const rep = reporter(
    r,
    r.servers.map(() => RESTART_STEPS),
  );
  let current = -1;
  let stage = 0;
  let title = '';
  const restartStep = (
    node: number,
    index: number,
    status: SetupStepEvent['status'],
    stepTitle: string,
    error?: string,
  ): void => {
    current = node;
    stage = index;
    title = stepTitle;
    rep.batch.flush();
    r.events.step({
      runId: r.runId,
      node,
      index,
      stepCount: RESTART_STEPS.length,
      stepId: RESTART_STEPS[index] ?? 'in-sync',
      title: stepTitle,
      status,
      ...(error === undefined ? {} : { error }),
    });
  };
  let done = 0;
  try {
    const handle = createKafka({ bootstrap: r.bootstrap });
    await rollingRestart(r.servers, handle, {
      installDir: r.installDir,
      signal: r.signal,
      ...(r.inSyncTimeoutMs === undefined ? {} : { inSyncTimeoutMs: r.inSyncTimeoutMs }),
      onStep: (i, e) => {
        if (i !== current) {
          current = i;
          stage = 0;
        }
        // the stop plan's steps, then the start plan's: a new 'running' after a finished stop is the start
        if (e.status === 'running' && stage === 0 && /start/i.test(e.stepId)) stage = 1;
        rep.log(i, `[${e.status}] ${e.title}${e.error ? `: ${e.error}` : ''}`);
        restartStep(i, stage, e.status, e.title, e.error);
        if (e.status === 'checked' && stage === 1 && /port/i.test(e.stepId))
          restartStep(i, 2, 'running', 'Wait until every partition is back in sync');
      },
      onServerDone: (i, ms) => {
        done += 1;
        rep.log(i, `restarted and every partition back in sync in ${(ms / 1000).toFixed(1)} s`);
        restartStep(i, 2, 'checked', 'Every partition back in sync');
      },
    });
    rep.batch.flush();
    r.events.ended({
      runId: r.runId,
      ok: true,
      cancelled: false,
      changed: done,
      unchanged: 0,
      verify: null,
      error: null,
      secure: null,
      cluster: null,
    });
  } catch (e) {
    const err = errorOf(r, e, 'rolling restart');
    if (current >= 0)
      restartStep(
        current,
        stage,
        err.code === 'CANCELLED' ? 'cancelled' : 'failed',
        title,
        err.message,
      );
    rep.batch.flush();
    r.events.ended({
      runId: r.runId,
      ok: false,
      cancelled: err.code === 'CANCELLED',
      changed: done,
      unchanged: 0,
      verify: null,
      error: errorPayload(err),
      secure: null,
      cluster: null,
    });
  } finally {
    rep.batch.close();
  }
}
