/**
 * Unit tests of the hand-written Kafka probes: codecs (round trips and fuzzing), and every
 * failure kind against small local servers (no broker needed; run with KVS_NO_KAFKA=1).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  KAFKAJS_MAX_VERSIONS,
  clientCompatibility,
  describeBrokerVersion,
} from './broker-versions.js';
import { formatAddress } from './probe-connection.js';
import {
  API_KEY,
  CLIENT_ID,
  KAFKA_ERROR,
  MAX_REPLY_BYTES,
  PROBE_SASL_MECHANISM,
  type ApiRanges,
  type ProbedBroker,
} from './probe-types.js';
import {
  pickMetadataVersion,
  probeApiVersions,
  probeMetadata,
  probeSaslMechanisms,
  probeTcp,
  probeTls,
} from './probes.js';
import { inspectReply, previewBytes } from './reply-shape.js';
import {
  decodeApiVersionsResponse,
  decodeMetadataResponse,
  decodeResponse,
  decodeSaslHandshakeResponse,
  encodeMetadataRequest,
  encodeRequest,
  encodeSaslHandshakeRequest,
  type MetadataRequest,
  type MetadataResponse,
} from './wire-messages.js';
import {
  decodeMetadataRequest,
  decodeRequest,
  decodeSaslHandshakeRequest,
  encodeApiVersionsResponse,
  encodeMetadataResponse,
  encodeResponse,
  encodeSaslHandshakeResponse,
} from '../../../scripts/test-support/kafka-wire-fakes.js';

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Arbitraries

const int16 = fc.integer({ min: -32768, max: 32767 });
const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const str = fc.string({ unit: 'grapheme', maxLength: 20 });
const nullableStr = fc.option(str, { nil: null });
const int32s = fc.array(int32, { maxLength: 5 });

const apiRanges = fc
  .uniqueArray(fc.tuple(int16, int16, int16), { selector: ([k]) => k, maxLength: 40 })
  .map((entries) => new Map(entries.map(([k, min, max]) => [k, { min, max }])));

const broker: fc.Arbitrary<ProbedBroker> = fc.record({
  nodeId: int32,
  host: str,
  port: int32,
  rack: nullableStr,
});

const metadataResponse: fc.Arbitrary<MetadataResponse> = fc.record({
  throttleTimeMs: int32,
  brokers: fc.array(broker, { maxLength: 4 }),
  clusterId: nullableStr,
  controllerId: int32,
  topics: fc.array(
    fc.record({
      errorCode: int16,
      name: str,
      isInternal: fc.boolean(),
      partitions: fc.array(
        fc.record({
          errorCode: int16,
          partitionIndex: int32,
          leaderId: int32,
          leaderEpoch: int32,
          replicaNodes: int32s,
          isrNodes: int32s,
          offlineReplicas: int32s,
        }),
        { maxLength: 3 },
      ),
      topicAuthorizedOperations: int32,
    }),
    { maxLength: 3 },
  ),
  clusterAuthorizedOperations: int32,
});

const metadataRequest: fc.Arbitrary<MetadataRequest> = fc.record({
  topics: fc.option(fc.array(str, { maxLength: 5 }), { nil: null }),
  allowAutoTopicCreation: fc.boolean(),
  includeClusterAuthorizedOperations: fc.boolean(),
  includeTopicAuthorizedOperations: fc.boolean(),
});

const metadataVersion = fc.integer({ min: 1, max: 8 });
const NO_OPS = -2147483648;

/** What a version carries of a response: fields it lacks come back as their defaults. */
function asOfVersion(v: number, m: MetadataResponse): MetadataResponse {
  return {
    throttleTimeMs: v >= 3 ? m.throttleTimeMs : 0,
    brokers: m.brokers,
    clusterId: v >= 2 ? m.clusterId : null,
    controllerId: m.controllerId,
    topics: m.topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => ({
        ...p,
        leaderEpoch: v >= 7 ? p.leaderEpoch : -1,
        offlineReplicas: v >= 5 ? p.offlineReplicas : [],
      })),
      topicAuthorizedOperations: v >= 8 ? t.topicAuthorizedOperations : NO_OPS,
    })),
    clusterAuthorizedOperations: v >= 8 ? m.clusterAuthorizedOperations : NO_OPS,
  };
}

