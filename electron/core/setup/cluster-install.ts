/**
 * Installing a KRaft cluster over SSH (issue 16): one install plan per server (install-plan.ts with
 * a ClusterChoice), run server by server, then checked from this computer.
 *
 * - **The cluster id is made once and kept.** Before planning, each server's meta.properties is read
 *   (`readNodeStorage`); servers already formatted must agree on one cluster id and keep their
 *   node.id — otherwise the install stops before anything runs, saying which server holds what
 *   (`clusterIdentity`). A fresh cluster gets `newClusterId()`.
 * - **Order.** A KRaft node only listens for clients once a majority of the quorum is up, so the
 *   servers are prepared and started one after the other (every step but the port wait), and only
 *   then does each wait for its ports. Re-running: every step's check, as for one server.
 * - **Per-server preflight** (`preflightCluster`): the detect facts (OS, Java, ports, an existing
 *   Kafka) give each plan its refusals; this adds the clock: a server whose clock is more than
 *   CLOCK_SKEW_WARN_S off this computer's gets a warning (message times and seeking use them).
 */
import { KvsError } from '../../shared/errors.js';
import type { SshSession } from '../ssh/ssh-session.js';
import { CLUSTER_SIZES, newClusterId, type ClusterChoice } from './cluster-choice.js';
import { makeRunner } from './command-runner.js';
import { LAYOUT } from './config.js';
import type { ServerFacts } from './detect.js';
import { buildInstallPlan } from './install-plan.js';
import type { InstallChoices, InstallPlan } from './plan-types.js';
import { runPlan, type RunPlanOptions, type RunPlanResult } from './run-plan.js';
import { argv } from './scripts.js';

export const CLOCK_SKEW_WARN_S = 30;

/** What a server's KRaft storage already says (null: not formatted). */
export interface NodeStorage {
  readonly clusterId: string;
  readonly nodeId: number;
}

/** One server of the cluster, logged in. */
export interface ClusterServer {
  /** How the person named it (its address), for messages. */
  readonly label: string;
  readonly session: SshSession;
  readonly sudoPassword?: string;
  readonly facts: ServerFacts;
  /** The IPv4 it advertises to clients and the other nodes reach it at. */
  readonly advertise: string;
}

/** meta.properties → cluster.id and node.id (null when either is missing). */
export function parseMetaProperties(text: string): NodeStorage | null {
  const get = (k: string) =>
    new RegExp(`^${k.replace('.', '\\.')}=(.+)$`, 'm').exec(text)?.[1]?.trim();
  const clusterId = get('cluster.id');
  const nodeId = Number(get('node.id'));
  return clusterId === undefined || !Number.isInteger(nodeId) ? null : { clusterId, nodeId };
}

