/**
 * The broker's side of the few Kafka messages the doctor speaks (decode a request, encode a
 * response): only tests need it, to fake a broker that answers with exactly the bytes a test
 * wants. The client side is electron/core/doctor/wire-messages.ts.
 */
import {
  decodeWith,
  readFramed,
  sizePrefixed,
  Writer,
  type Decoded,
} from '../../electron/core/doctor/wire-codec.js';
import {
  checkMetadataVersion,
  type ApiVersionsResponse,
  type MetadataRequest,
  type MetadataResponse,
  type RequestHeader,
  type SaslHandshakeResponse,
} from '../../electron/core/doctor/wire-messages.js';

export function encodeApiVersionsResponse(response: ApiVersionsResponse): Buffer {
  return new Writer()
    .int16(response.errorCode)
    .array([...response.apis], (w, [key, range]) => w.int16(key).int16(range.min).int16(range.max))
    .build();
}

export function encodeMetadataResponse(version: number, response: MetadataResponse): Buffer {
  checkMetadataVersion(version);
  const w = new Writer();
  if (version >= 3) w.int32(response.throttleTimeMs);
  w.array(response.brokers, (w2, b) =>
    w2.int32(b.nodeId).string(b.host).int32(b.port).nullableString(b.rack),
  );
  if (version >= 2) w.nullableString(response.clusterId);
  w.int32(response.controllerId);
  w.array(response.topics, (w2, t) => {
    w2.int16(t.errorCode).string(t.name).bool(t.isInternal);
    w2.array(t.partitions, (w3, p) => {
      w3.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId);
      if (version >= 7) w3.int32(p.leaderEpoch);
      w3.int32Array(p.replicaNodes).int32Array(p.isrNodes);
      if (version >= 5) w3.int32Array(p.offlineReplicas);
    });
    if (version >= 8) w2.int32(t.topicAuthorizedOperations);
  });
  if (version >= 8) w.int32(response.clusterAuthorizedOperations);
  return w.build();
}

export function decodeRequest(frame: Uint8Array): Decoded<{ header: RequestHeader; body: Buffer }> {
  return decodeWith(frame, (r) => {
    readFramed(r, frame.length);
    const header: RequestHeader = {
      apiKey: r.int16('api key'),
      apiVersion: r.int16('api version'),
      correlationId: r.int32('correlation id'),
      clientId: r.nullableString('client id'),
    };
    return { header, body: r.rest() };
  });
}

/** A whole response frame: size, header v0 (correlation id), body. */
export function encodeResponse(correlationId: number, body: Uint8Array): Buffer {
  return sizePrefixed(new Writer().int32(correlationId).bytes(body).build());
}

export function decodeMetadataRequest(version: number, body: Uint8Array): Decoded<MetadataRequest> {
  return decodeWith(body, (r) => {
    checkMetadataVersion(version);
    const topics = r.nullableArray('topics', 2, () => r.string('topic name'));
    const allowAutoTopicCreation = version >= 4 ? r.bool('allow auto topic creation') : true;
    const includeClusterAuthorizedOperations = version >= 8 ? r.bool('include cluster ops') : false;
    const includeTopicAuthorizedOperations = version >= 8 ? r.bool('include topic ops') : false;
    r.end('Metadata request');
    return {
      topics,
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations,
      includeTopicAuthorizedOperations,
    };
  });
}

export function decodeSaslHandshakeRequest(body: Uint8Array): Decoded<{ mechanism: string }> {
  return decodeWith(body, (r) => {
    const mechanism = r.string('mechanism');
    r.end('SaslHandshake request');
    return { mechanism };
  });
}

export function encodeSaslHandshakeResponse(response: SaslHandshakeResponse): Buffer {
  return new Writer()
    .int16(response.errorCode)
    .array(response.mechanisms, (w, m) => w.string(m))
    .build();
}
