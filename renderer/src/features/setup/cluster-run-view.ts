/**
 * A cluster run as the page sees it (setup:cluster-install or setup:rolling-restart): each
 * server's steps and live log (events with `node`), the checks from this computer (events
 * without), and the end.
 */
import {
  SETUP_DEFAULTS,
  type ClusterPlanView,
  type SetupEndedEvent,
  type SetupStepStatus,
} from '../../../../electron/shared/contract.js';
import {
  applyEnded,
  applyLog,
  applyStep,
  isCompleted,
  type RunEvent,
  type RunView,
  type StepRow,
} from './run-view.js';
import { countsText, failedRunText } from './run-ending.js';

export interface ClusterRunNode {
  /** e.g. "node 2 — 10.0.0.6". */
  readonly label: string;
  /** Its steps and log (runId and ended unused). */
  readonly run: RunView;
}

export interface ClusterRunView {
  readonly runId: string | null;
  readonly nodes: readonly ClusterRunNode[];
  /** The checks from this computer and their log (empty for a rolling restart). */
  readonly checks: RunView;
  readonly ended: SetupEndedEvent | null;
}

/** The checks a cluster install ends with (their titles come again with the events). */
export const CLUSTER_CHECKS: readonly { id: string; title: string }[] = [
  { id: 'quorum', title: 'Controller quorum: a leader, and every voter caught up' },
  {
    id: 'verify-from-here',
    title:
      'Check from this computer: every broker at its advertised address, frames through a replicated topic (acks=all)',
  },
];

/** A rolling restart's steps on each server. */
export const RESTART_STEPS: readonly { id: string; title: string }[] = [
  { id: 'stop', title: 'Stop Kafka' },
  { id: 'start', title: 'Start Kafka' },
  { id: 'in-sync', title: 'Wait until every partition is back in sync' },
];

function rows(steps: readonly { id: string; title: string }[]): RunView {
  return {
    runId: null,
    steps: steps.map((s, index): StepRow => ({
      index,
      stepId: s.id,
      title: s.title,
      status: 'pending',
    })),
    log: [],
    droppedLines: 0,
    ended: null,
  };
}

export function startClusterRun(
  nodes: readonly { label: string; steps: readonly { id: string; title: string }[] }[],
  checks: readonly { id: string; title: string }[],
  runId: string | null = null,
): ClusterRunView {
  return {
    runId,
    nodes: nodes.map((n) => ({ label: n.label, run: rows(n.steps) })),
    checks: rows(checks),
    ended: null,
  };
}

export function nodeLabel(n: { nodeId?: number; host: string }): string {
  return n.nodeId === undefined ? n.host : `node ${n.nodeId} — ${n.host}`;
}

/** The rows of a cluster install before anything ran. */
export function startClusterInstall(plan: ClusterPlanView, runId: string | null = null) {
  return startClusterRun(
    plan.nodes.map((n) => ({
      label: nodeLabel(n),
      steps: n.steps.map((s) => ({ id: s.id, title: s.title })),
    })),
    CLUSTER_CHECKS,
    runId,
  );
}

/** The rows of a rolling restart before anything ran. */
export function startRollingRestart(hosts: readonly string[], runId: string | null = null) {
  return startClusterRun(
    hosts.map((host) => ({ label: host, steps: RESTART_STEPS })),
    [],
    runId,
  );
}

function withNode(
  view: ClusterRunView,
  node: number | undefined,
  f: (run: RunView) => RunView,
): ClusterRunView {
  if (node === undefined) return { ...view, checks: f(view.checks) };
  const target = view.nodes[node];
  if (target === undefined) return view; // a server this page does not know: ignored
  const nodes = [...view.nodes];
  nodes[node] = { ...target, run: f(target.run) };
  return { ...view, nodes };
}

export function applyClusterEvent(view: ClusterRunView, e: RunEvent): ClusterRunView {
  switch (e.type) {
    case 'step':
      return withNode(view, e.ev.node, (r) => applyStep(r, e.ev));
    case 'log':
      return withNode(view, e.ev.node, (r) => applyLog(r, e.ev.lines));
    case 'ended':
      return {
        ...view,
        nodes: view.nodes.map((n) => ({ ...n, run: applyEnded(n.run, e.ev) })),
        checks: applyEnded(view.checks, e.ev),
        ended: e.ev,
      };
  }
}

