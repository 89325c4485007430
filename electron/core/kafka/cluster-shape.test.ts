/**
 * The cluster's shape from refresh to refresh: a broker that leaves the metadata is down since
 * that refresh (and up again when it comes back), a voter never seen that is not caught up is down
 * with no address, a caught-up voter outside the metadata (a controller-only node) is not, the
 * controller is the quorum leader in KRaft and the metadata's in ZooKeeper mode (sticky when the
 * quorum is unknown), a failed quorum keeps its last answer, and small lag changes are no change.
 */
import { describe, expect, it } from 'vitest';
import {
  emptyMemory,
  nextShape,
  sameShape,
  type BrokerAddress,
  type ShapeMemory,
  type ShapeReading,
} from './cluster-shape.js';

const b = (nodeId: number): BrokerAddress => ({ nodeId, host: `10.0.0.1${nodeId}`, port: 9092 });
const voters = (...lags: [number, number | null][]) =>
  lags.map(([nodeId, lag]) => ({ nodeId, lag }));
const kraft = (leaderId: number | null, v: ReturnType<typeof voters>): ShapeReading['quorum'] => ({
  kind: 'ok',
  quorum: { leaderId, voters: v },
});

function read(
  memory: ShapeMemory,
  brokers: BrokerAddress[],
  quorum: ShapeReading['quorum'],
  at: number,
  metadataControllerId: number | null = brokers[0]?.nodeId ?? null,
): ShapeMemory {
  return nextShape(memory, { brokers, quorum, at, metadataControllerId });
}

describe('cluster shape', () => {
  const all = voters([1, 0], [2, 0], [3, 0]);

  it('three nodes up: brokers sorted, the quorum leader is the controller, none down', () => {
    const m = read(emptyMemory(), [b(3), b(1), b(2)], kraft(2, all), 1000, 3);
    expect(m.shape).toEqual({
      brokers: [b(1), b(2), b(3)],
      controllerId: 2,
      quorum: { leaderId: 2, voters: all },
      downBrokers: [],
    });
  });

  it('a broker that leaves the metadata is down since then, keeps its address and time, and is up again when back', () => {
    let m = read(emptyMemory(), [b(1), b(2), b(3)], kraft(1, all), 1000);
    m = read(m, [b(1), b(3)], kraft(1, voters([1, 0], [2, 40], [3, 0])), 6000);
    expect(m.shape.downBrokers).toEqual([
      { nodeId: 2, host: '10.0.0.12', port: 9092, since: 6000 },
    ]);
    m = read(m, [b(1), b(3)], kraft(1, voters([1, 0], [2, 400], [3, 0])), 11000);
    expect(m.shape.downBrokers).toEqual([
      { nodeId: 2, host: '10.0.0.12', port: 9092, since: 6000 },
    ]);
    m = read(m, [b(1), b(2), b(3)], kraft(1, all), 16000);
    expect(m.shape.downBrokers).toEqual([]);
  });

  it('a voter never seen and not caught up is down without an address; a caught-up one (controller-only) is not', () => {
    const m = read(emptyMemory(), [b(1), b(2)], kraft(1, voters([1, 0], [2, 0], [3, null])), 5);
    expect(m.shape.downBrokers).toEqual([{ nodeId: 3, host: null, port: null, since: 5 }]);
    const dedicated = read(
      emptyMemory(),
      [b(4), b(5)],
      kraft(1, voters([1, 0], [2, 1], [3, 0])),
      5,
    );
    expect(dedicated.shape.downBrokers).toEqual([]);
    expect(dedicated.shape.controllerId).toBe(1);
  });

  it('ZooKeeper mode: no quorum, the metadata controller; a failed quorum keeps its last answer', () => {
    const zk = read(emptyMemory(), [b(1), b(2)], { kind: 'not-kraft' }, 1, 2);
    expect(zk.shape.quorum).toBeNull();
    expect(zk.shape.controllerId).toBe(2);
    const first = read(emptyMemory(), [b(1)], kraft(1, voters([1, 0])), 1);
    const failed = read(first, [b(1)], { kind: 'unknown' }, 2);
    expect(failed.shape.quorum).toEqual({ leaderId: 1, voters: voters([1, 0]) });
    expect(failed.shape.controllerId).toBe(1);
  });

  it('quorum unknown from the start (TLS/SASL): the controller sticks while it is a broker', () => {
    let m = read(emptyMemory(), [b(1), b(2), b(3)], { kind: 'unknown' }, 1, 2);
    expect(m.shape.controllerId).toBe(2);
    m = read(m, [b(1), b(2), b(3)], { kind: 'unknown' }, 2, 3); // KRaft names any live broker
    expect(m.shape.controllerId).toBe(2);
    m = read(m, [b(1), b(3)], { kind: 'unknown' }, 3, 3);
    expect(m.shape.controllerId).toBe(3);
    expect(m.shape.quorum).toBeNull();
  });

  it('the same shape: small lags are no change; a voter falling behind, a new leader, a broker down are', () => {
    const a = read(emptyMemory(), [b(1), b(2), b(3)], kraft(1, all), 1);
    const small = read(a, [b(1), b(2), b(3)], kraft(1, voters([1, 0], [2, 3], [3, 10])), 2);
    expect(sameShape(a.shape, small.shape)).toBe(true);
    const behind = read(a, [b(1), b(2), b(3)], kraft(1, voters([1, 0], [2, 0], [3, 11])), 2);
    expect(sameShape(a.shape, behind.shape)).toBe(false);
    const further = read(behind, [b(1), b(2), b(3)], kraft(1, voters([1, 0], [2, 0], [3, 99])), 3);
    expect(sameShape(behind.shape, further.shape)).toBe(true);
    const leader = read(a, [b(1), b(2), b(3)], kraft(3, all), 2);
    expect(sameShape(a.shape, leader.shape)).toBe(false);
    const down = read(a, [b(1), b(2)], kraft(1, all), 2);
    expect(sameShape(a.shape, down.shape)).toBe(false);
    const again = read(down, [b(1), b(2)], kraft(1, all), 3);
    expect(sameShape(down.shape, again.shape)).toBe(true);
  });
});
