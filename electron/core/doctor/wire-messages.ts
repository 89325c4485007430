/**
 * The few Kafka messages the doctor speaks, non-flexible versions only: request header v1
 * (api_key, api_version, correlation_id, client_id), response header v0, ApiVersions v0,
 * Metadata v1–v8, SaslHandshake v1, SaslAuthenticate v0–v1. Only the client side lives here; the broker side that tests
 * need to fake a broker is in scripts/test-support/kafka-wire-fakes.ts.
 */
import {
  ApiRanges,
  METADATA_MAX_VERSION,
  METADATA_MIN_VERSION,
  NO_AUTHORIZED_OPERATIONS,
  ProbedBroker,
} from './probe-types.js';
import {
  DecodeError,
  Decoded,
  Writer,
  decodeWith,
  readFramed,
  sizePrefixed,
} from './wire-codec.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** A whole request frame: size, header v1, body. */
export function encodeRequest(header: RequestHeader, body: Uint8Array): Buffer {
  return sizePrefixed(
    new Writer()
      .int16(header.apiKey)
      .int16(header.apiVersion)
      .int32(header.correlationId)
      .nullableString(header.clientId)
      .bytes(body)
      .build(),
  );
}

export function decodeResponse(
  frame: Uint8Array,
): Decoded<{ correlationId: number; body: Buffer }> {
  return decodeWith(frame, (r) => {
    readFramed(r, frame.length);
    return { correlationId: r.int32('correlation id'), body: r.rest() };
  });
}

// --- ApiVersions v0 (body of the request is empty) -------------------------------------------

export interface ApiVersionsResponse {
  errorCode: number;
  apis: ApiRanges;
}

export function decodeApiVersionsResponse(body: Uint8Array): Decoded<ApiVersionsResponse> {
  return decodeWith(body, (r) => {
    const errorCode = r.int16('error code');
    const apis = new Map<number, { min: number; max: number }>();
    r.array('api keys', 6, () => {
      const key = r.int16('api key');
      const min = r.int16('min version');
      const max = r.int16('max version');
      if (apis.has(key)) throw new DecodeError(`api key ${key} listed twice`);
      apis.set(key, { min, max });
    });
    return { errorCode, apis };
  });
}

// --- Metadata v1–v8 --------------------------------------------------------------------------

export interface MetadataRequest {
  /** null: all topics; []: none. */
  topics: string[] | null;
  /** v4+ */
  allowAutoTopicCreation: boolean;
  /** v8 */
  includeClusterAuthorizedOperations: boolean;
  /** v8 */
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  /** v7+; -1 below. */
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  /** v5+; [] below. */
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
  /** v8+; NO_AUTHORIZED_OPERATIONS below. */
  topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  /** v3+; 0 below. */
  throttleTimeMs: number;
  brokers: ProbedBroker[];
  /** v2+; null below. */
  clusterId: string | null;
  /** -1 when the broker knows no controller. */
  controllerId: number;
  topics: MetadataTopic[];
  /** v8+; NO_AUTHORIZED_OPERATIONS below. */
  clusterAuthorizedOperations: number;
}

export function checkMetadataVersion(version: number): void {
  if (
    !Number.isInteger(version) ||
    version < METADATA_MIN_VERSION ||
    version > METADATA_MAX_VERSION
  ) {
    throw new RangeError(
      `Metadata v${version} is not spoken here (v${METADATA_MIN_VERSION}–v${METADATA_MAX_VERSION})`,
    );
  }
}

export function encodeMetadataRequest(version: number, request: MetadataRequest): Buffer {
  checkMetadataVersion(version);
  const w = new Writer().nullableArray(request.topics, (w2, name) => w2.string(name));
  if (version >= 4) w.bool(request.allowAutoTopicCreation);
  if (version >= 8) {
    w.bool(request.includeClusterAuthorizedOperations).bool(
      request.includeTopicAuthorizedOperations,
    );
  }
  return w.build();
}

export function decodeMetadataResponse(
  version: number,
  body: Uint8Array,
): Decoded<MetadataResponse> {
  return decodeWith(body, (r) => {
    checkMetadataVersion(version);
    const throttleTimeMs = version >= 3 ? r.int32('throttle time') : 0;
    const brokers = r.array('brokers', 12, () => ({
      nodeId: r.int32('node id'),
      host: r.string('broker host'),
      port: r.int32('broker port'),
      rack: r.nullableString('rack'),
    }));
    const clusterId = version >= 2 ? r.nullableString('cluster id') : null;
    const controllerId = r.int32('controller id');
    const topics = r.array('topics', 9, () => {
      const errorCode = r.int16('topic error code');
      const name = r.string('topic name');
      const isInternal = r.bool('is internal');
      const partitions = r.array('partitions', 18, () => ({
        errorCode: r.int16('partition error code'),
        partitionIndex: r.int32('partition index'),
        leaderId: r.int32('leader id'),
        leaderEpoch: version >= 7 ? r.int32('leader epoch') : -1,
        replicaNodes: r.int32Array('replica nodes'),
        isrNodes: r.int32Array('isr nodes'),
        offlineReplicas: version >= 5 ? r.int32Array('offline replicas') : [],
      }));
      const topicAuthorizedOperations =
        version >= 8 ? r.int32('topic authorized operations') : NO_AUTHORIZED_OPERATIONS;
      return { errorCode, name, isInternal, partitions, topicAuthorizedOperations };
    });
    const clusterAuthorizedOperations =
      version >= 8 ? r.int32('cluster authorized operations') : NO_AUTHORIZED_OPERATIONS;
    return {
      throttleTimeMs,
      brokers,
      clusterId,
      controllerId,
      topics,
      clusterAuthorizedOperations,
    };
  });
}

// --- SaslHandshake v0/v1 (same body in both) -------------------------------------------------

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export function encodeSaslHandshakeRequest(mechanism: string): Buffer {
  return new Writer().string(mechanism).build();
}

export function decodeSaslHandshakeResponse(body: Uint8Array): Decoded<SaslHandshakeResponse> {
  return decodeWith(body, (r) => {
    const errorCode = r.int16('error code');
    const mechanisms = r.array('mechanisms', 2, () => r.string('mechanism'));
    return { errorCode, mechanisms };
  });
}

// --- SaslAuthenticate v0/v1 (same request; v1's response adds session_lifetime_ms) -----------

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
}

export function encodeSaslAuthenticateRequest(authBytes: Uint8Array): Buffer {
  return new Writer().sizedBytes(authBytes).build();
}

export function decodeSaslAuthenticateResponse(
  body: Uint8Array,
): Decoded<SaslAuthenticateResponse> {
  return decodeWith(body, (r) => ({
    errorCode: r.int16('error code'),
    errorMessage: r.nullableString('error message'),
    authBytes: r.nullableBytes('auth bytes') ?? Buffer.alloc(0),
  }));
}