export function clusterProgress(view: ClusterRunView): { done: number; total: number } {
  const all = [...view.nodes.flatMap((n) => n.run.steps), ...view.checks.steps];
  return { done: all.filter((s) => isCompleted(s.status)).length, total: all.length };
}

/** A node's state in one word, from its steps. */
export function nodeStatus(run: RunView): SetupStepStatus {
  const s = run.steps;
  if (s.some((x) => x.status === 'failed')) return 'failed';
  if (s.some((x) => x.status === 'cancelled')) return 'cancelled';
  if (s.some((x) => x.status === 'running')) return 'running';
  if (s.length > 0 && s.every((x) => isCompleted(x.status)))
    return s.some((x) => x.status === 'changed')
      ? 'changed'
      : s.every((x) => x.status === 'checked')
        ? 'checked'
        : 'unchanged';
  // between two steps
  return s.some((x) => isCompleted(x.status)) ? 'running' : 'pending';
}

/** Where a run failed: which server (or this computer) and which step. */
export function clusterFailure(view: ClusterRunView): { where: string; step: StepRow } | null {
  for (const n of view.nodes) {
    const step = n.run.steps.find((s) => s.status === 'failed');
    if (step) return { where: n.label, step };
  }
  const check = view.checks.steps.find((s) => s.status === 'failed');
  return check ? { where: 'this computer', step: check } : null;
}

// ---- the end -----------------------------------------------------------------------------------

export interface ClusterResultView {
  readonly ok: boolean;
  readonly headline: string;
  readonly lines: readonly string[];
  /** "N steps changed something, M were already done." */
  readonly counts: string;
  /** What to connect to (ok installs). */
  readonly bootstrap: string | null;
  readonly brokers: readonly string[];
  readonly quorumLeader: number | null;
  /** "3 of 3 replicas in sync" (null when not known). */
  readonly inSync: string | null;
  readonly error: { readonly message: string; readonly detail: string | null } | null;
}

export function clusterResultView(
  view: ClusterRunView,
  plan: Pick<ClusterPlanView, 'kafkaVersion' | 'bootstrap' | 'nodes'>,
): ClusterResultView | null {
  const ended = view.ended;
  if (ended === null) return null;
  const counts = countsText(ended.changed, ended.unchanged);
  const cluster = ended.cluster ?? null;
  if (ended.ok) {
    const nodes =
      cluster?.nodes ?? plan.nodes.map((n) => ({ nodeId: n.nodeId, advertise: n.advertise }));
    const brokers = nodes.map(
      (n) => `node ${n.nodeId} at ${n.advertise}:${SETUP_DEFAULTS.kafkaPort}`,
    );
    const inSync =
      cluster?.replicas != null && cluster.inSync != null
        ? `${cluster.inSync} of ${cluster.replicas} replicas in sync`
        : null;
    const lines: string[] = [`${nodes.length} brokers: ${brokers.join(', ')}.`];
    lines.push(
      cluster?.quorumLeader != null
        ? `Controller quorum led by node ${cluster.quorumLeader}, every voter caught up.`
        : 'The controller quorum leader was not reported.',
    );
    if (ended.verify !== null)
      lines.push(
        `Checked from this computer: ${ended.verify.framesReceived} of ${ended.verify.framesSent} test frames came back through a replicated topic (acks=all)${inSync === null ? '' : `, ${inSync}`}.`,
      );
    if (ended.verify?.problem) lines.push(`Note: ${ended.verify.problem}`);
    return {
      ok: true,
      headline: `A Kafka ${plan.kafkaVersion} cluster (KRaft) runs on ${nodes.length} servers`,
      lines,
      counts,
      bootstrap: cluster?.bootstrap ?? plan.bootstrap,
      brokers,
      quorumLeader: cluster?.quorumLeader ?? null,
      inSync,
      error: null,
    };
  }
  const failure = clusterFailure(view);
  const failed = failedRunText(
    ended,
    failure && {
      line: `On ${failure.where}, step ${failure.step.index + 1} failed: ${failure.step.title}.`,
      error: failure.step.error,
    },
  );
  return {
    ok: false,
    ...failed,
    counts,
    bootstrap: null,
    brokers: [],
    quorumLeader: null,
    inSync: null,
  };
}
