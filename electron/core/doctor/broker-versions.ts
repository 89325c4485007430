/**
 * What a broker's ApiVersions ranges say: roughly which Kafka release it is, and whether kafkajs
 * (what the app uses) can talk to it.
 */
import { API_KEY, ApiRanges } from './probe-types.js';

// ---------------------------------------------------------------------------------------------
// Broker versions

const rangeOf = (apis: ApiRanges, key: number): { min: number; max: number } | undefined =>
  apis.get(key);

/**
 * Markers that tell Kafka releases apart by their ApiVersions answer, newest first; the first
 * that matches names the release. Sources: the validVersions comments in Apache Kafka's
 * clients/src/main/resources/common/message/*.json, KIP-896 (4.0 removed the pre-2.1 versions,
 * among them Fetch v0–v3) and kafka-python's check_version table (Fetch v8 → 2.0, Metadata
 * v5 → 1.0, Metadata v4 → 0.11). Produce is no 4.0 marker: 4.x still *advertises* Produce
 * v0–v2 (and rejects them) because old librdkafka needs to see v0 (KAFKA-18659); Kafka 4.1.1
 * answers Produce 0–13, Fetch 4–18.
 *
 * | release       | marker                                   | why                                   |
 * |---------------|------------------------------------------|---------------------------------------|
 * | 4.0 or newer  | Fetch min version ≥ 4                    | KIP-896 removed Fetch v0–v3 in 4.0    |
 * | 3.x           | ListOffsets max version ≥ 7              | v7 = max-timestamp lookup (KIP-734), 3.0 |
 * | 2.x           | Fetch max version ≥ 8                    | Fetch v8 (KIP-219 throttling), 2.0    |
 * | 1.x           | Metadata max version ≥ 5                 | Metadata v5 (offline replicas, KIP-112), 1.0 |
 * | 0.11          | Produce max version ≥ 3                  | record batches with headers, 0.11     |
 * | 0.10.x        | anything else that answers ApiVersions   | ApiVersions itself came in 0.10.0     |
 */
export const BROKER_VERSION_MARKERS: ReadonlyArray<{
  label: string;
  marker: string;
  test: (apis: ApiRanges) => boolean;
}> = [
  {
    label: '4.0 or newer',
    marker: 'Fetch min version ≥ 4 (KIP-896)',
    test: (a) => (rangeOf(a, API_KEY.Fetch)?.min ?? 0) >= 4,
  },
  {
    label: '3.x',
    marker: 'ListOffsets max version ≥ 7 (KIP-734)',
    test: (a) => (rangeOf(a, API_KEY.ListOffsets)?.max ?? -1) >= 7,
  },
  {
    label: '2.x',
    marker: 'Fetch max version ≥ 8',
    test: (a) => (rangeOf(a, API_KEY.Fetch)?.max ?? -1) >= 8,
  },
  {
    label: '1.x',
    marker: 'Metadata max version ≥ 5',
    test: (a) => (rangeOf(a, API_KEY.Metadata)?.max ?? -1) >= 5,
  },
  {
    label: '0.11',
    marker: 'Produce max version ≥ 3',
    test: (a) => (rangeOf(a, API_KEY.Produce)?.max ?? -1) >= 3,
  },
];

/** A human label for the broker version, from its ApiVersions ranges (see BROKER_VERSION_MARKERS). */
export function describeBrokerVersion(apis: ApiRanges): string {
  if (!apis.has(API_KEY.Produce)) {
    return 'unknown (it offers no Produce API: perhaps a KRaft controller port rather than a broker)';
  }
  return BROKER_VERSION_MARKERS.find((m) => m.test(apis))?.label ?? 'older than 0.11 (0.10.x)';
}

/**
 * The highest version of each request kafkajs 2.2.4 implements, by api key, read from
 * node_modules/kafkajs/src/protocol/requests/<name>/index.js (kafka-probe.test.ts checks
 * this table against the installed kafkajs).
 */