function requestAsOfVersion(v: number, r: MetadataRequest): MetadataRequest {
  return {
    topics: r.topics,
    allowAutoTopicCreation: v >= 4 ? r.allowAutoTopicCreation : true,
    includeClusterAuthorizedOperations: v >= 8 ? r.includeClusterAuthorizedOperations : false,
    includeTopicAuthorizedOperations: v >= 8 ? r.includeTopicAuthorizedOperations : false,
  };
}

// ---------------------------------------------------------------------------------------------
// Codecs

describe('codecs', () => {
  it('round-trips request frames (header v1) and response frames (header v0)', () => {
    fc.assert(
      fc.property(
        int16,
        int16,
        int32,
        nullableStr,
        fc.uint8Array({ maxLength: 64 }),
        (k, v, id, client, body) => {
          const frame = encodeRequest(
            { apiKey: k, apiVersion: v, correlationId: id, clientId: client },
            body,
          );
          expect(frame.readInt32BE(0)).toBe(frame.length - 4);
          const back = decodeRequest(frame);
          expect(back).toEqual({
            ok: true,
            value: {
              header: { apiKey: k, apiVersion: v, correlationId: id, clientId: client },
              body: Buffer.from(body),
            },
          });
          const response = encodeResponse(id, body);
          expect(decodeResponse(response)).toEqual({
            ok: true,
            value: { correlationId: id, body: Buffer.from(body) },
          });
        },
      ),
    );
  });

  it('writes the ApiVersions v0 request exactly as the protocol guide shows', () => {
    const frame = encodeRequest(
      { apiKey: API_KEY.ApiVersions, apiVersion: 0, correlationId: 7, clientId: 'ab' },
      Buffer.alloc(0),
    );
    expect(frame.toString('hex')).toBe('0000000c' + '0012' + '0000' + '00000007' + '0002' + '6162');
  });

  it('round-trips ApiVersions v0 responses', () => {
    fc.assert(
      fc.property(int16, apiRanges, (errorCode, apis) => {
        expect(decodeApiVersionsResponse(encodeApiVersionsResponse({ errorCode, apis }))).toEqual({
          ok: true,
          value: { errorCode, apis },
        });
      }),
    );
  });

  it('round-trips Metadata requests and responses for v1–v8', () => {
    fc.assert(
      fc.property(metadataVersion, metadataRequest, metadataResponse, (v, req, res) => {
        expect(decodeMetadataRequest(v, encodeMetadataRequest(v, req))).toEqual({
          ok: true,
          value: requestAsOfVersion(v, req),
        });
        expect(decodeMetadataResponse(v, encodeMetadataResponse(v, res))).toEqual({
          ok: true,
          value: asOfVersion(v, res),
        });
      }),
    );
  });

  it('encodes the probe’s own Metadata request per version (empty topic list, no auto-creation)', () => {
    const req = {
      topics: [],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    expect(encodeMetadataRequest(1, req).toString('hex')).toBe('00000000');
    expect(encodeMetadataRequest(4, req).toString('hex')).toBe('0000000000');
    expect(encodeMetadataRequest(8, req).toString('hex')).toBe('00000000000000');
    expect(encodeMetadataRequest(1, { ...req, topics: null }).toString('hex')).toBe('ffffffff');
    expect(() => encodeMetadataRequest(9, req)).toThrow(RangeError);
    expect(decodeMetadataRequest(0, Buffer.alloc(4))).toMatchObject({ ok: false });
  });

  it('round-trips SaslHandshake requests and responses', () => {
    fc.assert(
      fc.property(
        str,
        int16,
        fc.array(str, { maxLength: 6 }),
        (mechanism, errorCode, mechanisms) => {
          expect(decodeSaslHandshakeRequest(encodeSaslHandshakeRequest(mechanism))).toEqual({
            ok: true,
            value: { mechanism },
          });
          expect(
            decodeSaslHandshakeResponse(encodeSaslHandshakeResponse({ errorCode, mechanisms })),
          ).toEqual({
            ok: true,
            value: { errorCode, mechanisms },
          });
        },
      ),
    );
  });

  const decoders: Array<[string, (b: Uint8Array) => { ok: boolean }]> = [
    ['request frame', decodeRequest],
    ['response frame', decodeResponse],
    ['ApiVersions response', decodeApiVersionsResponse],
    ['SaslHandshake request', decodeSaslHandshakeRequest],
    ['SaslHandshake response', decodeSaslHandshakeResponse],
    ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap(
      (v): Array<[string, (b: Uint8Array) => { ok: boolean }]> => [
        [`Metadata v${v} request`, (b) => decodeMetadataRequest(v, b)],
        [`Metadata v${v} response`, (b) => decodeMetadataResponse(v, b)],
      ],
    ),
  ];

  it('never throws on random bytes, and answers ok:false or a value', () => {
    // Small counts bias towards plausible lengths; 0xff runs produce -1 (null) and huge counts.
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.concat([Buffer.from([0, 0, 0, 1]), b])),
      fc
        .array(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff), { maxLength: 40 })
        .map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        for (const [, decode] of decoders) {
          const r = decode(b);
          expect(typeof r.ok).toBe('boolean');
        }
        expect(['frame', 'incomplete', 'tls', 'not-kafka']).toContain(inspectReply(b).kind);
        expect(typeof previewBytes(b)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every truncation of a valid encoding without throwing; bodies may carry extra bytes', () => {
    fc.assert(
      fc.property(
        metadataVersion,
        metadataResponse,
        int16,
        apiRanges,
        (v, res, errorCode, apis) => {
          // [encoded, decoder, whether bytes after the last field are accepted]
          const cases: Array<[Buffer, (b: Uint8Array) => { ok: boolean }, boolean]> = [
            [encodeMetadataResponse(v, res), (b) => decodeMetadataResponse(v, b), true],
            [encodeApiVersionsResponse({ errorCode, apis }), decodeApiVersionsResponse, true],
            [
              encodeSaslHandshakeResponse({ errorCode, mechanisms: ['PLAIN'] }),
              decodeSaslHandshakeResponse,
              true,
            ],
            [encodeResponse(errorCode, Buffer.from('body')), decodeResponse, false],
            [encodeSaslHandshakeRequest('PLAIN'), decodeSaslHandshakeRequest, false],
          ];
          for (const [whole, decode, extraOk] of cases) {
            for (let cut = 0; cut < whole.length; cut += 1) {
              expect(decode(whole.subarray(0, cut)).ok).toBe(false);
            }
            const extra = decode(Buffer.concat([whole, Buffer.from([0, 0])]));
            expect(extra.ok).toBe(extraOk);
            if (extraOk) expect(extra).toEqual(decode(whole));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bounds array counts by the bytes present before looping', () => {
    // errorCode 0, then 0x7fffffff api entries in 4 bytes.
    const r = decodeApiVersionsResponse(Buffer.from('00007fffffff', 'hex'));
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('does not fit') });
  });
});

describe('inspectReply', () => {
  it('tells a frame, a TLS record, text and absurd sizes apart from the first bytes', () => {
    expect(inspectReply(Buffer.from([0, 0]))).toEqual({ kind: 'incomplete' });
    expect(inspectReply(Buffer.from('00000004000000', 'hex'))).toEqual({ kind: 'incomplete' });
    expect(inspectReply(Buffer.from('0000000400000001ff', 'hex'))).toEqual({
      kind: 'frame',
      length: 8,
    });
    expect(inspectReply(Buffer.from('15030300020228', 'hex'))).toEqual({ kind: 'tls' });
    expect(inspectReply(Buffer.from('160303007a', 'hex'))).toEqual({ kind: 'tls' });
    expect(inspectReply(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toMatchObject({
      kind: 'not-kafka',
    });
    expect(inspectReply(Buffer.from('00200000', 'hex'))).toMatchObject({ kind: 'not-kafka' }); // 2 MiB
    expect(inspectReply(Buffer.from('00000002', 'hex'))).toMatchObject({ kind: 'not-kafka' });
    expect(inspectReply(Buffer.from('fffffff0', 'hex'))).toMatchObject({ kind: 'not-kafka' });
  });

  it('previews text as its first line and binary as hex', () => {
    expect(previewBytes(Buffer.from('HTTP/1.1 400 Bad Request\r\nx: y\r\n'))).toBe(
      '"HTTP/1.1 400 Bad Request"',
    );
    expect(previewBytes(Buffer.from('15030300020228', 'hex'))).toBe('bytes 15 03 03 00 02 02 28');
  });

  it('writes IPv6 addresses in brackets', () => {
    expect(formatAddress('::1', 9092)).toBe('[::1]:9092');
    expect(formatAddress('10.0.0.5', 9092)).toBe('10.0.0.5:9092');
    expect(formatAddress('kafka.local', 9092)).toBe('kafka.local:9092');
  });
});

// ---------------------------------------------------------------------------------------------
// Local servers

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A server that runs `onConnection` for each accepted socket. */
function serve(onConnection: (socket: net.Socket) => void, host?: string): Promise<number> {
  return listen(net.createServer(onConnection), host);
}

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Reads request frames from a socket and hands each to `answer`. */
function onRequests(
  socket: net.Socket,
  answer: (
    header: { apiKey: number; apiVersion: number; correlationId: number },
    body: Buffer,
  ) => void,
): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const length = 4 + pending.readInt32BE(0);
      const request = decodeRequest(pending.subarray(0, length));
      pending = pending.subarray(length);
      if (!request.ok) throw new Error(request.reason);
      expect(request.value.header.clientId).toBe(CLIENT_ID);
      answer(request.value.header, request.value.body);
    }
  });
}

