/**
 * The one Kafka connection of the app services: connect (checking the broker within a time limit),
 * disconnect, the status every page sees, and the streams that cannot reach the broker right now
 * (reportLink). Connecting elsewhere or disconnecting stops the viewers and jobs first
 * (`stopStreams`, given by the app services).
 *
 * A failed connect defers to the connection doctor (issue 15): the same bootstrap and security
 * settings are diagnosed, and an error finding replaces kafkajs's guess ("connection refused … is
 * Kafka running") with its message and fix. The doctor's budget: 3 s after a quick failure
 * (DOCTOR_ON_CONNECT_MS; a broker that answers is classified in well under a second), but never
 * past the connect's own limit by more than 1 s (DOCTOR_PAST_CONNECT_LIMIT_MS; at least 1 s, so a
 * connect that timed out still gets a word from the doctor), plus 0.5 s hard-cap slack.
 *
 * The cluster's shape (issue 16): while connected, every REFRESH_MS the metadata (kafkajs
 * describeCluster, bootstrapped from the typed addresses and every broker seen, so a stopped
 * bootstrap broker does not blind it) and, on PLAINTEXT connections, the KRaft quorum
 * (core/kafka/describe-quorum.ts) are read within a time limit; core/kafka/cluster-shape.ts
 * works out the controller, the quorum and the brokers that are down, and `connection:status` is
 * sent only when that changed. A refresh that fails changes nothing (streams report a lost broker
 * themselves: reportLink); the timer stops with the connection.
 */
import type { Admin } from 'kafkajs';
import type { ConnectionStatus, ErrorPayload } from '../shared/contract.js';
import { parseBootstrap } from '../shared/bootstrap.js';
import { PLAINTEXT, type ConnectionSecurity } from '../shared/connection-security.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import { createKafka, withTimeout, type KafkaHandle } from '../core/kafka/client.js';
import { withAdmin } from '../core/kafka/topics.js';
import { describeQuorum, type QuorumResult } from '../core/kafka/describe-quorum.js';
import { voterLags } from '../core/kafka/describe-quorum-wire.js';
import {
  emptyMemory,
  nextShape,
  sameShape,
  shapeFields,
  type BrokerAddress,
  type ShapeMemory,
  type ShapeReading,
} from '../core/kafka/cluster-shape.js';
import { explainConnectError } from '../core/doctor/connect-error.js';
import { diagnose, type DiagnoseResult } from '../core/doctor/diagnose.js';
import { errorPayload } from './error-payload.js';
import type { EventBus } from './event-bus.js';
import { NOT_CONNECTED_MESSAGE, STOP_GRACE_MS } from './limits.js';
import type { RecentConnections } from './recent-connections.js';

export interface Connection {
  readonly handle: KafkaHandle;
  readonly bootstrap: string;
  /** The security settings it was made with, as a key (a connect with other settings reconnects). */
  readonly securityKey: string;
  /** Its security settings (the quorum is asked only on PLAINTEXT). */
  readonly security?: ConnectionSecurity | undefined;
}

export const disconnected: ConnectionStatus = {
  state: 'disconnected',
  bootstrap: null,
  clusterId: null,
  brokers: [],
  error: null,
};

/** How often the cluster's shape is read while connected, and the time limits of one reading. */
export const REFRESH_MS = 5_000;
const REFRESH_METADATA_LIMIT_MS = 4_000;
const QUORUM_LIMIT_MS = 2_000;

/** The doctor's budget after a failed connect (see the header). */
export const DOCTOR_ON_CONNECT_MS = 3_000;
export const DOCTOR_PAST_CONNECT_LIMIT_MS = 1_000;
const HARD_CAP_SLACK_MS = 500;

/** The doctor's budget when the connect failed `elapsedMs` after it started. */
export function doctorBudgetMs(connectTimeoutMs: number, elapsedMs: number): number {
  return Math.round(
    Math.min(
      DOCTOR_ON_CONNECT_MS,
      Math.max(1_000, connectTimeoutMs + DOCTOR_PAST_CONNECT_LIMIT_MS - elapsedMs),
    ),
  );
}

