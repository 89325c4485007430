/**
 * The KRaft controller quorum of an installed cluster, as Kafka's own tool reports it (issue 16):
 * `kafka-metadata-quorum.sh --bootstrap-server <broker> describe --replication`, run on a server as
 * the kafka user. kafkajs has no DescribeQuorum request, and the tool is in every Kafka ≥ 3.3.
 *
 * The check: there is a leader, every node is a voter (Leader or Follower, not an Observer), and
 * every voter has caught up (Lag 0) — waited for, since followers catch up a moment after a start.
 */
import { KvsError } from '../../shared/errors.js';
import { makeRunner } from './command-runner.js';
import type { ClusterServer } from './cluster-install.js';
import { LAYOUT } from './config.js';
import type { Installation } from './plan-types.js';
import { argv, asKafka } from './scripts.js';

export interface QuorumMember {
  readonly nodeId: number;
  readonly lag: number;
  readonly status: string;
}

export interface QuorumState {
  readonly leaderId: number | null;
  readonly members: readonly QuorumMember[];
}

/** The tool's `describe --replication` table (columns found by their header names). */
export function parseQuorumReplication(text: string): QuorumState {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
  const header = rows.findIndex((r) => r[0] === 'NodeId');
  if (header < 0) return { leaderId: null, members: [] };
  const cols = rows[header] ?? [];
  const at = (name: string) => cols.indexOf(name);
  const [iNode, iLag, iStatus] = [at('NodeId'), at('Lag'), at('Status')];
  const members: QuorumMember[] = [];
  for (const r of rows.slice(header + 1)) {
    const nodeId = Number(r[iNode]);
    const lag = Number(r[iLag]);
    const status = r[iStatus] ?? '';
    if (Number.isInteger(nodeId) && Number.isFinite(lag)) members.push({ nodeId, lag, status });
  }
  const leader = members.find((m) => m.status === 'Leader');
  return { leaderId: leader?.nodeId ?? null, members };
}

/** What is wrong with the quorum for these node.ids; null when every one is a caught-up voter. */
export function quorumProblem(q: QuorumState, nodeIds: readonly number[]): string | null {
  if (q.leaderId === null) return 'The controller quorum has no leader.';
  const voters = q.members.filter((m) => m.status === 'Leader' || m.status === 'Follower');
  const missing = nodeIds.filter((id) => !voters.some((v) => v.nodeId === id));
  if (missing.length > 0)
    return `Node${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not a voter of the controller quorum.`;
  const behind = voters.filter((v) => v.lag > 0);
  if (behind.length > 0)
    return `Voter${behind.length > 1 ? 's' : ''} ${behind.map((v) => `${v.nodeId} (${v.lag} behind)`).join(', ')} ${behind.length > 1 ? 'have' : 'has'} not caught up with the leader.`;
  return null;
}

/**
 * Asks `server` for the quorum through `bootstrap` until every node is a caught-up voter, or
 * `timeoutMs` passes (then the last problem is thrown, BROKER_UNREACHABLE).
 */
export async function waitForQuorum(
  server: Pick<ClusterServer, 'session' | 'sudoPassword' | 'label'>,
  inst: Pick<Installation, 'installDir' | 'javaHome'>,
  bootstrap: string,
  nodeIds: readonly number[],
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<QuorumState> {
  const runner = makeRunner(server.session, {
    ...(server.sudoPassword !== undefined ? { sudoPassword: server.sudoPassword } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  });
  const command = argv(
    ...asKafka(
      [`JAVA_HOME=${inst.javaHome}`, `LOG_DIR=${LAYOUT.logDir}`],
      `${inst.installDir}/bin/kafka-metadata-quorum.sh`,
      '--bootstrap-server',
      bootstrap,
      'describe',
      '--replication',
    ),
  );
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let problem = 'no answer yet';
  for (;;) {
    if (opts.signal?.aborted) throw new KvsError('CANCELLED', 'The quorum check was cancelled.');
    const r = await runner.run(command, true, 60_000);
    if (r.code === 0) {
      const q = parseQuorumReplication(r.stdout);
      problem = quorumProblem(q, nodeIds) ?? '';
      if (problem === '') return q;
    } else
      problem = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? `exit ${r.code}`;
    if (Date.now() > deadline)
      throw new KvsError(
        'BROKER_UNREACHABLE',
        `The controller quorum, asked on ${server.label}: ${problem}`,
      );
    await new Promise((res) => setTimeout(res, 1000));
  }
}
