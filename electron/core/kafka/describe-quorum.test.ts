/**
 * DescribeQuorum without a broker: the request's exact bytes, replies built here from Kafka's
 * DescribeQuorumResponse.json (v0 and v1) decoded, every truncation and random garbage answered
 * without a throw, error codes, the version picked from ApiVersions, voters' lag; and the probe
 * against fake brokers on this machine (ZooKeeper mode: no key 55 → not-kraft; a silent port →
 * failed within the budget; a full exchange).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeRequest,
  encodeApiVersionsResponse,
  encodeResponse,
} from '../../../scripts/test-support/kafka-wire-fakes.js';
import {
  decodeDescribeQuorumResponse,
  encodeDescribeQuorumRequest,
  pickDescribeQuorumVersion,
  voterLags,
  type QuorumReplica,
} from './describe-quorum-wire.js';
import { describeQuorum } from './describe-quorum.js';

// ---- a broker's side, from the schema --------------------------------------------------------

const uv = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
};
const i16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return [...b];
};
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return [...b];
};
const i64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return [...b];
};
const str = (s: string) => [...uv(Buffer.byteLength(s) + 1), ...Buffer.from(s)];

interface Reply {
  errorCode?: number;
  topic?: string;
  partitionError?: number;
  leaderId: number;
  voters: QuorumReplica[];
  observers?: QuorumReplica[];
  /** an unknown tagged field in the partition (tag 0 = HighWatermarkUpdateTimeMs in v1) */
  partitionTag?: boolean;
}

function replica(r: QuorumReplica, version: number): number[] {
  return [
    ...i32(r.nodeId),
    ...i64(r.logEndOffset),
    ...(version >= 1 ? [...i64(1_700_000_000_000), ...i64(1_700_000_000_001)] : []),
    0,
  ];
}

function responseFrame(version: number, correlationId: number, reply: Reply): Buffer {
  const observers = reply.observers ?? [];
  const tags = reply.partitionTag ? [1, 0, 8, ...i64(1_700_000_000_002)] : [0];
  const body = [
    ...i16(reply.errorCode ?? 0),
    ...uv(2),
    ...str(reply.topic ?? '__cluster_metadata'),
    ...uv(2),
    ...i32(0),
    ...i16(reply.partitionError ?? 0),
    ...i32(reply.leaderId),
    ...i32(7),
    ...i64(1234),
    ...uv(reply.voters.length + 1),
    ...reply.voters.flatMap((v) => replica(v, version)),
    ...uv(observers.length + 1),
    ...observers.flatMap((v) => replica(v, version)),
    ...tags,
    0, // topic tags
    0, // response tags
  ];
  const payload = [...i32(correlationId), 0, ...body];
  return Buffer.from([...i32(payload.length), ...payload]);
}

const THREE: Reply = {
  leaderId: 2,
  voters: [
    { nodeId: 1, logEndOffset: 1230 },
    { nodeId: 2, logEndOffset: 1234 },
    { nodeId: 3, logEndOffset: -1 },
  ],
  observers: [{ nodeId: 4, logEndOffset: 1234 }],
};

describe('DescribeQuorum on the wire', () => {
  it('the request: header v2 (client id as int16 string, no tags), one topic, partition 0', () => {
    const frame = encodeDescribeQuorumRequest(0, 0x01020304, 'kvs');
    const expected = Buffer.from([
      ...i16(55),
      ...i16(0),
      0x01,
      0x02,
      0x03,
      0x04,
      ...i16(3),
      ...Buffer.from('kvs'),
      0, // header tags
      2, // one topic
      ...str('__cluster_metadata'),
      2, // one partition
      ...i32(0),
      0,
      0,
      0,
    ]);
    expect(frame.readInt32BE(0)).toBe(expected.length);
    expect(frame.subarray(4)).toEqual(expected);
  });

  it.each([0, 1])('decodes a v%i reply: leader, epoch, voters, observers', (version) => {
    const d = decodeDescribeQuorumResponse(responseFrame(version, 9, THREE), version);
    expect(d).toEqual({
      ok: true,
      correlationId: 9,
      quorum: {
        leaderId: 2,
        leaderEpoch: 7,
        highWatermark: 1234,
        voters: THREE.voters,
        observers: THREE.observers,
      },
    });
  });

  it('skips tagged fields it does not know (v1 HighWatermarkUpdateTimeMs)', () => {
    const d = decodeDescribeQuorumResponse(
      responseFrame(1, 9, { ...THREE, partitionTag: true }),
      1,
    );
    expect(d.ok && d.quorum.leaderId).toBe(2);
  });

  it('no leader (-1) is null', () => {
    const d = decodeDescribeQuorumResponse(
      responseFrame(0, 1, { leaderId: -1, voters: [{ nodeId: 1, logEndOffset: 5 }] }),
      0,
    );
    expect(d.ok && d.quorum.leaderId).toBeNull();
  });

  it('error codes (top level, partition) and a reply for another topic are failures', () => {
    expect(
      decodeDescribeQuorumResponse(responseFrame(0, 1, { ...THREE, errorCode: 29 }), 0),
    ).toMatchObject({ ok: false, errorCode: 29 });
    expect(
      decodeDescribeQuorumResponse(responseFrame(0, 1, { ...THREE, partitionError: 6 }), 0),
    ).toMatchObject({ ok: false, errorCode: 6 });
    expect(decodeDescribeQuorumResponse(responseFrame(0, 1, { ...THREE, topic: 'x' }), 0)).toEqual(
      expect.objectContaining({ ok: false }),
    );
  });

  it('every truncation, a wrong size and random bytes are failures, never a throw', () => {
    const whole = responseFrame(1, 3, THREE);
    for (let n = 0; n < whole.length; n += 1) {
      const cut = Buffer.from(whole.subarray(0, n));
      if (n >= 4) cut.writeInt32BE(n - 4); // a consistent frame size: the body itself is short
      const d = decodeDescribeQuorumResponse(cut, 1);
      expect(d.ok, `cut at ${n}`).toBe(false);
    }
    expect(decodeDescribeQuorumResponse(Buffer.concat([whole, Buffer.from([0])]), 1).ok).toBe(
      false,
    );
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff) as number;
    for (let i = 0; i < 500; i += 1) {
      const len = 4 + (rand() % 120);
      const bytes = Buffer.from(Array.from({ length: len }, rand));
      bytes.writeInt32BE(len - 4);
      expect(() => decodeDescribeQuorumResponse(bytes, i % 2)).not.toThrow();
    }
    // a huge voter count is refused before any loop
    const huge = Buffer.from([
      ...i32(0),
      ...i32(1),
      0,
      ...i16(0),
      2,
      ...str('__cluster_metadata'),
      2,
      ...i32(0),
      ...i16(0),
      ...i32(1),
      ...i32(1),
      ...i64(1),
      ...uv(0x0fffffff),
    ]);
    huge.writeInt32BE(huge.length - 4);
    expect(decodeDescribeQuorumResponse(huge, 0)).toMatchObject({ ok: false });
  });

  it('picks v1, else v0, from the ApiVersions range; none when it is absent or out of reach', () => {
    expect(pickDescribeQuorumVersion({ min: 0, max: 2 })).toBe(1);
    expect(pickDescribeQuorumVersion({ min: 0, max: 0 })).toBe(0);
    expect(pickDescribeQuorumVersion({ min: 2, max: 3 })).toBeNull();
    expect(pickDescribeQuorumVersion(undefined)).toBeNull();
  });

  it("a voter's lag is the leader's log end offset minus its own; unknown when either is -1", () => {
    expect(
      voterLags({
        leaderId: 2,
        leaderEpoch: 1,
        highWatermark: 0,
        voters: THREE.voters,
        observers: [],
      }),
    ).toEqual([
      { nodeId: 1, lag: 4 },
      { nodeId: 2, lag: 0 },
      { nodeId: 3, lag: null },
    ]);
    expect(
      voterLags({
        leaderId: null,
        leaderEpoch: 1,
        highWatermark: 0,
        voters: THREE.voters,
        observers: [],
      }),
    ).toEqual([
      { nodeId: 1, lag: null },
      { nodeId: 2, lag: null },
      { nodeId: 3, lag: null },
    ]);
  });
});

