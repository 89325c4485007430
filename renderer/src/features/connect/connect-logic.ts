/**
 * What the connection panel says, from the host's ConnectionStatus: the headline, the advertised
 * address warnings, and the cluster's brokers (issue 16: each node with its address, the quorum
 * leader, the controller, a voter's lag, and the brokers that are down, since when). Pure.
 */
import {
  QUORUM_CAUGHT_UP_LAG,
  type ConnectionStatus,
} from '../../../../electron/shared/contract.js';
import type { StatusKind } from '../../shared/status.js';

export interface StatusView {
  readonly tone: StatusKind;
  /** One line; contains "Connected" only when connected. */
  readonly headline: string;
  readonly lines: readonly string[];
}

export function brokerAddress(b: { host: string; port: number }): string {
  return b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h.startsWith('127.') || h === '::1';
}

function hostOf(address: string): string {
  const m = /^\[([^\]]+)\]:\d+$/.exec(address) ?? /^([^:]+):\d+$/.exec(address);
  return m?.[1] ?? address;
}

/**
 * Warnings about what the broker advertises compared to what was typed: the classic
 * `advertised.listeners` trap (bootstrap works, everything after it goes to an address
 * this computer cannot reach).
 */
export function advertisedWarnings(status: ConnectionStatus): string[] {
  if (status.state !== 'connected' || !status.bootstrap || status.brokers.length === 0) return [];
  const typed = status.bootstrap.split(',').map((s) => s.trim().toLowerCase());
  const advertised = status.brokers.map(brokerAddress);
  const out: string[] = [];
  const typedRemote = typed.some((a) => !isLoopbackHost(hostOf(a)));
  const loopbackAdvertised = advertised.filter((a) => isLoopbackHost(hostOf(a)));
  if (typedRemote && loopbackAdvertised.length > 0)
    out.push(
      `The broker advertises ${loopbackAdvertised.join(', ')} — a loopback address. Clients on other machines will fail after the first request. Set advertised.listeners to PLAINTEXT://x.y.z.w:9092 (the broker's real IPv4 address) on the broker.`,
    );
  else if (!advertised.some((a) => typed.includes(a.toLowerCase())))
    out.push(
      `You typed ${status.bootstrap}, but the broker advertises ${advertised.join(', ')}. From now on the client talks to the advertised address, so this computer must be able to reach it.`,
    );
  return out;
}

/** `profile`: the name of the connection profile connected with, if any (said once connected). */
export function describeStatus(
  status: ConnectionStatus | null,
  callError: string | null,
  profile: string | null = null,
): StatusView {
  if (callError && status?.state !== 'connected')
    return { tone: 'error', headline: `Connection failed: ${callError}`, lines: [] };
  if (!status) return { tone: 'idle', headline: 'Not connected to Kafka yet.', lines: [] };
  const target = status.bootstrap ?? 'the broker';
  switch (status.state) {
    case 'disconnected':
      return { tone: 'idle', headline: 'Not connected to Kafka.', lines: [] };
    case 'connecting':
      return { tone: 'busy', headline: `Connecting to ${target}…`, lines: [] };
    case 'failed':
      return {
        tone: 'error',
        headline: `Connection to ${target} failed: ${status.error?.message ?? 'no reason was given.'}`,
        lines: status.error?.detail ? [status.error.detail] : [],
      };
    case 'connected': {
      const lines = [`Cluster id: ${status.clusterId ?? 'unknown'}`];
      const brokers = status.brokers.map((b) => `${brokerAddress(b)} (node ${b.nodeId})`);
      lines.push(
        brokers.length > 0
          ? `Advertised brokers: ${brokers.join(', ')}`
          : 'The broker advertised no addresses.',
      );
      const down = status.downBrokers ?? [];
      // connected, but a stream has lost the broker (a restart, the network): it says why
      if (status.error)
        return {
          tone: 'busy',
          headline: `Connected to ${target}, but Kafka is not answering right now — streams are reconnecting by themselves.`,
          lines: [status.error.message, ...lines],
        };
      const named = `Connected to ${target}${profile !== null ? ` — profile “${profile}”` : ''}`;
      if (down.length > 0)
        return {
          tone: 'busy',
          headline: `${named} — ${down.length === 1 ? 'one broker is' : `${down.length} brokers are`} down (${down.map((d) => `node ${d.nodeId}`).join(', ')}).`,
          lines,
        };
      return { tone: 'ok', headline: named, lines };
    }
  }
}

/** The connect button: what it says and does for a state. */
export function connectButtonMode(
  state: ConnectionStatus['state'] | undefined,
): 'connect' | 'disconnect' {
  return state === 'connected' || state === 'connecting' ? 'disconnect' : 'connect';
}

