/**
 * The cluster's shape as the connection status carries it (issue 16): the brokers in the metadata,
 * the active controller, the KRaft quorum, and which brokers are down — worked out from one
 * refresh and what earlier refreshes of the same connection saw. Pure: no clock, no network.
 *
 * - Down: a broker seen earlier on this connection that is no longer in the metadata (in KRaft a
 *   stopped broker drops out once its session times out), or a quorum voter that is neither in
 *   the metadata nor caught up (a node never seen: host and port unknown). A voter that is caught
 *   up but not in the metadata is a controller-only node, not a broker, so not down. `since` is
 *   the first refresh that found it missing.
 * - Controller: in KRaft the quorum leader (Kafka's Metadata answer names any live broker as the
 *   "controller" of a KRaft cluster, so it would change at every refresh); in ZooKeeper mode the
 *   Metadata's controller; when the quorum is unknown (TLS/SASL connections, or it failed) the
 *   controller shown before, while it is still a broker in the metadata.
 * - A quorum that failed this time keeps its last answer (a slow controller is not a change).
 * - `sameShape` says whether a status needs to be sent again: a voter's lag counts only by
 *   its band (caught up, then powers of ten), so a healthy quorum's small lags send nothing.
 */
import { QUORUM_CAUGHT_UP_LAG, type ConnectionStatus } from '../../shared/contract.js';

export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface QuorumView {
  readonly leaderId: number | null;
  readonly voters: readonly { readonly nodeId: number; readonly lag: number | null }[];
}

export interface DownBroker {
  readonly nodeId: number;
  readonly host: string | null;
  readonly port: number | null;
  readonly since: number;
}

export interface ClusterShape {
  readonly brokers: readonly BrokerAddress[];
  readonly controllerId: number | null;
  readonly quorum: QuorumView | null;
  readonly downBrokers: readonly DownBroker[];
}

/** What one refresh learnt: the metadata (kafkajs describeCluster) and the quorum. */
export interface ShapeReading {
  readonly brokers: readonly BrokerAddress[];
  /** The Metadata answer's controller id (-1 or null: none). */
  readonly metadataControllerId: number | null;
  /** ok: DescribeQuorum answered; not-kraft: the broker does not offer it; unknown: not asked or failed. */
  readonly quorum:
    | { readonly kind: 'ok'; readonly quorum: QuorumView }
    | { readonly kind: 'not-kraft' }
    | { readonly kind: 'unknown' };
  /** ms since the epoch */
  readonly at: number;
}

/** What a connection remembers between refreshes. */
export interface ShapeMemory {
  /** Every broker seen in the metadata on this connection, at its latest address. */
  readonly seen: ReadonlyMap<number, BrokerAddress>;
  readonly shape: ClusterShape;
}

export const EMPTY_SHAPE: ClusterShape = {
  brokers: [],
  controllerId: null,
  quorum: null,
  downBrokers: [],
};

export function emptyMemory(): ShapeMemory {
  return { seen: new Map(), shape: EMPTY_SHAPE };
}

export function isCaughtUp(lag: number | null): boolean {
  return lag !== null && lag <= QUORUM_CAUGHT_UP_LAG;
}

/** The next shape and memory from the last ones and one reading. */
export function nextShape(memory: ShapeMemory, reading: ShapeReading): ShapeMemory {
  const brokers = [...reading.brokers].sort((a, b) => a.nodeId - b.nodeId);
  const up = new Set(brokers.map((b) => b.nodeId));
  const seen = new Map(memory.seen);
  for (const b of brokers) seen.set(b.nodeId, b);

  const previous = memory.shape;
  const quorum =
    reading.quorum.kind === 'ok'
      ? reading.quorum.quorum
      : reading.quorum.kind === 'not-kraft'
        ? null
        : previous.quorum;

  const missing = new Map<number, { host: string | null; port: number | null }>();
  for (const [nodeId, b] of seen) if (!up.has(nodeId)) missing.set(nodeId, b);
  for (const v of quorum?.voters ?? [])
    if (!up.has(v.nodeId) && !missing.has(v.nodeId) && !isCaughtUp(v.lag))
      missing.set(v.nodeId, { host: null, port: null });
  const before = new Map(previous.downBrokers.map((d) => [d.nodeId, d]));
  const downBrokers = [...missing]
    .sort(([a], [b]) => a - b)
    .map(([nodeId, b]) => ({
      nodeId,
      host: b.host,
      port: b.port,
      since: before.get(nodeId)?.since ?? reading.at,
    }));

  const metadataController =
    reading.metadataControllerId !== null && reading.metadataControllerId >= 0
      ? reading.metadataControllerId
      : null;
  let controllerId: number | null;
  if (quorum !== null) controllerId = quorum.leaderId;
  else if (reading.quorum.kind === 'not-kraft') controllerId = metadataController;
  else
    controllerId =
      previous.controllerId !== null && up.has(previous.controllerId)
        ? previous.controllerId
        : metadataController;

  return {
    seen,
    shape: {
      brokers,
      controllerId,
      quorum: quorum === null ? null : { leaderId: quorum.leaderId, voters: [...quorum.voters] },
      downBrokers,
    },
  };
}

/** caught up → 0, unknown → -1, else the number of decimal digits of the lag. */
function lagBand(lag: number | null): number {
  if (lag === null) return -1;
  if (lag <= QUORUM_CAUGHT_UP_LAG) return 0;
  return String(Math.floor(lag)).length;
}

function shapeKey(s: ClusterShape): string {
  return JSON.stringify([
    s.brokers.map((b) => [b.nodeId, b.host, b.port]),
    s.controllerId,
    s.quorum === null
      ? null
      : [s.quorum.leaderId, s.quorum.voters.map((v) => [v.nodeId, lagBand(v.lag)])],
    s.downBrokers.map((d) => [d.nodeId, d.host, d.port, d.since]),
  ]);
}

/** Whether two shapes would show the same (no need to send the status again). */
export function sameShape(a: ClusterShape, b: ClusterShape): boolean {
  return shapeKey(a) === shapeKey(b);
}

/** The status fields of a shape. */
export function shapeFields(
  s: ClusterShape,
): Pick<ConnectionStatus, 'brokers' | 'controllerId' | 'quorum' | 'downBrokers'> {
  return {
    brokers: s.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    controllerId: s.controllerId,
    quorum:
      s.quorum === null
        ? null
        : {
            leaderId: s.quorum.leaderId,
            voters: s.quorum.voters.map((v) => ({ nodeId: v.nodeId, lag: v.lag })),
          },
    downBrokers: s.downBrokers.map((d) => ({ ...d })),
  };
}
