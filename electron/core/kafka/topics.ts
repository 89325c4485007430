/** Topic listing, creation, deletion and the size limit a frame must fit. */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { ConfigResourceTypes } from './kafkajs.js';
import { KvsError } from '../../shared/errors.js';
import { assertTopicName, translateKafkaError, withTimeout, type KafkaHandle } from './client.js';

/** Broker default of message.max.bytes (and so of a topic's max.message.bytes). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** What a new video topic gets: one partition keeps every stream's frames in order. */
export const VIDEO_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  // room for frames up to 4K; consumers size their fetches from this value
  'max.message.bytes': String(4 * 1024 * 1024),
  // video is large: keep a day, or 2 GiB per partition, whichever comes first
  'retention.ms': String(24 * 60 * 60 * 1000),
  'retention.bytes': String(2 * 1024 * 1024 * 1024),
  'segment.bytes': String(256 * 1024 * 1024),
  // JPEG does not compress; the producer sends uncompressed batches
  'compression.type': 'producer',
};

export interface TopicInfo {
  readonly name: string;
  readonly partitions: number;
  /** Messages retained now: sum over partitions of (high watermark − low watermark). */
  readonly messages: number;
  /** Timestamps (ms) of the oldest and newest retained message, when known. */
  readonly firstTimestamp: number | null;
  readonly lastTimestamp: number | null;
  readonly internal: boolean;
  /** Replicas per partition (the first partition's; 0 when unknown). */
  readonly replicationFactor: number;
  /** Partitions with fewer in-sync replicas than replicas (a broker down or behind). */
  readonly underReplicated: number;
  /** Partitions without a leader: nobody can read or write them until a replica is back. */
  readonly offline: number;
}

export interface PartitionOffsets {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
}

const ADMIN_TIMEOUT_MS = 10_000;