const KAFKA_41_APIS: ApiRanges = new Map([
  [0, { min: 0, max: 13 }],
  [1, { min: 4, max: 18 }],
  [2, { min: 1, max: 10 }],
  [3, { min: 0, max: 13 }],
  [8, { min: 2, max: 9 }],
  [11, { min: 0, max: 9 }],
  [17, { min: 0, max: 1 }],
  [18, { min: 0, max: 4 }],
  [19, { min: 2, max: 7 }],
]);

interface FakeBroker {
  apis?: ApiRanges;
  /** Answer ApiVersions, then close on anything else (a SASL listener before authentication). */
  saslOnly?: boolean;
  sasl?: { errorCode: number; mechanisms: string[] };
  /** Send the reply one byte at a time. */
  dribble?: boolean;
  wrongCorrelationId?: boolean;
  brokers?: ProbedBroker[];
  /** Where to listen (default 127.0.0.1). */
  host?: string;
}

/** A fake Kafka broker speaking the codecs under test. */
function fakeBroker(options: FakeBroker = {}): Promise<number> {
  const apis = options.apis ?? KAFKA_41_APIS;
  return serve((socket) => {
    const reply = (correlationId: number, body: Buffer): void => {
      const frame = encodeResponse(
        correlationId + (options.wrongCorrelationId === true ? 1 : 0),
        body,
      );
      if (options.dribble !== true) {
        socket.write(frame);
        return;
      }
      let i = 0;
      const tick = setInterval(() => {
        if (i >= frame.length || socket.destroyed) return clearInterval(tick);
        socket.write(frame.subarray(i, i + 1));
        i += 1;
      }, 1);
    };
    onRequests(socket, (header, body) => {
      if (header.apiKey === API_KEY.ApiVersions) {
        reply(header.correlationId, encodeApiVersionsResponse({ errorCode: 0, apis }));
      } else if (options.saslOnly === true) {
        socket.end();
      } else if (header.apiKey === API_KEY.Metadata) {
        const request = decodeMetadataRequest(header.apiVersion, body);
        expect(request).toMatchObject({ ok: true, value: { topics: [] } });
        const response: MetadataResponse = {
          throttleTimeMs: 0,
          brokers: options.brokers ?? [{ nodeId: 1, host: 'kafka.local', port: 9092, rack: null }],
          clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
          controllerId: 1,
          topics: [],
          clusterAuthorizedOperations: NO_OPS,
        };
        reply(header.correlationId, encodeMetadataResponse(header.apiVersion, response));
      } else if (header.apiKey === API_KEY.SaslHandshake) {
        expect(decodeSaslHandshakeRequest(body)).toEqual({
          ok: true,
          value: { mechanism: PROBE_SASL_MECHANISM },
        });
        reply(
          header.correlationId,
          encodeSaslHandshakeResponse(options.sasl ?? { errorCode: 34, mechanisms: [] }),
        );
      } else {
        socket.destroy();
      }
    });
  }, options.host);
}