/** The server's meta.properties, read with sudo; null when there is none. */
export async function readNodeStorage(
  server: Pick<ClusterServer, 'session' | 'sudoPassword'>,
  signal?: AbortSignal,
): Promise<NodeStorage | null> {
  const runner = makeRunner(server.session, {
    ...(server.sudoPassword !== undefined ? { sudoPassword: server.sudoPassword } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
  const r = await runner.run(argv('cat', `${LAYOUT.dataDir}/meta.properties`), true, 30_000);
  return r.code === 0 ? parseMetaProperties(r.stdout) : null;
}

/**
 * The cluster id and each server's node.id: the ones its storage holds, or new ones (a fresh id,
 * node.ids 1…N in the order given). Refuses mixed clusters and a node.id in use twice.
 */
export function clusterIdentity(
  servers: readonly { readonly label: string; readonly storage: NodeStorage | null }[],
  makeId: () => string = newClusterId,
): { clusterId: string; nodeIds: number[] } {
  if (!(CLUSTER_SIZES as readonly number[]).includes(servers.length))
    throw new KvsError(
      'INVALID_ARGUMENT',
      `A cluster here has ${CLUSTER_SIZES.join(' or ')} servers, not ${servers.length}.`,
    );
  const formatted = servers.filter((s) => s.storage !== null);
  const ids = new Set(formatted.map((s) => s.storage?.clusterId));
  if (ids.size > 1)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `These servers already belong to different Kafka clusters: ${formatted
        .map((s) => `${s.label} to ${s.storage?.clusterId ?? '?'}`)
        .join(
          ', ',
        )}. Choose servers of one cluster, or uninstall Kafka (with its data) on the others.`,
    );
  const clusterId = formatted[0]?.storage?.clusterId ?? makeId();
  const taken = new Set(formatted.map((s) => s.storage?.nodeId));
  if (taken.size !== formatted.length)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Two servers hold the same node.id in their Kafka storage (${formatted
        .map((s) => `${s.label}: ${s.storage?.nodeId ?? '?'}`)
        .join(', ')}); a cluster needs one per server.`,
    );
  let next = 1;
  const nodeIds = servers.map((s) => {
    if (s.storage !== null) return s.storage.nodeId;
    while (taken.has(next)) next += 1;
    taken.add(next);
    return next;
  });
  return { clusterId, nodeIds };
}

export interface ClusterPreflight {
  readonly label: string;
  /** Seconds the server's clock is ahead (+) or behind (−) this computer's; null: unknown. */
  readonly clockSkewS: number | null;
  readonly warnings: string[];
}

/** The clock of each server against this computer's. */
export async function preflightCluster(
  servers: readonly Pick<ClusterServer, 'label' | 'session'>[],
  now: () => number = Date.now,
): Promise<ClusterPreflight[]> {
  return Promise.all(
    servers.map(async (s) => {
      const before = now();
      const r = await s.session.exec(['date', '+%s'], { timeoutMs: 15_000 }).catch(() => null);
      const after = now();
      const theirs = r !== null && r.code === 0 ? Number(r.stdout.trim()) : Number.NaN;
      const clockSkewS = Number.isFinite(theirs)
        ? Math.round(theirs - (before + after) / 2000)
        : null;
      const warnings =
        clockSkewS !== null && Math.abs(clockSkewS) > CLOCK_SKEW_WARN_S
          ? [
              `${s.label}'s clock is ${Math.abs(clockSkewS)} s ${clockSkewS > 0 ? 'ahead of' : 'behind'} this computer's: message times and seeking by time will be off. Install NTP (sudo apt install systemd-timesyncd or chrony).`,
            ]
          : [];
      return { label: s.label, clockSkewS, warnings };
    }),
  );
}

/** One plan per server, all with the same cluster id and quorum. Throws what any plan refuses. */
export function planCluster(
  servers: readonly ClusterServer[],
  identity: { clusterId: string; nodeIds: readonly number[] },
  common: Omit<InstallChoices, 'advertise' | 'cluster'>,
): InstallPlan[] {
  const voters = servers.map((s, i) => ({
    nodeId: identity.nodeIds[i] ?? i + 1,
    host: s.advertise,
  }));
  return servers.map((s, i) => {
    const cluster: ClusterChoice = {
      clusterId: identity.clusterId,
      nodeId: identity.nodeIds[i] ?? i + 1,
      voters,
    };
    try {
      return buildInstallPlan(s.facts, { ...common, advertise: s.advertise, cluster });
    } catch (e) {
      if (e instanceof KvsError) throw new KvsError(e.code, `${s.label}: ${e.message}`, e.detail);
      throw e;
    }
  });
}

export interface ClusterRunOptions extends Omit<
  RunPlanOptions,
  'sudoPassword' | 'onStep' | 'onLog'
> {
  /** A step of server `index` (its plan's events). */
  onStep?: (index: number, event: Parameters<NonNullable<RunPlanOptions['onStep']>>[0]) => void;
  onLog?: (index: number, line: string) => void;
}

const WAIT_STEP = 'verify-ports';

/**
 * Runs the plans: each server's steps but the port wait, server by server; then each server's port
 * wait. Rejects with the first failure (a RunPlanError, its message prefixed with the server).
 */
export async function runClusterPlans(
  servers: readonly ClusterServer[],
  plans: readonly InstallPlan[],
  opts: ClusterRunOptions = {},
): Promise<RunPlanResult[]> {
  const results: RunPlanResult[] = servers.map(() => ({
    changed: 0,
    unchanged: 0,
    checked: 0,
    events: [],
  }));
  const phase = async (keep: (stepId: string) => boolean): Promise<void> => {
    for (const [i, server] of servers.entries()) {
      const plan = plans[i];
      if (plan === undefined) continue;
      const part: InstallPlan = { ...plan, steps: plan.steps.filter((s) => keep(s.id)) };
      if (part.steps.length === 0) continue;
      const r = await runPlan(server.session, part, {
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        ...(opts.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.commandTimeoutMs } : {}),
        ...(server.sudoPassword !== undefined ? { sudoPassword: server.sudoPassword } : {}),
        onStep: (e) => opts.onStep?.(i, e),
        onLog: (l) => opts.onLog?.(i, l),
      }).catch((e: unknown) => {
        if (e instanceof KvsError) {
          const prefixed = new KvsError(e.code, `${server.label}: ${e.message}`, e.detail);
          throw Object.assign(prefixed, { server: i, stepId: (e as { stepId?: string }).stepId });
        }
        throw e;
      });
      const sum = results[i];
      if (sum === undefined) continue;
      sum.changed += r.changed;
      sum.unchanged += r.unchanged;
      sum.checked += r.checked;
      sum.events.push(...r.events);
    }
  };
  await phase((id) => id !== WAIT_STEP);
  await phase((id) => id === WAIT_STEP);
  return results;
}