export async function withAdmin<T>(handle: KafkaHandle, fn: (admin: Admin) => Promise<T>, topic?: string): Promise<T> {
  const admin = handle.kafka.admin({ retry: { retries: 2, initialRetryTime: 150, maxRetryTime: 1000 } });
  const ctx = topic === undefined ? { bootstrap: handle.bootstrap } : { bootstrap: handle.bootstrap, topic };
  try {
    await withTimeout(admin.connect(), ADMIN_TIMEOUT_MS, `Connecting to ${handle.bootstrap}`).catch((e: unknown) => {
      throw translateKafkaError(e, ctx);
    });
    return await fn(admin);
  } catch (e) {
    throw translateKafkaError(e, ctx);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function topicExists(admin: Admin, topic: string): Promise<boolean> {
  const names = await withTimeout(admin.listTopics(), ADMIN_TIMEOUT_MS, 'Listing topics');
  return names.includes(topic);
}

/**
 * Right after a topic is created, KRaft's controller has answered but the broker may not have
 * applied the new metadata yet: a request about the topic can fail with UNKNOWN_TOPIC_OR_PARTITION
 * for a moment. Try again for up to `ms` before believing it.
 */
async function whileTopicAppears<T>(topic: string, fn: () => Promise<T>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const unknown = translateKafkaError(e, { bootstrap: '', topic }).code === 'TOPIC_NOT_FOUND';
      if (!unknown || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const offsets = await whileTopicAppears(topic, () =>
    withTimeout(admin.fetchTopicOffsets(topic), ADMIN_TIMEOUT_MS, `Reading offsets of "${topic}"`),
  );
  return offsets
    .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** The effective max.message.bytes of a topic (its own setting or the broker default). */
export async function topicMaxMessageBytes(admin: Admin, topic: string): Promise<number> {
  const res = await whileTopicAppears(topic, () =>
    withTimeout(
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      }),
      ADMIN_TIMEOUT_MS,
      `Reading the configuration of "${topic}"`,
    ),
  );
  const entry = res.resources[0]?.configEntries.find((c) => c.configName === 'max.message.bytes');
  const value = Number(entry?.configValue);
  return Number.isFinite(value) && value > 0 ? value : KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
}

export interface CreateTopicOptions {
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * The replication a new topic gets where none was asked for (issue 16): on a cluster, min(3,
 * brokers) copies and — from three brokers — min.insync.replicas 2, so acks=all survives one broker
 * down; on one broker, the broker's default.
 */
export async function clusterReplication(
  admin: Admin,
): Promise<{ replicationFactor: number; config: Record<string, string> }> {
  const brokers = (await withTimeout(admin.describeCluster(), ADMIN_TIMEOUT_MS, 'Reading the cluster')).brokers.length;
  return {
    replicationFactor: brokers >= 2 ? Math.min(3, brokers) : -1,
    config: brokers >= 3 ? { 'min.insync.replicas': '2' } : {},
  };
}

export async function createTopicWith(admin: Admin, topic: string, opts: CreateTopicOptions = {}): Promise<boolean> {
  assertTopicName(topic);
  const defaults =
    opts.replicationFactor === undefined ? await clusterReplication(admin) : { replicationFactor: opts.replicationFactor, config: {} };
  const config = { ...VIDEO_TOPIC_CONFIG, ...defaults.config, ...opts.config };
  const partitions = opts.partitions ?? 1;
  try {
    return await withTimeout(
      admin.createTopics({
        waitForLeaders: true,
        timeout: ADMIN_TIMEOUT_MS,
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor: defaults.replicationFactor,
            configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
          },
        ],
      }),
      ADMIN_TIMEOUT_MS + 2000,
      `Creating topic "${topic}"`,
    );
  } catch (e) {
    // kafkajs made the topic, then asked one broker for its leaders; on a KRaft cluster that
    // broker may not have applied the new topic yet and answers UNKNOWN_TOPIC_OR_PARTITION, which
    // kafkajs's wait (retryOnLeaderNotAvailable, src/admin/index.js) does not retry. Wait here.
    if (!isUnknownTopic(e)) throw e;
    await waitForLeaders(admin, topic, partitions);
    return true;
  }
}

function isUnknownTopic(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'type' in e && e.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/** Until the metadata names `partitions` partitions of `topic`, each with a leader (ADMIN_TIMEOUT_MS at most). */
async function waitForLeaders(admin: Admin, topic: string, partitions: number): Promise<void> {
  const deadline = Date.now() + ADMIN_TIMEOUT_MS;
  for (;;) {
    const meta = await whileTopicAppears(
      topic,
      () => withTimeout(admin.fetchTopicMetadata({ topics: [topic] }), ADMIN_TIMEOUT_MS, `Reading the leaders of "${topic}"`),
      Math.max(0, deadline - Date.now()),
    );
    const led = meta.topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0;
    if (led >= partitions) return;
    if (Date.now() > deadline)
      throw new KvsError('KAFKA_ERROR', `Topic "${topic}" was created, but ${partitions - led} of its partitions have no leader yet.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function createTopic(handle: KafkaHandle, topic: string, opts: CreateTopicOptions = {}): Promise<void> {
  assertTopicName(topic);
  await withAdmin(
    handle,
    async (admin) => {
      const created = await createTopicWith(admin, topic, opts);
      if (!created) throw new KvsError('TOPIC_EXISTS', `Topic "${topic}" already exists.`);
    },
    topic,
  );
}

export async function deleteTopic(handle: KafkaHandle, topic: string): Promise<void> {
  assertTopicName(topic);
  await withAdmin(
    handle,
    async (admin) => {
      if (!(await topicExists(admin, topic))) throw new KvsError('TOPIC_NOT_FOUND', `Topic "${topic}" does not exist.`);
      await withTimeout(admin.deleteTopics({ topics: [topic], timeout: ADMIN_TIMEOUT_MS }), ADMIN_TIMEOUT_MS + 2000, `Deleting "${topic}"`);
    },
    topic,
  );
}

export interface ListTopicsOptions {
  readonly includeInternal?: boolean;
  /** Read the oldest and newest message of each partition for the time range (default true). */
  readonly timeRange?: boolean;
  readonly timeRangeBudgetMs?: number;
}

export async function listTopics(handle: KafkaHandle, opts: ListTopicsOptions = {}): Promise<TopicInfo[]> {
  const base = await withAdmin(handle, async (admin) => {
    const names = (await withTimeout(admin.listTopics(), ADMIN_TIMEOUT_MS, 'Listing topics')).sort();
    const wanted = names.filter((n) => opts.includeInternal || !n.startsWith('__'));
    const out: Array<{ name: string; offsets: PartitionOffsets[]; health: ReplicaHealth }> = [];
    const health = await replicaHealth(admin, wanted);
    for (const name of wanted)
      out.push({ name, offsets: await partitionOffsets(admin, name), health: health.get(name) ?? UNKNOWN_HEALTH });
    return out;
  });
  const ranges =
    opts.timeRange === false
      ? new Map<string, { first: number; last: number }>()
      : await readTimeRanges(handle, base, opts.timeRangeBudgetMs ?? 5000);
  return base.map(({ name, offsets, health }) => {
    const range = ranges.get(name);
    return {
      name,
      partitions: offsets.length,
      messages: offsets.reduce((n, o) => n + Math.max(0, o.high - o.low), 0),
      firstTimestamp: range?.first ?? null,
      lastTimestamp: range?.last ?? null,
      internal: name.startsWith('__'),
      ...health,
    };
  });
}

type ReplicaHealth = Pick<TopicInfo, 'replicationFactor' | 'underReplicated' | 'offline'>;
const UNKNOWN_HEALTH: ReplicaHealth = { replicationFactor: 0, underReplicated: 0, offline: 0 };

/** Per topic: replicas per partition, partitions short of in-sync replicas, partitions without a leader. */
export async function replicaHealth(admin: Admin, topics: readonly string[]): Promise<Map<string, ReplicaHealth>> {
  const out = new Map<string, ReplicaHealth>();
  if (topics.length === 0) return out;
  const meta = await withTimeout(admin.fetchTopicMetadata({ topics: [...topics] }), ADMIN_TIMEOUT_MS, 'Reading the topics’ replicas');
  for (const t of meta.topics)
    out.set(t.name, {
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
      underReplicated: t.partitions.filter((p) => p.isr.length < p.replicas.length).length,
      offline: t.partitions.filter((p) => p.leader < 0).length,
    });
  return out;
}

/** One topic's oldest and newest retained message times (null: it holds nothing, or no answer in time). */
export async function topicTimeRange(
  handle: KafkaHandle,
  topic: string,
  budgetMs = 5000,
): Promise<{ firstMs: number | null; lastMs: number | null }> {
  const offsets = await withAdmin(handle, async (admin) => {
    if (!(await topicExists(admin, topic))) throw new KvsError('TOPIC_NOT_FOUND', `Topic "${topic}" does not exist.`);
    return partitionOffsets(admin, topic);
  }, topic);
  const range = (await readTimeRanges(handle, [{ name: topic, offsets }], budgetMs)).get(topic);
  return { firstMs: range?.first ?? null, lastMs: range?.last ?? null };
}

/**
 * Oldest and newest retained timestamps: one short-lived consumer (its own
 * group, no commits) reads the first message of each partition, then seeks to
 * the last one. Best effort within a time budget; unknown ranges stay absent.
 */
async function readTimeRanges(
  handle: KafkaHandle,
  topics: ReadonlyArray<{ name: string; offsets: PartitionOffsets[] }>,
  budgetMs: number,
): Promise<Map<string, { first: number; last: number }>> {
  const result = new Map<string, { first: number; last: number }>();
  const pending = new Map<string, { low: number; high: number; first?: number; last?: number }>();
  for (const t of topics)
    for (const o of t.offsets) if (o.high > o.low) pending.set(`${t.name}\u0000${o.partition}`, { low: o.low, high: o.high });
  if (pending.size === 0) return result;
  const consumer = handle.kafka.consumer({
    groupId: `kvs-probe-${randomUUID()}`,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 100,
    retry: { retries: 1 },
  });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  try {
    await withTimeout(consumer.connect(), budgetMs, 'Connecting the time-range reader');
    const topicNames = [...new Set([...pending.keys()].map((k) => k.split('\u0000')[0] ?? ''))];
    await consumer.subscribe({ topics: topicNames, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}\u0000${batch.partition}`;
        const p = pending.get(key);
        if (!p) return;
        for (const m of batch.messages) {
          const off = Number(m.offset);
          const ts = Number(m.timestamp);
          if (p.first === undefined) p.first = ts;
          if (off >= p.high - 1) p.last = ts;
        }
        if (p.last === undefined) consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(p.high - 1) });
        else {
          pending.delete(key);
          const [topic] = key.split('\u0000') as [string];
          const prev = result.get(topic);
          result.set(topic, {
            first: Math.min(prev?.first ?? Infinity, p.first ?? Infinity),
            last: Math.max(prev?.last ?? -Infinity, p.last),
          });
          if (pending.size === 0) done();
        }
      },
    });
    await withTimeout(finished, budgetMs, 'Reading time ranges').catch(() => undefined);
  } catch {
    // best effort: a time range is a nicety; the counts above are exact
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  // topics with a partition still pending have an incomplete range: leave them unknown
  for (const key of pending.keys()) result.delete(key.split('\u0000')[0] ?? '');
  return result;
}
