/**
 * Which broker leads each partition of one topic, and when that changed (issue 16): a producer
 * job and a viewer say "leader moved: broker 1 → 2" as information, and the producer uses a move
 * to stop waiting on a request to the old leader (producer.ts).
 *
 * How the leader is learned: a light metadata read of only this topic (kafkajs admin
 * fetchTopicMetadata), every WATCH_INTERVAL_MS while the job runs, and every HURRY_INTERVAL_MS
 * while the producer has a send waiting longer than it should (`hurry`). Why a periodic read and not
 * only the producer's errors: a broker cut off the network does not refuse — its requests hang, and
 * kafkajs neither errs nor refreshes its metadata until its request timeout (15 s) — so the move is
 * seen only by asking another broker; a viewer's consumer hides moves from us altogether. One small
 * request per topic every 5 s is no load to speak of.
 *
 * The reads go through a client of their own with a short request timeout (client.ts
 * `metadataClient`): a metadata answer is tiny, so 3 s is plenty, and kafkajs tries the next
 * broker when one does not answer — a hung broker costs one short wait, not the 15 s of the
 * producer's requests. A failed read drops that client's connection; the next read connects anew.
 * When a move is seen, the watch also reads which brokers the cluster lists as alive (a fenced or
 * cut-off node is not listed): a producer made again starts from those (producer.ts).
 */
import type { Admin } from 'kafkajs';
import { withTimeout, type KafkaHandle } from './client.js';

export const WATCH_INTERVAL_MS = 5_000;
export const HURRY_INTERVAL_MS = 1_000;
const READ_TIMEOUT_MS = 8_000;

/** The leader of one partition as a job reports it (contract: ProduceProgressEvent.leader). */
export interface LeaderInfo {
  readonly partition: number;
  /** The broker (node id) leading the partition now. */
  readonly nodeId: number;
  /** The broker that led it before the last move seen; null when no move was seen. */
  readonly previous: number | null;
  /** When that move was seen (ms since the epoch); null when none was. */
  readonly movedAt: number | null;
}

export interface PartitionLeader {
  readonly partition: number;
  /** Node id; -1 (or less) while the partition has no leader (an election is under way). */
  readonly leader: number;
}

interface Known {
  nodeId: number;
  previous: number | null;
  movedAt: number | null;
  /** Monotonic time the move was seen (for "moved since"), null when none. */
  movedSeenAt: number | null;
}

/**
 * The pure part: leaders as read, one reading after another. A partition without a leader (an
 * election under way) keeps its last known leader, so 1 → none → 2 is one move, 1 → 2. The first
 * reading is not a move.
 */
export class LeaderTracker {
  private readonly known = new Map<number, Known>();

  /** Takes one reading; returns the moves it shows. `wallMs` for the report, `monoMs` for order. */
  observe(partitions: readonly PartitionLeader[], wallMs: number, monoMs: number): LeaderInfo[] {
    const moves: LeaderInfo[] = [];
    for (const { partition, leader } of partitions) {
      if (leader < 0) continue;
      const k = this.known.get(partition);
      if (k === undefined) {
        this.known.set(partition, {
          nodeId: leader,
          previous: null,
          movedAt: null,
          movedSeenAt: null,
        });
      } else if (k.nodeId !== leader) {
        k.previous = k.nodeId;
        k.nodeId = leader;
        k.movedAt = wallMs;
        k.movedSeenAt = monoMs;
        moves.push(this.infoOf(partition, k));
      }
    }
    return moves;
  }

  /**
   * One partition's leader; `partition` null: the only partition of a one-partition topic, else
   * the partition whose leader moved last (or the lowest one when none moved).
   */
  info(partition: number | null = null): LeaderInfo | null {
    if (partition !== null) {
      const k = this.known.get(partition);
      return k === undefined ? null : this.infoOf(partition, k);
    }
    let best: [number, Known] | null = null;
    for (const [p, k] of this.known) {
      if (best === null) best = [p, k];
      else if ((k.movedSeenAt ?? -Infinity) > (best[1].movedSeenAt ?? -Infinity)) best = [p, k];
      else if (k.movedSeenAt === best[1].movedSeenAt && p < best[0]) best = [p, k];
    }
    return best === null ? null : this.infoOf(best[0], best[1]);
  }

  /** Whether the leader of `partition` (null: any) was seen moving after `sinceMono`. */
  movedSince(partition: number | null, sinceMono: number): boolean {
    for (const [p, k] of this.known)
      if (
        (partition === null || p === partition) &&
        k.movedSeenAt !== null &&
        k.movedSeenAt > sinceMono
      )
        return true;
    return false;
  }

  private infoOf(partition: number, k: Known): LeaderInfo {
    return { partition, nodeId: k.nodeId, previous: k.previous, movedAt: k.movedAt };
  }
}

export interface LeaderWatchOptions {
  readonly intervalMs?: number;
  readonly hurryIntervalMs?: number;
  /**
   * Called after every reading that shows a move (and after the first reading): `info` as
   * `info()` gives it, `moves` the partitions that moved in that reading (none at the first).
   */
  readonly onChange?: (info: LeaderInfo | null, moves: readonly LeaderInfo[]) => void;
  /** Reads the topic's leaders; default: a metadata read through `handle` (see the file comment). */
  readonly read?: () => Promise<readonly PartitionLeader[]>;
  /** Reads the brokers the cluster lists (host:port); default: through `handle`. */
  readonly readBrokers?: () => Promise<readonly string[]>;
  readonly now?: () => number;
  readonly wallNow?: () => number;
}

