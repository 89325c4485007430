import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameGate } from './frame-gate.js';

const packet = (n: number) => (dropped: number) => new Uint8Array([n, dropped]);

describe('FrameGate (newest frame wins)', () => {
  it('delivers up to the limit, then keeps only the newest frame waiting', () => {
    const out: Uint8Array[] = [];
    const gate = new FrameGate((p) => out.push(p) > 0, 2);
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
    const gate = new FrameGate((p) => out.push(p) > 0, 2);
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
          const gate = new FrameGate(() => ++delivered > 0, limit);
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

describe('FrameGate with no page to take the frame', () => {
  it('drops and counts a frame that could not be sent, and does not wait for its ack', () => {
    let portOpen = false;
    const out: number[] = [];
    const gate = new FrameGate((p) => portOpen && out.push(p[0] ?? -1) > 0, 2);
    // no frame port yet: nothing is in flight, nothing stalls
    for (let i = 0; i < 5; i++) gate.offer(packet(i));
    expect(gate.unacked).toBe(0);
    expect(gate.dropped).toBe(5);
    expect(gate.delivered).toBe(0);
    // the port arrives: the next frames flow at once, no ack needed for the lost ones
    portOpen = true;
    gate.offer(packet(5));
    gate.offer(packet(6));
    expect(out).toEqual([5, 6]);
    expect(gate.unacked).toBe(2);
  });

  it('in every-frame mode, an undeliverable frame never makes offer wait', () => {
    const gate = new FrameGate(() => false, 1, 'every-frame', 60_000);
    for (let i = 0; i < 3; i++) expect(gate.offer(packet(i))).toBeUndefined();
    expect(gate.dropped).toBe(3);
  });
});

describe('FrameGate every-frame mode (paced replays)', () => {
  it('waits for a free slot instead of dropping, and never drops while the page acks', async () => {
    const sent: number[] = [];
    const gate = new FrameGate((p) => sent.push(p[0] ?? -1) > 0, 2, 'every-frame', 5000);
    const offers: Array<Promise<void> | void> = [];
    let n = 0;
    const make = () => {
      const i = n++;
      return () => new Uint8Array([i]);
    };
    offers.push(gate.offer(make()), gate.offer(make()));
    expect(sent).toEqual([0, 1]);
    const third = gate.offer(make());
    expect(third).toBeInstanceOf(Promise);
    let resolved = false;
    void (third as Promise<void>).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(resolved).toBe(false);
    gate.ack();
    await third;
    expect(sent).toEqual([0, 1, 2]);
    expect(gate.dropped).toBe(0);
  });

  it('gives up waiting when the page stops acking, so the consumer never stalls', async () => {
    const gate = new FrameGate(() => true, 1, 'every-frame', 20);
    gate.offer(() => new Uint8Array([0]));
    await gate.offer(() => new Uint8Array([1])); // resolves after 20 ms without an ack
    await gate.offer(() => new Uint8Array([2]));
    expect(gate.dropped).toBe(1);
  });

  it('releases a waiting offer on close', async () => {
    const gate = new FrameGate(() => true, 1, 'every-frame', 60_000);
    gate.offer(() => new Uint8Array([0]));
    const waiting = gate.offer(() => new Uint8Array([1]));
    gate.close();
    await waiting;
  });
});
