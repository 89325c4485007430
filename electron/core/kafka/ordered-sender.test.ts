import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderedSender, messageBytes } from './ordered-sender.js';
import type { OutgoingMessage } from './wire-format.js';

function msg(i: number, size = 100): OutgoingMessage {
  return { key: 's', value: Buffer.alloc(size, i % 256), headers: { 'kvs-seq': String(i) } };
}

describe('OrderedSender', () => {
  it('keeps order, never has two sends in flight, and respects the batch byte limit (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 80 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        async (sizes, failures) => {
          const limit = 12_000;
          const sent: number[] = [];
          const acked: number[] = [];
          const failed: number[] = [];
          let inFlight = 0;
          let call = 0;
          const sender = new OrderedSender(
            async (messages) => {
              inFlight++;
              expect(inFlight).toBe(1);
              const bytes = 61 + messages.reduce((n, m) => n + messageBytes(m), 0);
              if (messages.length > 1) expect(bytes).toBeLessThanOrEqual(limit);
              sent.push(...messages.map((m) => Number(m.headers['kvs-seq'])));
              await new Promise((r) => setTimeout(r, 0));
              inFlight--;
              if (failures[call++ % failures.length]) throw new Error('boom');
            },
            {
              onAcked: (m) => acked.push(...m.map((x) => Number(x.headers['kvs-seq']))),
              onFailed: (m) => failed.push(...m.map((x) => Number(x.headers['kvs-seq']))),
            },
            { maxBatchBytes: limit, maxQueuedMessages: 10 },
          );
          for (const [i, size] of sizes.entries()) await sender.enqueue(msg(i, size));
          await sender.flush();
          expect(sent).toEqual(sizes.map((_, i) => i));
          expect([...acked, ...failed].sort((a, b) => a - b)).toEqual(sent);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('batches what queues up while a send is in flight', async () => {
    const batches: number[] = [];
    let release: () => void = () => undefined;
    const sender = new OrderedSender(
      async (m) => {
        batches.push(m.length);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
      },
      { onAcked: () => undefined, onFailed: () => undefined },
      { maxBatchBytes: 1_000_000 },
    );
    await sender.enqueue(msg(0));
    for (let i = 1; i <= 5; i++) await sender.enqueue(msg(i));
    release();
    await sender.flush();
    expect(batches).toEqual([1, 5]);
  });

  it('applies backpressure: enqueue waits while the queue is full', async () => {
    let release: () => void = () => undefined;
    const sender = new OrderedSender(
      () => new Promise<void>((r) => (release = r)),
      { onAcked: () => undefined, onFailed: () => undefined },
      { maxBatchBytes: 1_000_000, maxQueuedMessages: 3 },
    );
    await sender.enqueue(msg(0)); // goes in flight
    for (let i = 1; i <= 3; i++) await sender.enqueue(msg(i));
    let resolved = false;
    const p = sender.enqueue(msg(4)).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    release();
    await p;
    expect(resolved).toBe(true);
  });
});