export interface ConnectionServiceDeps {
  readonly recent: RecentConnections;
  readonly connectTimeoutMs: number;
  readonly emit: EventBus['emit'];
  /** Stop every viewer and job (they run on the connection that is going away). */
  readonly stopStreams: () => Promise<unknown>;
  /** What explains a failed connect (default: the doctor's diagnose within DOCTOR_ON_CONNECT_MS). */
  readonly diagnose?: (
    bootstrap: string,
    security: ConnectionSecurity | undefined,
    budgetMs: number,
  ) => Promise<DiagnoseResult>;
  /** The cluster's metadata through a handle (default: kafkajs describeCluster; tests fake it). */
  readonly describeCluster?: (handle: KafkaHandle) => Promise<ClusterMetadata>;
  /** How often the cluster's shape is read while connected (default REFRESH_MS). */
  readonly refreshMs?: number;
  /** The KRaft quorum from these addresses (default: DescribeQuorum from this computer). */
  readonly describeQuorum?: (
    addresses: readonly { host: string; port: number }[],
    budgetMs: number,
  ) => Promise<QuorumResult>;
}

export type ClusterMetadata = Awaited<ReturnType<Admin['describeCluster']>>;

function kafkajsDescribeCluster(handle: KafkaHandle): Promise<ClusterMetadata> {
  return withAdmin(handle, (admin) => admin.describeCluster());
}

function hostPort(address: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  return m?.[1] !== undefined && m[2] !== undefined ? { host: m[1], port: Number(m[2]) } : null;
}

function addressOf(b: { host: string; port: number }): string {
  return b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
}

function diagnoseAfterFailure(
  bootstrap: string,
  security: ConnectionSecurity | undefined,
  budgetMs: number,
): Promise<DiagnoseResult> {
  return diagnose(bootstrap, { budgetMs, ...(security !== undefined ? { security } : {}) });
}

export interface ConnectionService {
  status(): ConnectionStatus;
  /** The connection, or INVALID_ARGUMENT "Connect to a broker first." */
  require(): Connection;
  connect(args: {
    readonly bootstrap: string;
    readonly security?: ConnectionSecurity | undefined;
  }): Promise<ConnectionStatus>;
  disconnect(): Promise<ConnectionStatus>;
  /** A stream (job or viewer id) lost the broker (trouble) or is through again (null). */
  reportLink(source: string, trouble: ErrorPayload | null): void;
  /** Stop what runs on the connection and forget it, without an event (the app services are going away). */
  dispose(): Promise<void>;
}