export interface LeaderWatch {
  info(partition?: number | null): LeaderInfo | null;
  /** Whether a move of `partition` (null: any) was seen after `sinceMono` (the `now` clock). */
  movedSince(partition: number | null, sinceMono: number): boolean;
  /** Resolves at the first reading (from now on) that shows a move of `partition` after `sinceMono`. */
  waitMoveSince(
    partition: number | null,
    sinceMono: number,
    signal: AbortSignal,
  ): Promise<LeaderInfo>;
  /** Read every hurryIntervalMs instead of every intervalMs (a send waits longer than it should). */
  hurry(on: boolean): void;
  /** The brokers (host:port) the cluster listed when the last move was seen; null before any. */
  liveBrokers(): readonly string[] | null;
  stop(): Promise<void>;
}

export function startLeaderWatch(
  handle: KafkaHandle,
  topic: string,
  opts: LeaderWatchOptions = {},
): LeaderWatch {
  const now = opts.now ?? (() => performance.now());
  const wallNow = opts.wallNow ?? Date.now;
  const interval = opts.intervalMs ?? WATCH_INTERVAL_MS;
  const hurryInterval = opts.hurryIntervalMs ?? HURRY_INTERVAL_MS;
  const tracker = new LeaderTracker();
  const metadata = opts.read === undefined ? metadataReader(handle, topic) : null;
  const read = opts.read ?? (async () => (metadata === null ? [] : metadata.read()));
  const readBrokers =
    opts.readBrokers ?? (async () => (metadata === null ? [] : metadata.brokers()));
  let live: readonly string[] | null = null;
  let stopped = false;
  let hurrying = false;
  let timer: NodeJS.Timeout | null = null;
  let reading: Promise<void> | null = null;
  let first = true;
  const waiters = new Set<() => void>();

  const tick = async (): Promise<void> => {
    try {
      const partitions = await read();
      if (stopped) return;
      const moves = tracker.observe(partitions, wallNow(), now());
      if (moves.length > 0) {
        // before anyone acts on the move: where a new producer should start from
        const brokers = await readBrokers().catch(() => null);
        if (brokers !== null && brokers.length > 0) live = brokers;
        if (stopped) return;
      }
      if (moves.length > 0 || first) {
        first = false;
        try {
          opts.onChange?.(tracker.info(), moves);
        } catch {
          // a listener's failure never stops the watch
        }
      }
      if (moves.length > 0) for (const w of [...waiters]) w();
    } catch {
      // no answer this time (a broker restarting, a network cut): the next reading tries again
    }
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      reading = tick().finally(() => {
        reading = null;
        schedule(hurrying ? hurryInterval : interval);
      });
    }, ms);
    timer.unref?.();
  };
  schedule(0);

  return {
    info: (partition = null) => tracker.info(partition),
    movedSince: (partition, since) => tracker.movedSince(partition, since),
    waitMoveSince(partition, since, signal) {
      return new Promise<LeaderInfo>((resolve) => {
        const check = (): void => {
          if (!tracker.movedSince(partition, since)) return;
          done();
          const info = tracker.info(partition);
          if (info !== null) resolve(info);
        };
        const done = (): void => {
          waiters.delete(check);
          signal.removeEventListener('abort', done);
        };
        if (signal.aborted) return;
        waiters.add(check);
        signal.addEventListener('abort', done);
        check();
      });
    },
    liveBrokers: () => live,
    hurry(on) {
      if (on === hurrying) return;
      hurrying = on;
      // read soon rather than at the end of a long interval
      if (on && reading === null) schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      for (const w of [...waiters]) waiters.delete(w);
      await metadata?.close();
    },
  };
}

interface MetadataReader {
  read(): Promise<PartitionLeader[]>;
  /** The brokers the cluster lists, on the connection of the last read (none: throws). */
  brokers(): Promise<string[]>;
  close(): Promise<void>;
}

/** Metadata reads of one topic on one admin connection, dropped after a failure. */
function metadataReader(handle: KafkaHandle, topic: string): MetadataReader {
  let admin: Admin | null = null;
  let closed = false;
  const drop = (): void => {
    const a = admin;
    admin = null;
    // not awaited: kafkajs's disconnect waits for a hung request
    void a?.disconnect().catch(() => undefined);
  };
  return {
    async read() {
      if (closed) throw new Error('closed');
      try {
        if (admin === null) {
          const a = (handle.metadataClient?.() ?? handle.kafka).admin();
          admin = a;
          const connecting = a.connect();
          await withTimeout(connecting, READ_TIMEOUT_MS, 'Connecting for metadata').catch(
            (e: unknown) => {
              // a connect that timed out may still finish later: close it then too
              void connecting.then(
                () => a.disconnect().catch(() => undefined),
                () => undefined,
              );
              throw e;
            },
          );
          // closed while connecting: whatever the connect left open goes now
          if (closed) {
            await a.disconnect().catch(() => undefined);
            throw new Error('closed');
          }
        }
        const m = await withTimeout(
          admin.fetchTopicMetadata({ topics: [topic] }),
          READ_TIMEOUT_MS,
          `Reading the metadata of "${topic}"`,
        );
        const t = m.topics.find((x) => x.name === topic);
        return (t?.partitions ?? []).map((p) => ({ partition: p.partitionId, leader: p.leader }));
      } catch (e) {
        drop();
        throw e;
      }
    },
    async brokers() {
      const a = admin;
      if (a === null || closed) throw new Error('not connected');
      const c = await withTimeout(a.describeCluster(), READ_TIMEOUT_MS, 'Reading the brokers');
      return c.brokers.map((b) => `${b.host}:${b.port}`);
    },
    async close() {
      closed = true;
      const a = admin;
      admin = null;
      await withTimeout(a?.disconnect() ?? Promise.resolve(), 2_000, 'Disconnecting').catch(
        () => undefined,
      );
    },
  };
}
