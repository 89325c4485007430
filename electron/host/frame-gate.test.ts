import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameGate } from './frame-gate.js';

const packet = (n: number) => (dropped: number) => new Uint8Array([n, dropped]);

describe('FrameGate (newest frame wins)', () => {
  it('delivers up to the limit, then keeps only the newest frame waiting', () => {
    const out: Uint8Array[] = [];
    const gate = new FrameGate((p) => out.push(p), 2);
    for (let i = 0; i < 10; i++) gate.offer(packet(i));
    expect(out.map((p) => p[0])).toEqual([0, 1]);
    expect(gate.dropped).toBe(7); // 2..8 were replaced; 9 waits
    expect(gate.hasPending).toBe(true);

    gate.ack();
    expect(out.map((p) => p[0])).toEqual([0, 1, 9]);
    // the packet carries the dropped count at the moment it left
    expect(out[2]?.[1]).toBe(7);
    expect(gate.hasPending).toBe(false);

    gate.ack();
    gate.offer(packet(10));
    expect(out.map((p) => p[0])).toEqual([0, 1, 9, 10]);
  });

  it('ignores extra acks and stops after close', () => {
    const out: Uint8Array[] = [];
    const gate = new FrameGate((p) => out.push(p), 2);
    gate.ack();
    gate.ack();
    expect(gate.unacked).toBe(0);
    gate.offer(packet(1));
    gate.offer(packet(2));
    gate.offer(packet(3));
    gate.close();
    gate.ack();
    gate.offer(packet(4));
    expect(out.map((p) => p[0])).toEqual([1, 2]);
  });

  it('never has more than the limit un-acked and accounts for every frame', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (limit, ops) => {
          let delivered = 0;
          let acked = 0;
          const gate = new FrameGate(() => void delivered++, limit);
          let offered = 0;
          for (const isOffer of ops) {
            if (isOffer) {
              offered++;
              gate.offer(packet(offered % 256));
            } else {
              if (gate.unacked > 0) acked++;
              gate.ack();
            }
            expect(delivered - acked).toBeLessThanOrEqual(limit);
            expect(gate.unacked).toBe(delivered - acked);
            expect(delivered + gate.dropped + (gate.hasPending ? 1 : 0)).toBe(offered);
          }
        },
      ),
    );
  });
});