export function createConnectionService(deps: ConnectionServiceDeps): ConnectionService {
  const { emit, connectTimeoutMs } = deps;
  const runDoctor = deps.diagnose ?? diagnoseAfterFailure;
  const refreshMs = deps.refreshMs ?? REFRESH_MS;
  const askQuorum = deps.describeQuorum ?? describeQuorum;
  const readCluster = deps.describeCluster ?? kafkajsDescribeCluster;

  /** The connect error, or the doctor's finding when it has one (never slower than the cap). */
  async function explained(
    e: unknown,
    bootstrap: string,
    security: ConnectionSecurity | undefined,
    startedAt: number,
  ): Promise<KvsError> {
    const err = toKvsError(e, 'BROKER_UNREACHABLE');
    if (err.code === 'BOOTSTRAP_INVALID' || err.code === 'CANCELLED') return err;
    const budget = doctorBudgetMs(connectTimeoutMs, performance.now() - startedAt);
    const d = await withTimeout(
      runDoctor(bootstrap, security, budget),
      budget + HARD_CAP_SLACK_MS,
      'The connection doctor',
    ).catch(() => null);
    return explainConnectError(err, d);
  }
  let status: ConnectionStatus = disconnected;
  let conn: Connection | null = null;
  /** Bumped by every connect/disconnect: an older attempt that finishes late changes nothing. */
  let generation = 0;

  function setStatus(next: ConnectionStatus): void {
    status = next;
    emit('connection:status', next);
  }

  // Streams (job or viewer id) that cannot reach the broker right now, and why. While any can't,
  // the connection status stays "connected" but carries the error, so the connect panel says
  // that Kafka is not answering; it clears when they are through again.
  const linkTrouble = new Map<string, ErrorPayload>();
  function reportLink(source: string, trouble: ErrorPayload | null): void {
    if (trouble) linkTrouble.set(source, trouble);
    else if (!linkTrouble.delete(source)) return;
    if (status.state !== 'connected') return;
    const error = linkTrouble.values().next().value ?? null;
    if (error?.message === status.error?.message) return;
    setStatus({ ...status, error });
  }

  function requireConnection(): Connection {
    if (conn === null) throw new KvsError('INVALID_ARGUMENT', NOT_CONNECTED_MESSAGE);
    return conn;
  }

  async function checkBroker(handle: KafkaHandle): Promise<ClusterMetadata> {
    try {
      return await withTimeout(
        readCluster(handle),
        connectTimeoutMs,
        `Checking the broker at ${handle.bootstrap}`,
      );
    } catch (e) {
      const err = toKvsError(e, 'BROKER_UNREACHABLE');
      if (err.code === 'TIMEOUT')
        throw new KvsError(
          'BROKER_UNREACHABLE',
          `No answer from a broker at ${handle.bootstrap} within ${Math.round(connectTimeoutMs / 1000)} s. ` +
            `Check that Kafka is running and that ${handle.bootstrap} is the address in the broker's advertised.listeners.`,
          err.message,
        );
      throw err;
    }
  }

  // ---- the cluster's shape, refreshed while connected -----------------------------------------
  let memory: ShapeMemory = emptyMemory();
  let refreshTimer: NodeJS.Timeout | null = null;
  /** The handle the refresh reads metadata with, and the addresses it was made from. */
  let refreshHandle: { key: string; handle: KafkaHandle } | null = null;

  function stopRefresh(): void {
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshTimer = null;
    refreshHandle = null;
  }

  function scheduleRefresh(gen: number): void {
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refreshShape(gen)
        .catch(() => undefined)
        .finally(() => {
          if (gen === generation && conn !== null) scheduleRefresh(gen);
        });
    }, refreshMs);
    refreshTimer.unref();
  }

  /** The quorum as a reading: only PLAINTEXT connections are asked; never rejects. */
  async function readQuorum(
    c: Connection,
    brokers: readonly BrokerAddress[],
  ): Promise<ShapeReading['quorum']> {
    if ((c.security ?? PLAINTEXT).protocol !== 'PLAINTEXT') return { kind: 'unknown' };
    const addresses = [
      ...brokers.map((b) => ({ host: b.host, port: b.port })),
      ...c.handle.brokers.map(hostPort).filter((a) => a !== null),
    ];
    const r = await askQuorum(addresses, QUORUM_LIMIT_MS).catch(() => null);
    if (r === null) return { kind: 'unknown' };
    if (r.ok)
      return {
        kind: 'ok',
        quorum: { leaderId: r.quorum.leaderId, voters: voterLags(r.quorum) },
      };
    return r.kind === 'not-kraft' ? { kind: 'not-kraft' } : { kind: 'unknown' };
  }

  /** The handle bootstrapped from the typed addresses and every broker seen on this connection. */
  function metadataHandle(c: Connection): KafkaHandle {
    const addresses = [
      ...new Set([...c.handle.brokers, ...[...memory.seen.values()].map(addressOf)]),
    ];
    const key = addresses.join(',');
    if (refreshHandle?.key === key) return refreshHandle.handle;
    try {
      const handle = createKafka({
        bootstrap: key,
        ...(c.security !== undefined ? { security: c.security } : {}),
      });
      refreshHandle = { key, handle };
      return handle;
    } catch {
      return c.handle; // an advertised address the bootstrap rule refuses: the typed ones only
    }
  }

  /** One reading of the cluster's shape; sends the status when it changed. */
  async function refreshShape(gen: number): Promise<void> {
    const c = conn;
    if (c === null || gen !== generation) return;
    const handle = metadataHandle(c);
    const [cluster, quorum] = await Promise.all([
      withTimeout(
        readCluster(handle),
        Math.min(connectTimeoutMs, REFRESH_METADATA_LIMIT_MS),
        'Reading the cluster metadata',
      ).catch(() => null),
      readQuorum(c, memory.shape.brokers),
    ]);
    if (cluster === null || gen !== generation || conn !== c) return;
    applyReading(brokersOf(cluster), cluster.controller, quorum);
  }

  function brokersOf(cluster: ClusterMetadata): BrokerAddress[] {
    return cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }));
  }

  function applyReading(
    brokers: BrokerAddress[],
    controller: number | null,
    quorum: ShapeReading['quorum'],
  ): void {
    const next = nextShape(memory, {
      brokers,
      metadataControllerId: controller,
      quorum,
      at: Date.now(),
    });
    const changed = !sameShape(memory.shape, next.shape);
    memory = next;
    if (changed && status.state === 'connected')
      setStatus({ ...status, ...shapeFields(next.shape) });
  }

  /** Stop every viewer and job of the current connection and forget it. */
  async function closeConnection(): Promise<void> {
    conn = null;
    stopRefresh();
    await withTimeout(deps.stopStreams(), STOP_GRACE_MS, 'Stopping viewers and jobs').catch(
      () => undefined,
    );
  }

  async function connect({
    bootstrap,
    security,
  }: {
    readonly bootstrap: string;
    readonly security?: ConnectionSecurity | undefined;
  }): Promise<ConnectionStatus> {
    const parsed = parseBootstrap(bootstrap);
    // a typo is answered at once and leaves the current connection as it is
    if (!parsed.ok) throw new KvsError('BOOTSTRAP_INVALID', parsed.error);
    // already connected there (another window, a page reloaded with #bootstrap=…): keep it, and
    // the viewers and jobs running on it — closing it would pull it from under their calls
    const securityKey = JSON.stringify(security ?? PLAINTEXT);
    if (
      conn !== null &&
      conn.bootstrap === parsed.normalized &&
      conn.securityKey === securityKey &&
      status.state === 'connected'
    )
      return status;
    const gen = ++generation;
    await closeConnection();
    const superseded = (): KvsError =>
      new KvsError('CANCELLED', 'A newer connect or disconnect replaced this connection attempt.');
    if (gen !== generation) throw superseded();
    setStatus({
      state: 'connecting',
      bootstrap: parsed.normalized,
      clusterId: null,
      brokers: [],
      error: null,
    });
    let cluster;
    const handle = createKafka({
      bootstrap: parsed.normalized,
      ...(security !== undefined ? { security } : {}),
    });
    const startedAt = performance.now();
    const plaintext = (security ?? PLAINTEXT).protocol === 'PLAINTEXT';
    // asked alongside the broker check, so the first status already has it (never rejects)
    const quorumAtConnect = plaintext
      ? readQuorum({ handle, bootstrap: parsed.normalized, securityKey, security }, [])
      : Promise.resolve<ShapeReading['quorum']>({ kind: 'unknown' });
    try {
      cluster = await checkBroker(handle);
    } catch (e) {
      if (gen !== generation) throw superseded();
      const err = await explained(e, parsed.normalized, security, startedAt);
      if (gen !== generation) throw superseded();
      const error = errorPayload(err);
      setStatus({
        state: 'failed',
        bootstrap: parsed.normalized,
        clusterId: null,
        brokers: [],
        error,
      });
      throw err;
    }
    const quorum = await quorumAtConnect;
    if (gen !== generation) throw superseded();
    conn = { handle, bootstrap: parsed.normalized, securityKey, security };
    memory = nextShape(emptyMemory(), {
      brokers: brokersOf(cluster),
      metadataControllerId: cluster.controller,
      quorum,
      at: Date.now(),
    });
    setStatus({
      state: 'connected',
      bootstrap: parsed.normalized,
      clusterId: cluster.clusterId,
      error: null,
      ...shapeFields(memory.shape),
    });
    scheduleRefresh(gen);
    // remembering it is a convenience: a read-only config folder must not fail the connection
    await deps.recent.add(parsed.normalized).catch(() => undefined);
    return status;
  }

  async function disconnect(): Promise<ConnectionStatus> {
    generation++;
    await closeConnection();
    setStatus(disconnected);
    return status;
  }

  return {
    status: () => status,
    require: requireConnection,
    connect,
    disconnect,
    reportLink,
    async dispose() {
      generation++;
      await closeConnection();
      status = disconnected;
    },
  };
}
