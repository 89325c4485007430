/**
 * DescribeQuorum (API key 55) on the wire, which kafkajs does not speak: the request frame and a
 * decoder of the response that never throws. Flexible from v0 (Kafka's
 * DescribeQuorumRequest.json / DescribeQuorumResponse.json): request header v2 (api_key,
 * api_version, correlation_id, client_id as an int16 string, tagged fields), response header v1
 * (correlation_id, tagged fields). Versions 0 and 1 are spoken; the request body is the same in
 * both, v1 adds LastFetchTimestamp and LastCaughtUpTimestamp to each replica (KIP-836).
 *
 * Request body: Topics [TopicName "__cluster_metadata", Partitions [PartitionIndex 0]].
 * Response body: ErrorCode int16, Topics [TopicName, Partitions [PartitionIndex int32,
 * ErrorCode int16, LeaderId int32, LeaderEpoch int32, HighWatermark int64, CurrentVoters
 * [ReplicaState], Observers [ReplicaState]]]; ReplicaState: ReplicaId int32, LogEndOffset int64
 * (v1+: LastFetchTimestamp int64, LastCaughtUpTimestamp int64). Every struct ends with tagged
 * fields; arrays are compact (unsigned varint count + 1), strings compact (length + 1). Read with
 * the doctor's wire Reader (doctor/wire-codec.ts), which knows the flexible encodings too.
 */
import { DecodeError, Reader } from '../doctor/wire-codec.js';

export const DESCRIBE_QUORUM_API_KEY = 55;
export const DESCRIBE_QUORUM_MIN_VERSION = 0;
export const DESCRIBE_QUORUM_MAX_VERSION = 1;
/** The KRaft metadata log: one topic, one partition. */
export const METADATA_TOPIC = '__cluster_metadata';

export interface QuorumReplica {
  readonly nodeId: number;
  /** -1 when the leader does not know it. */
  readonly logEndOffset: number;
}

export interface QuorumInfo {
  /** null when the broker said -1 (no leader known). */
  readonly leaderId: number | null;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  readonly voters: readonly QuorumReplica[];
  readonly observers: readonly QuorumReplica[];
}

export type QuorumDecoded =
  | { readonly ok: true; readonly correlationId: number; readonly quorum: QuorumInfo }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The Kafka error code, when the reply was valid and carried one. */
      readonly errorCode?: number;
    };

// ---------------------------------------------------------------------------------------------
// Writing

function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function compactString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([uvarint(bytes.length + 1), bytes]);
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

const NO_TAGS = uvarint(0);

/** A whole request frame (size prefix included) for the metadata log's one partition. */
export function encodeDescribeQuorumRequest(
  apiVersion: number,
  correlationId: number,
  clientId: string,
): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const header = Buffer.concat([
    int16(DESCRIBE_QUORUM_API_KEY),
    int16(apiVersion),
    int32(correlationId),
    int16(client.length),
    client,
    NO_TAGS,
  ]);
  const body = Buffer.concat([
    uvarint(2), // one topic
    compactString(METADATA_TOPIC),
    uvarint(2), // one partition
    int32(0),
    NO_TAGS, // partition
    NO_TAGS, // topic
    NO_TAGS, // request
  ]);
  const payload = Buffer.concat([header, body]);
  return Buffer.concat([int32(payload.length), payload]);
}

// ---------------------------------------------------------------------------------------------
// Reading

function readReplica(r: Reader, apiVersion: number): QuorumReplica {
  const nodeId = r.int32('replica id');
  const logEndOffset = r.int64('log end offset');
  if (apiVersion >= 1) {
    r.int64('last fetch timestamp');
    r.int64('last caught-up timestamp');
  }
  r.taggedFields('replica');
  return { nodeId, logEndOffset };
}

interface PartitionData extends QuorumInfo {
  readonly partitionIndex: number;
  readonly errorCode: number;
}

function readPartition(r: Reader, apiVersion: number): PartitionData {
  const partitionIndex = r.int32('partition index');
  const errorCode = r.int16('partition error code');
  const leader = r.int32('leader id');
  const leaderEpoch = r.int32('leader epoch');
  const highWatermark = r.int64('high watermark');
  const replicaBytes = apiVersion >= 1 ? 29 : 13;
  const voters = r.compactArray('voters', replicaBytes, () => readReplica(r, apiVersion));
  const observers = r.compactArray('observers', replicaBytes, () => readReplica(r, apiVersion));
  r.taggedFields('partition');
  return {
    partitionIndex,
    errorCode,
    leaderId: leader < 0 ? null : leader,
    leaderEpoch,
    highWatermark,
    voters,
    observers,
  };
}

/**
 * Decodes a whole response frame (size prefix included) of `apiVersion`. Never throws: a short,
 * malformed or unexpected reply is `{ ok: false, reason }`; an error code from the broker (top
 * level or the partition's) is `{ ok: false, errorCode }`. Bytes after the last field are ignored,
 * as the Java client does.
 */
export function decodeDescribeQuorumResponse(frame: Uint8Array, apiVersion: number): QuorumDecoded {
  try {
    const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
    const r = new Reader(buf);
    const size = r.int32('frame size');
    if (size !== buf.length - 4)
      throw new DecodeError(`frame size ${size} does not match the ${buf.length - 4} bytes given`);
    const correlationId = r.int32('correlation id');
    r.taggedFields('response header');
    const errorCode = r.int16('error code');
    if (errorCode !== 0)
      return { ok: false, reason: `the broker answered error ${errorCode}`, errorCode };
    const topics = r.compactArray('topics', 3, () => {
      const name = r.compactString('topic name');
      const partitions = r.compactArray('partitions', 25, () => readPartition(r, apiVersion));
      r.taggedFields('topic');
      return { name, partitions };
    });
    r.taggedFields('response');
    const partition = topics
      .find((t) => t.name === METADATA_TOPIC)
      ?.partitions.find((p) => p.partitionIndex === 0);
    if (partition === undefined)
      return { ok: false, reason: `the reply has no ${METADATA_TOPIC} partition 0` };
    if (partition.errorCode !== 0)
      return {
        ok: false,
        reason: `the broker answered error ${partition.errorCode} for ${METADATA_TOPIC}`,
        errorCode: partition.errorCode,
      };
    const { leaderId, leaderEpoch, highWatermark, voters, observers } = partition;
    return {
      ok: true,
      correlationId,
      quorum: { leaderId, leaderEpoch, highWatermark, voters, observers },
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The version to speak, from the broker's ApiVersions range for key 55 (null: none in common). */
export function pickDescribeQuorumVersion(
  range: { readonly min: number; readonly max: number } | undefined,
): number | null {
  if (range === undefined) return null;
  const v = Math.min(range.max, DESCRIBE_QUORUM_MAX_VERSION);
  return v >= Math.max(range.min, DESCRIBE_QUORUM_MIN_VERSION) ? v : null;
}

/** Each voter's lag behind the leader (leader's log end offset − its own); null when unknown. */
export function voterLags(q: QuorumInfo): { nodeId: number; lag: number | null }[] {
  const leader = q.voters.find((v) => v.nodeId === q.leaderId);
  return q.voters.map((v) => ({
    nodeId: v.nodeId,
    lag:
      leader === undefined || leader.logEndOffset < 0 || v.logEndOffset < 0
        ? null
        : Math.max(0, leader.logEndOffset - v.logEndOffset),
  }));
}