const LIMIT = 2000;

describe('probes against local servers', () => {
  it('refused: nothing listens on the port', async () => {
    const port = await closedPort();
    for (const probe of [
      probeTcp,
      probeApiVersions,
      probeMetadata,
      probeSaslMechanisms,
      probeTls,
    ]) {
      const r = await probe('127.0.0.1', port, LIMIT);
      expect(r).toMatchObject({ ok: false, kind: 'refused' });
      if (!r.ok) expect(r.message).toContain(`127.0.0.1:${port}`);
    }
  });

  it('tcp: ok with the connect time', async () => {
    const port = await serve(() => undefined);
    const r = await probeTcp('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.ms).toBeLessThan(LIMIT);
  });

  it('timeout: a server that accepts and never answers, within the limit', async () => {
    let serverSideClosed = false;
    const port = await serve((s) => {
      s.resume(); // read (and drop) the request, so the probe's close is seen
      s.on('close', () => (serverSideClosed = true));
    });
    const started = Date.now();
    const r = await probeApiVersions('127.0.0.1', port, 300);
    const took = Date.now() - started;
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
    if (!r.ok) {
      expect(r.message).toMatch(
        /accepted the connection but did not answer ApiVersions within 300 ms/,
      );
    }
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
    // The probe destroyed its socket: the server sees the connection close.
    await expect.poll(() => serverSideClosed, { timeout: 1000 }).toBe(true);
  });

  it('closed: a server that closes at once', async () => {
    const port = await serve((s) => s.end());
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'closed' });
    if (!r.ok)
      expect(r.message).toContain(
        `127.0.0.1:${port} closed the connection without answering ApiVersions`,
      );
  });

  it('tls: a server that answers with a TLS alert record', async () => {
    const port = await serve((s) =>
      s.once('data', () => s.end(Buffer.from('15030300020228', 'hex'))),
    );
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'tls' });
    if (!r.ok) expect(r.message).toMatch(/expects an encrypted connection/);
  });

  it('not-kafka: a server that answers with HTTP', async () => {
    const port = await serve((s) =>
      s.once('data', () =>
        s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
      ),
    );
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'not-kafka' });
    if (!r.ok) expect(r.message).toContain('"HTTP/1.1 400 Bad Request"');
  });

  it.each([MAX_REPLY_BYTES + 1, 0x7fffffff])(
    'not-kafka: a length prefix of %i is refused at once, without waiting for or allocating it',
    async (size) => {
      // The server announces `size` bytes, sends 1, and keeps the connection open.
      const prefix = Buffer.alloc(5);
      prefix.writeInt32BE(size);
      const port = await serve((s) => s.once('data', () => s.write(prefix)));
      const started = Date.now();
      const r = await probeApiVersions('127.0.0.1', port, LIMIT);
      expect(r).toMatchObject({ ok: false, kind: 'not-kafka' });
      if (!r.ok) expect(r.message).toContain(`a frame size of ${size} bytes`);
      expect(Date.now() - started).toBeLessThan(LIMIT / 2);
    },
  );

  it('not-kafka: a server that speaks first (an SSH banner)', async () => {
    const port = await serve((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'not-kafka' });
    if (!r.ok) expect(r.message).toContain('SSH-2.0-OpenSSH');
  });

  it('not-kafka: a well-formed frame for another request', async () => {
    const port = await fakeBroker({ wrongCorrelationId: true });
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'not-kafka' });
  });

  it('reset: a server that resets the connection', async () => {
    const port = await serve((s) => s.once('data', () => s.resetAndDestroy()));
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'reset' });
  });

  it('error: bad arguments never throw', async () => {
    expect(await probeTcp('', 9092, LIMIT)).toMatchObject({ ok: false, kind: 'error' });
    expect(await probeApiVersions('127.0.0.1', 70000, LIMIT)).toMatchObject({
      ok: false,
      kind: 'error',
    });
    expect(await probeTls('127.0.0.1', 9092, Number.NaN)).toMatchObject({
      ok: false,
      kind: 'error',
    });
  });

  it('ApiVersions, Metadata (v8 on a 4.x-like broker) and SASL on a fake broker, byte by byte', async () => {
    const port = await fakeBroker({ dribble: true });
    const versions = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(versions).toMatchObject({ ok: true });
    if (!versions.ok) return;
    expect([...versions.apis]).toEqual([...KAFKA_41_APIS]);
    expect(pickMetadataVersion(versions.apis)).toBe(8);

    const metadata = await probeMetadata('127.0.0.1', port, LIMIT);
    expect(metadata).toEqual({
      ok: true,
      version: 8,
      clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
      controllerId: 1,
      brokers: [{ nodeId: 1, host: 'kafka.local', port: 9092, rack: null }],
      ms: expect.any(Number),
    });
  });

  it('Metadata falls back to v2 on an old broker, and to v1 without a cluster id', async () => {
    const old = new Map(KAFKA_41_APIS);
    old.set(API_KEY.Metadata, { min: 0, max: 2 });
    const port = await fakeBroker({ apis: old });
    expect(await probeMetadata('127.0.0.1', port, LIMIT)).toMatchObject({
      ok: true,
      version: 2,
      clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
    });
    old.set(API_KEY.Metadata, { min: 0, max: 1 });
    expect(await probeMetadata('127.0.0.1', port, LIMIT, old)).toMatchObject({
      ok: true,
      version: 1,
      clusterId: null,
    });
    old.set(API_KEY.Metadata, { min: 9, max: 13 });
    expect(await probeMetadata('127.0.0.1', port, LIMIT, old)).toMatchObject({
      ok: false,
      kind: 'error',
    });
    old.delete(API_KEY.Metadata);
    expect(await probeMetadata('127.0.0.1', port, LIMIT, old)).toMatchObject({
      ok: false,
      kind: 'error',
    });
  });

  it('closed: a SASL listener answers ApiVersions but closes on Metadata', async () => {
    const port = await fakeBroker({ saslOnly: true });
    const r = await probeMetadata('127.0.0.1', port, LIMIT);
    expect(r).toMatchObject({ ok: false, kind: 'closed' });
    if (!r.ok)
      expect(r.message).toMatch(
        /answered ApiVersions but closed the connection when asked for Metadata: .*SASL/,
      );
  });

  it('SaslHandshake: the mechanisms of a SASL listener (33), and a listener without SASL (34)', async () => {
    const sasl = await fakeBroker({
      sasl: { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-512'] },
    });
    expect(await probeSaslMechanisms('127.0.0.1', sasl, LIMIT)).toEqual({
      ok: true,
      errorCode: 33,
      mechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    });
    const plain = await fakeBroker();
    const r = await probeSaslMechanisms('127.0.0.1', plain, LIMIT);
    expect(r).toMatchObject({
      ok: false,
      kind: 'error',
      errorCode: KAFKA_ERROR.ILLEGAL_SASL_STATE,
    });
    if (!r.ok) expect(r.message).toMatch(/does not use SASL/);
    const other = await fakeBroker({ sasl: { errorCode: 58, mechanisms: [] } });
    expect(await probeSaslMechanisms('127.0.0.1', other, LIMIT)).toMatchObject({
      ok: false,
      kind: 'error',
      errorCode: 58,
    });
  });

  it('works over IPv6 when the machine has ::1', async (ctx) => {
    let port: number;
    try {
      port = await fakeBroker({ host: '::1' });
    } catch (error) {
      ctx.skip(`no IPv6 loopback here: ${String(error)}`);
      return;
    }
    expect(await probeTcp('::1', port, LIMIT)).toMatchObject({ ok: true });
    expect(await probeMetadata('::1', port, LIMIT)).toMatchObject({ ok: true, version: 8 });
    const refused = await probeTcp('::1', await closedPort('::1'), LIMIT);
    expect(refused).toMatchObject({ ok: false, kind: 'refused' });
    if (!refused.ok) expect(refused.message).toMatch(/\[::1\]:\d+/);
  });
});