export const KAFKAJS_MAX_VERSIONS: ReadonlyMap<number, { name: string; max: number }> = new Map([
  [0, { name: 'Produce', max: 7 }],
  [1, { name: 'Fetch', max: 11 }],
  [2, { name: 'ListOffsets', max: 3 }],
  [3, { name: 'Metadata', max: 6 }],
  [8, { name: 'OffsetCommit', max: 5 }],
  [9, { name: 'OffsetFetch', max: 4 }],
  [10, { name: 'FindCoordinator', max: 2 }],
  [11, { name: 'JoinGroup', max: 5 }],
  [12, { name: 'Heartbeat', max: 3 }],
  [13, { name: 'LeaveGroup', max: 3 }],
  [14, { name: 'SyncGroup', max: 3 }],
  [15, { name: 'DescribeGroups', max: 2 }],
  [16, { name: 'ListGroups', max: 2 }],
  [17, { name: 'SaslHandshake', max: 1 }],
  [18, { name: 'ApiVersions', max: 2 }],
  [19, { name: 'CreateTopics', max: 3 }],
  [20, { name: 'DeleteTopics', max: 1 }],
  [21, { name: 'DeleteRecords', max: 1 }],
  [22, { name: 'InitProducerId', max: 1 }],
  [24, { name: 'AddPartitionsToTxn', max: 1 }],
  [25, { name: 'AddOffsetsToTxn', max: 1 }],
  [26, { name: 'EndTxn', max: 1 }],
  [28, { name: 'TxnOffsetCommit', max: 1 }],
  [29, { name: 'DescribeAcls', max: 1 }],
  [30, { name: 'CreateAcls', max: 1 }],
  [31, { name: 'DeleteAcls', max: 1 }],
  [32, { name: 'DescribeConfigs', max: 2 }],
  [33, { name: 'AlterConfigs', max: 1 }],
  [36, { name: 'SaslAuthenticate', max: 1 }],
  [37, { name: 'CreatePartitions', max: 1 }],
  [42, { name: 'DeleteGroups', max: 1 }],
  [45, { name: 'AlterPartitionReassignments', max: 0 }],
  [46, { name: 'ListPartitionReassignments', max: 0 }],
]);

/**
 * Whether this app's client (kafkajs 2.2.x) can work with the broker. tooOld: the broker lacks
 * what the app needs (record headers need Produce v3 / Fetch v4, i.e. Kafka ≥ 0.11). tooNew: for
 * some API kafkajs uses, the broker's lowest accepted version is above the highest kafkajs speaks.
 */
export function clientCompatibility(apis: ApiRanges): {
  tooOld: string | null;
  tooNew: string | null;
} {
  const produce = rangeOf(apis, API_KEY.Produce);
  const fetch = rangeOf(apis, API_KEY.Fetch);
  let tooOld: string | null = null;
  if (produce === undefined || fetch === undefined) {
    tooOld = `This server does not offer ${produce === undefined ? 'Produce' : 'Fetch'}, so the app cannot stream through it: it is not a Kafka broker listener (perhaps a KRaft controller port).`;
  } else if (produce.max < 3 || fetch.max < 4) {
    tooOld = `This broker is older than Kafka 0.11 (it speaks up to Produce v${produce.max} and Fetch v${fetch.max}): it cannot store record headers, which the app needs (Produce v3, Fetch v4). Use Kafka 0.11 or newer.`;
  }
  const rejected: string[] = [];
  for (const [key, client] of KAFKAJS_MAX_VERSIONS) {
    const broker = rangeOf(apis, key);
    if (broker !== undefined && broker.min > client.max) {
      rejected.push(
        `${client.name} (the broker needs v${broker.min} or newer, the app's client speaks up to v${client.max})`,
      );
    }
  }
  const tooNew =
    rejected.length === 0
      ? null
      : `This broker no longer accepts the request versions the app's Kafka client (kafkajs 2.2) uses: ${rejected.join('; ')}.`;
  return { tooOld, tooNew };
}