// ---- the probe against fake brokers ------------------------------------------------------------

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

/** A fake broker: answers each request frame with `answer` (null: say nothing). */
async function fakeBroker(
  answer: (apiKey: number, version: number, correlationId: number) => Buffer | null,
): Promise<number> {
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(0, 4 + buf.readInt32BE(0));
        buf = buf.subarray(frame.length);
        const req = decodeRequest(frame);
        if (!req.ok) continue;
        const out = answer(
          req.value.header.apiKey,
          req.value.header.apiVersion,
          req.value.header.correlationId,
        );
        if (out !== null) socket.write(out);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const apiVersions = (correlationId: number, withQuorum: boolean) =>
  encodeResponse(
    correlationId,
    encodeApiVersionsResponse({
      errorCode: 0,
      apis: new Map([
        [18, { min: 0, max: 4 }],
        [3, { min: 0, max: 12 }],
        ...(withQuorum ? ([[55, { min: 0, max: 2 }]] as const) : []),
      ]),
    }),
  );

describe('describeQuorum (fake brokers)', () => {
  it('asks ApiVersions, then DescribeQuorum v1 on the same connection', async () => {
    const port = await fakeBroker((key, version, id) =>
      key === 18 ? apiVersions(id, true) : key === 55 ? responseFrame(version, id, THREE) : null,
    );
    const r = await describeQuorum([{ host: '127.0.0.1', port }], 2_000);
    expect(r).toMatchObject({ ok: true, quorum: { leaderId: 2 }, from: `127.0.0.1:${port}` });
  });

  it('a broker without DescribeQuorum (ZooKeeper mode) is not-kraft', async () => {
    const port = await fakeBroker((key, _v, id) => (key === 18 ? apiVersions(id, false) : null));
    const r = await describeQuorum([{ host: '127.0.0.1', port }], 2_000);
    expect(r).toMatchObject({ ok: false, kind: 'not-kraft' });
  });

  it('a silent broker and a refused port fail within the budget; the next address is tried', async () => {
    const silent = await fakeBroker(() => null);
    const good = await fakeBroker((key, version, id) =>
      key === 18 ? apiVersions(id, true) : key === 55 ? responseFrame(version, id, THREE) : null,
    );
    const t0 = performance.now();
    const failed = await describeQuorum([{ host: '127.0.0.1', port: silent }], 300);
    expect(failed).toMatchObject({ ok: false, kind: 'failed' });
    expect(performance.now() - t0).toBeLessThan(1_000);
    const r = await describeQuorum(
      [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: good },
      ],
      2_000,
    );
    expect(r).toMatchObject({ ok: true, from: `127.0.0.1:${good}` });
  });

  it('garbage instead of a DescribeQuorum reply is failed, not a throw', async () => {
    const port = await fakeBroker((key, _v, id) =>
      key === 18 ? apiVersions(id, true) : Buffer.from([0, 0, 0, 3, 1, 2, 3]),
    );
    const r = await describeQuorum([{ host: '127.0.0.1', port }], 1_000);
    expect(r).toMatchObject({ ok: false, kind: 'failed' });
  });
});
