// One raw Metadata v4 request to exactly one address: what the broker there advertises.
import net from 'node:net';
import { splitHostPort } from './tcp-proxy.js';

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
}

export interface RawMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: MetadataBroker[];
}

/**
 * One Metadata request (v4, no topics) to exactly this plaintext address, nothing followed:
 * what the broker there advertises, even when those addresses are unusable (kafkajs would
 * go on to the advertised address and fail or land elsewhere). v4 because Kafka 4 removed
 * v0–v3 and v4 is still the non-flexible encoding, which Kafka 3.x speaks too.
 */
export function requestMetadata(address: string, timeoutMs = 5_000): Promise<RawMetadata> {
  const { host, port } = splitHostPort(address);
  const clientId = Buffer.from('kvs-misconfigured-kafka');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = 0;
  o = body.writeInt16BE(3, o); // api key: Metadata
  o = body.writeInt16BE(4, o); // api version
  o = body.writeInt32BE(1, o); // correlation id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o); // topics: none
  body.writeInt8(0, o); // allow_auto_topic_creation
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const fail = (e: Error): void => {
      socket.destroy();
      reject(e);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`no metadata from ${address} in ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.once('connect', () => socket.write(Buffer.concat([size, body])));
    socket.once('close', () => reject(new Error(`${address} closed the connection`)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.destroy();
      try {
        resolve(parseMetadataV4(received.subarray(4, 4 + received.readInt32BE(0))));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

function parseMetadataV4(frame: Buffer): RawMetadata {
  let o = 0;
  const int32 = (): number => {
    const v = frame.readInt32BE(o);
    o += 4;
    return v;
  };
  const str = (): string | null => {
    const len = frame.readInt16BE(o);
    o += 2;
    if (len < 0) return null;
    const v = frame.toString('utf8', o, o + len);
    o += len;
    return v;
  };
  int32(); // correlation id
  int32(); // throttle_time_ms
  const brokers: MetadataBroker[] = [];
  for (let n = int32(); n > 0; n--) {
    const nodeId = int32();
    const host = str() ?? '';
    const port = int32();
    str(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = str();
  const controllerId = int32();
  return { clusterId, controllerId, brokers };
}