// ---------------------------------------------------------------------------------------------
// TLS

describe('probeTls', () => {
  let dir: string | undefined;
  let tlsOptions: { key: Buffer; cert: Buffer } | undefined;
  let noOpenssl = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-probe-tls-'));
    try {
      await run(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { timeout: 20_000 },
      );
      tlsOptions = {
        key: await readFile(path.join(dir, 'key.pem')),
        cert: await readFile(path.join(dir, 'cert.pem')),
      };
    } catch (error) {
      noOpenssl = `the openssl CLI could not make a self-signed certificate: ${String(error)}`;
    }
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('ok against a TLS server with a self-signed certificate (by IP and by name)', async (ctx) => {
    if (tlsOptions === undefined) {
      ctx.skip(noOpenssl);
      return;
    }
    const port = await listen(tls.createServer(tlsOptions, (s) => s.on('error', () => undefined)));
    expect(await probeTls('127.0.0.1', port, LIMIT)).toEqual({ ok: true, protocol: 'TLSv1.3' });
    expect(await probeTls('localhost', port, LIMIT)).toMatchObject({ ok: true });
  });

  it('a TLS listener answers the plaintext ApiVersions with TLS or by closing', async (ctx) => {
    if (tlsOptions === undefined) {
      ctx.skip(noOpenssl);
      return;
    }
    const port = await listen(tls.createServer(tlsOptions, () => undefined));
    const r = await probeApiVersions('127.0.0.1', port, LIMIT);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['tls', 'closed']).toContain(r.kind);
  });

  it('closed: a plaintext server that closes on the ClientHello (as Kafka PLAINTEXT does)', async () => {
    const port = await serve((s) => s.once('data', () => s.end()));
    expect(await probeTls('127.0.0.1', port, LIMIT)).toMatchObject({ ok: false, kind: 'closed' });
  });

  it('tls: a plaintext server that answers the ClientHello with text', async () => {
    const port = await serve((s) =>
      s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n')),
    );
    expect(await probeTls('127.0.0.1', port, LIMIT)).toMatchObject({ ok: false, kind: 'tls' });
  });

  it('timeout: a server that never answers the ClientHello', async () => {
    const port = await serve(() => undefined);
    const started = Date.now();
    const r = await probeTls('127.0.0.1', port, 300);
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

// ---------------------------------------------------------------------------------------------
// Versions and compatibility

/** `ranges('0:0-13 1:4-18')`: api key, then min–max. */
function ranges(spec: string): ApiRanges {
  return new Map(
    spec.split(' ').map((entry) => {
      const [key, min, max] = entry.split(/[:-]/).map(Number);
      return [key ?? -1, { min: min ?? -1, max: max ?? -1 }];
    }),
  );
}

/**
 * Produce (0), Fetch (1), ListOffsets (2), Metadata (3) and ApiVersions (18) ranges: 4.1.1 and
 * 3.9.1 as the test brokers answer them, older releases from the protocol's version history.
 */
const RELEASES: Array<{ release: string; apis: ApiRanges; label: string }> = [
  { release: '4.1.1', apis: ranges('0:0-13 1:4-18 2:1-10 3:0-13 18:0-4'), label: '4.0 or newer' },
  { release: '3.9.1', apis: ranges('0:0-11 1:0-17 2:0-9 3:0-12 18:0-4'), label: '3.x' },
  { release: '3.0', apis: ranges('0:0-9 1:0-12 2:0-7 3:0-11 18:0-3'), label: '3.x' },
  { release: '2.8', apis: ranges('0:0-9 1:0-12 2:0-6 3:0-11 18:0-3'), label: '2.x' },
  { release: '2.0', apis: ranges('0:0-6 1:0-8 2:0-3 3:0-6 18:0-2'), label: '2.x' },
  { release: '1.1', apis: ranges('0:0-5 1:0-7 2:0-2 3:0-5 18:0-1'), label: '1.x' },
  { release: '1.0', apis: ranges('0:0-5 1:0-6 2:0-2 3:0-5 18:0-1'), label: '1.x' },
  { release: '0.11', apis: ranges('0:0-3 1:0-5 2:0-2 3:0-4 18:0-1'), label: '0.11' },
  {
    release: '0.10.2',
    apis: ranges('0:0-2 1:0-3 2:0-1 3:0-2 18:0-0'),
    label: 'older than 0.11 (0.10.x)',
  },
];

describe('describeBrokerVersion', () => {
  it.each(RELEASES)('Kafka $release → $label', ({ apis, label }) => {
    expect(describeBrokerVersion(apis)).toBe(label);
  });

  it('says so when there is no Produce API (a KRaft controller port)', () => {
    expect(describeBrokerVersion(ranges('1:0-17 18:0-4'))).toMatch(/^unknown/);
  });
});

describe('clientCompatibility', () => {
  it.each(RELEASES.filter((r) => r.release !== '0.10.2'))(
    'Kafka $release works with kafkajs 2.2',
    ({ apis }) => {
      expect(clientCompatibility(apis)).toEqual({ tooOld: null, tooNew: null });
    },
  );

  it('too old: Produce max 2 (no record headers)', () => {
    const c = clientCompatibility(ranges('0:0-2 1:0-3 18:0-0'));
    expect(c.tooOld).toMatch(/older than Kafka 0\.11/);
    expect(c.tooNew).toBeNull();
  });

  it('too new: Fetch min above the highest version kafkajs speaks', () => {
    const c = clientCompatibility(ranges('0:3-13 1:12-18 3:0-13 18:0-4'));
    expect(c.tooOld).toBeNull();
    expect(c.tooNew).toMatch(
      /Fetch \(the broker needs v12 or newer, the app's client speaks up to v11\)/,
    );
  });

  it('not a broker: no Produce', () => {
    expect(clientCompatibility(ranges('1:0-17 18:0-4')).tooOld).toMatch(/does not offer Produce/);
  });

  it('the kafkajs table matches the installed kafkajs', () => {
    const require = createRequire(import.meta.url);
    const { requests } = require('kafkajs/src/protocol/requests/index.js') as {
      requests: Record<string, { versions: string[] }>;
    };
    const apiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;
    const installed = new Map<number, { name: string; max: number }>();
    for (const [name, definition] of Object.entries(requests)) {
      if (definition.versions.length === 0) continue;
      const key = apiKeys[name];
      if (key === undefined) throw new Error(`no api key for ${name}`);
      installed.set(key, {
        name: name === 'GroupCoordinator' ? 'FindCoordinator' : name,
        max: Math.max(...definition.versions.map(Number)),
      });
    }
    expect(new Map([...KAFKAJS_MAX_VERSIONS].sort(([a], [b]) => a - b))).toEqual(
      new Map([...installed].sort(([a], [b]) => a - b)),
    );
  });
});