// ---- the cluster's brokers ---------------------------------------------------------------------

export type BrokerRole = 'quorum-leader' | 'controller' | 'voter';

export interface BrokerRow {
  readonly nodeId: number;
  /** host:port; null for a node never seen in the metadata. */
  readonly address: string | null;
  readonly state: 'up' | 'down';
  /** What the node is besides a broker, in words, each with its kind. */
  readonly roles: readonly { readonly kind: BrokerRole; readonly text: string }[];
  /** For a down node: what is known and since when. */
  readonly downNote: string | null;
}

export interface ClusterView {
  readonly rows: readonly BrokerRow[];
  /** One line about the KRaft quorum. */
  readonly quorumLine: string;
}

/** 12:03:10 in this computer's time zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

function lagText(lag: number | null, down: boolean): string {
  if (lag === null) return 'voter, lag unknown';
  // a stopped node's lag is the last one the leader saw: not "caught up" now
  if (lag <= QUORUM_CAUGHT_UP_LAG) return down ? 'voter, not answering' : 'voter, caught up';
  return `voter, ${lag} records behind`;
}

/**
 * The broker list of a connected status: every broker in the metadata (up), every down node, and
 * the quorum voters that are not brokers (controller-only nodes), by node id. Empty when not
 * connected.
 */
export function clusterView(
  status: ConnectionStatus | null,
  formatTime: (ms: number) => string = clockTime,
): ClusterView {
  if (status?.state !== 'connected') return { rows: [], quorumLine: '' };
  const quorum = status.quorum ?? null;
  const controllerId = status.controllerId ?? null;
  const voters = new Map((quorum?.voters ?? []).map((v) => [v.nodeId, v.lag]));
  const down = new Set((status.downBrokers ?? []).map((d) => d.nodeId));
  const roles = (nodeId: number): BrokerRow['roles'] => {
    const out: { kind: BrokerRole; text: string }[] = [];
    if (quorum !== null && quorum.leaderId === nodeId)
      out.push({ kind: 'quorum-leader', text: 'quorum leader' });
    if (controllerId === nodeId)
      out.push({
        kind: 'controller',
        text: quorum !== null ? 'active controller' : 'controller',
      });
    if (voters.has(nodeId))
      out.push({ kind: 'voter', text: lagText(voters.get(nodeId) ?? null, down.has(nodeId)) });
    return out;
  };
  const rows: BrokerRow[] = status.brokers.map((b) => ({
    nodeId: b.nodeId,
    address: brokerAddress(b),
    state: 'up',
    roles: roles(b.nodeId),
    downNote: null,
  }));
  for (const d of status.downBrokers ?? []) {
    const address =
      d.host !== null && d.port !== null ? brokerAddress({ host: d.host, port: d.port }) : null;
    const since = formatTime(d.since);
    rows.push({
      nodeId: d.nodeId,
      address,
      state: 'down',
      roles: roles(d.nodeId),
      downNote:
        address !== null
          ? `node ${d.nodeId} at ${address} is down — not in the cluster's metadata since ${since}`
          : `node ${d.nodeId} is down — a quorum voter that is not caught up and not in the cluster's metadata since ${since}`,
    });
  }
  const listed = new Set(rows.map((r) => r.nodeId));
  for (const nodeId of voters.keys())
    if (!listed.has(nodeId))
      rows.push({ nodeId, address: null, state: 'up', roles: roles(nodeId), downNote: null });
  rows.sort((a, b) => a.nodeId - b.nodeId);

  let quorumLine: string;
  if (quorum === null)
    quorumLine =
      'No KRaft quorum known: a ZooKeeper-mode cluster, or a TLS/SASL connection (the quorum is asked only over PLAINTEXT).';
  else if (quorum.leaderId === null)
    quorumLine = `The metadata quorum has no leader right now (voters: ${[...voters.keys()].map((n) => `node ${n}`).join(', ')}).`;
  else {
    const nodes = (ids: readonly number[]) => ids.map((n) => `node ${n}`).join(', ');
    const downVoters = [...voters.keys()].filter((n) => down.has(n));
    const behind = [...voters]
      .filter(([n, lag]) => !down.has(n) && (lag === null || lag > QUORUM_CAUGHT_UP_LAG))
      .map(([n]) => n);
    const problems = [
      ...(behind.length > 0 ? [`not caught up: ${nodes(behind)}`] : []),
      ...(downVoters.length > 0 ? [`down: ${nodes(downVoters)}`] : []),
    ];
    quorumLine =
      `Quorum leader: node ${quorum.leaderId}; ${voters.size} voter${voters.size === 1 ? '' : 's'}` +
      (problems.length === 0 ? ', all caught up.' : `, ${problems.join('; ')}.`);
  }
  return { rows, quorumLine };
}
