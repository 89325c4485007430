import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FRAMES_IN_FLIGHT, PAGE_JITTER_FRAMES } from '../../../electron/shared/flow-control.js';
import {
  encodeFramePacket,
  type DecodedFrame,
  type FramePacketHeader,
} from '../../../electron/shared/frame-packet.js';
import { FrameInbox, type FrameInboxOptions } from './frame-inbox.js';
import { testFrameHeader } from '../../../scripts/test-support/frame-header.js';

const header = (viewerId: string, seq: number): FramePacketHeader =>
  testFrameHeader(viewerId, { seq, ptsMs: seq * 40 });

/** A frame packet as the service sends it: its image is [0xff, 0xd8, seq]. */
function packet(viewerId: string, seq: number): Uint8Array<ArrayBuffer> {
  return encodeFramePacket(
    header(viewerId, seq),
    new Uint8Array([0xff, 0xd8, seq & 0xff]),
  ) as Uint8Array<ArrayBuffer>;
}

/** The same packet as its own ArrayBuffer (a WebSocket binary message). */
function packetBuffer(viewerId: string, seq: number): ArrayBuffer {
  const bytes = packet(viewerId, seq);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function setup(opts: FrameInboxOptions = {}) {
  const acks: string[] = [];
  const inbox = new FrameInbox((id) => acks.push(id), { inFlight: 2, jitterFrames: 0, ...opts });
  return { inbox, acks };
}

const seqs = (frames: DecodedFrame[]) => frames.map((f) => f.header.seq);

describe('FrameInbox: decoding', () => {
  it('decodes each packet once: every listener of the viewer gets the same header and image', () => {
    const { inbox } = setup();
    const a: DecodedFrame[] = [];
    const b: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => a.push(f));
    inbox.subscribe('v', (f) => b.push(f));
    inbox.receive(packet('v', 7));
    expect(a).toHaveLength(1);
    expect(b[0]).toBe(a[0]);
    expect(a[0]?.header).toEqual(header('v', 7));
    expect([...(a[0]?.image ?? [])]).toEqual([0xff, 0xd8, 7]);
  });

  it('takes an ArrayBuffer, a Uint8Array, and a Uint8Array that is a view into a larger buffer', () => {
    const { inbox } = setup({ inFlight: 10 });
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    inbox.receive(packetBuffer('v', 1));
    inbox.receive(packet('v', 2));
    const inner = packet('v', 3);
    const big = new Uint8Array(inner.length + 20);
    big.set(inner, 10);
    inbox.receive(big.subarray(10, 10 + inner.length));
    expect(seqs(got)).toEqual([1, 2, 3]);
    expect([...(got[2]?.image ?? [])]).toEqual([0xff, 0xd8, 3]);
    expect(inbox.badPacketCount).toBe(0);
  });
});

describe('FrameInbox: bad packets', () => {
  const json = (text: string): Uint8Array<ArrayBuffer> => {
    const body = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + body.length);
    out.set([0x4b, 0x56, 0x53, 0x46], 0);
    new DataView(out.buffer).setUint32(4, body.length, false);
    out.set(body, 8);
    return out;
  };

  it('counts them, reports each, never throws and never acks or delivers', () => {
    const onBadPacket = vi.fn();
    const { inbox, acks } = setup({ onBadPacket });
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    const bad: Array<ArrayBuffer | Uint8Array<ArrayBuffer>> = [
      new ArrayBuffer(0),
      new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      new Uint8Array([0x4b, 0x56, 0x53, 0x46]),
      // "KVSF", header length far past the end
      new Uint8Array([0x4b, 0x56, 0x53, 0x46, 0xff, 0xff, 0xff, 0xff, 0x7b]),
      json('{not json'),
      json('{"viewerId":"v"}'),
      json(JSON.stringify({ ...header('v', 1), type: 'text/html' })),
      json(JSON.stringify({ ...header('v', 1), viewerId: 'x'.repeat(65) })),
      json('null'),
    ];
    for (const p of bad) expect(() => inbox.receive(p)).not.toThrow();
    expect(inbox.badPacketCount).toBe(bad.length);
    expect(onBadPacket).toHaveBeenCalledTimes(bad.length);
    for (const [error] of onBadPacket.mock.calls) expect(typeof error).toBe('string');
    expect(got).toEqual([]);
    expect(acks).toEqual([]);
    // a good packet still gets through
    inbox.receive(packet('v', 1));
    expect(seqs(got)).toEqual([1]);
  });

  it('never throws on any bytes, and counts every one it cannot read (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (packets) => {
        const { inbox, acks } = setup({ jitterFrames: 6 });
        inbox.subscribe('v', () => undefined);
        for (const p of packets) inbox.receive(p as Uint8Array<ArrayBuffer>);
        // random bytes are never a frame packet ("KVSF" + a valid JSON header)
        expect(inbox.badPacketCount).toBe(packets.length);
        expect(acks).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('FrameInbox: flow control', () => {
  it('passes frames straight through to a listener and forwards its acks', () => {
    const { inbox, acks } = setup();
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    inbox.receive(packet('v', 1));
    inbox.receive(packet('v', 2));
    expect(seqs(got)).toEqual([1, 2]);
    expect(acks).toEqual([]);
    inbox.ack('v');
    inbox.ack('v');
    expect(acks).toEqual(['v', 'v']);
  });

  it('never has more than inFlight frames un-acked at the listener; extra frames wait in order', () => {
    const { inbox, acks } = setup();
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    for (let i = 1; i <= 4; i++) inbox.receive(packet('v', i));
    expect(seqs(got)).toEqual([1, 2]);
    expect(inbox.held('v')).toBe(2);
    expect(acks).toEqual([]); // no jitter buffer: nothing is acked early
    inbox.ack('v'); // 1 done → forwarded, 3 delivered
    expect(seqs(got)).toEqual([1, 2, 3]);
    expect(acks).toEqual(['v']);
    inbox.ack('v');
    inbox.ack('v');
    inbox.ack('v');
    expect(seqs(got)).toEqual([1, 2, 3, 4]);
    expect(acks).toHaveLength(4);
    expect(inbox.held('v')).toBe(0);
  });

  it('keeps viewers apart: one viewer waiting does not hold up another', () => {
    const { inbox, acks } = setup({ inFlight: 1 });
    const a: DecodedFrame[] = [];
    const b: DecodedFrame[] = [];
    inbox.subscribe('a', (f) => a.push(f));
    inbox.subscribe('b', (f) => b.push(f));
    inbox.receive(packet('a', 1));
    inbox.receive(packet('a', 2));
    inbox.receive(packet('b', 1));
    expect(seqs(a)).toEqual([1]);
    expect(seqs(b)).toEqual([1]);
    inbox.ack('b');
    expect(acks).toEqual(['b']);
    expect(seqs(a)).toEqual([1]);
  });

  it('acks at once and drops the frames of a viewer nobody listens to', () => {
    const { inbox, acks } = setup({ jitterFrames: 3 });
    const other: DecodedFrame[] = [];
    inbox.subscribe('other', (f) => other.push(f));
    for (let i = 1; i <= 5; i++) inbox.receive(packet('stopped', i));
    expect(acks).toEqual(['stopped', 'stopped', 'stopped', 'stopped', 'stopped']);
    expect(inbox.held('stopped')).toBe(0);
    expect(other).toEqual([]);
    // listening later does not bring them back
    const got: DecodedFrame[] = [];
    inbox.subscribe('stopped', (f) => got.push(f));
    expect(got).toEqual([]);
  });

  it('after the last listener leaves, a viewer’s late frames are acked at once and dropped', () => {
    const { inbox, acks } = setup();
    const got: DecodedFrame[] = [];
    const off = inbox.subscribe('v', (f) => got.push(f));
    inbox.receive(packet('v', 1));
    off();
    inbox.receive(packet('v', 2));
    inbox.receive(packet('v', 3));
    expect(seqs(got)).toEqual([1]);
    expect(acks).toEqual(['v', 'v']);
    expect(inbox.held('v')).toBe(0);
  });

  it('keeps a viewer while one of its listeners stays', () => {
    const { inbox, acks } = setup();
    const got: DecodedFrame[] = [];
    const off = inbox.subscribe('v', () => undefined);
    inbox.subscribe('v', (f) => got.push(f));
    off();
    inbox.receive(packet('v', 1));
    expect(seqs(got)).toEqual([1]);
    expect(acks).toEqual([]);
  });

  it('forwards an ack for a viewer it does not know (the service ignores stray acks)', () => {
    const { inbox, acks } = setup();
    inbox.ack('x');
    expect(acks).toEqual(['x']);
  });

  it('a listener that throws does not stop the others, and is reported', () => {
    const onListenerError = vi.fn();
    const { inbox } = setup({ onListenerError });
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', () => {
      throw new Error('boom');
    });
    inbox.subscribe('v', (f) => got.push(f));
    expect(() => inbox.receive(packet('v', 1))).not.toThrow();
    expect(seqs(got)).toEqual([1]);
    expect(onListenerError).toHaveBeenCalledOnce();
  });
});

describe('FrameInbox: jitter buffer', () => {
  it('acks frames on arrival while the page holds fewer than jitterFrames, so a short stall loses nothing', () => {
    const { inbox, acks } = setup({ jitterFrames: 3 });
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    inbox.receive(packet('v', 1));
    expect(acks).toEqual(['v']); // acked at once: the service's gate stays open
    // the page stalls: the first 3 held are acked, later ones are left to the service's gate
    for (let i = 2; i <= 7; i++) inbox.receive(packet('v', i));
    expect(seqs(got)).toEqual([1, 2]);
    expect(acks).toHaveLength(3);
    // the page catches up: frames acked on arrival are not acked twice, the others are
    for (let i = 0; i < 7; i++) inbox.ack('v');
    expect(seqs(got)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(acks).toHaveLength(7);
  });

  it('uses the shared defaults: FRAMES_IN_FLIGHT and PAGE_JITTER_FRAMES', () => {
    const acks: string[] = [];
    const inbox = new FrameInbox((id) => acks.push(id));
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    for (let i = 1; i <= PAGE_JITTER_FRAMES + 3; i++) inbox.receive(packet('v', i));
    expect(got).toHaveLength(FRAMES_IN_FLIGHT);
    expect(acks).toHaveLength(PAGE_JITTER_FRAMES);
  });

  it('holds at most jitterFrames + inFlight frames per viewer while the service keeps its gate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.constantFrom('service-sends', 'page-acks', 'service-sends-other'), {
          maxLength: 200,
        }),
        (inFlight, jitterFrames, steps) => {
          // the service's gate (frame-gate.ts): at most `inFlight` frames per viewer un-acked
          const unacked = new Map<string, number>([
            ['v', 0],
            ['w', 0],
          ]);
          const inbox = new FrameInbox(
            (id) => {
              // every frame is acked to the service once: on arrival or when drawn, never twice
              expect(unacked.get(id)).toBeGreaterThan(0);
              unacked.set(id, (unacked.get(id) ?? 0) - 1);
            },
            { inFlight, jitterFrames },
          );
          const delivered = new Map<string, number>([
            ['v', 0],
            ['w', 0],
          ]);
          const order = new Map<string, number[]>([
            ['v', []],
            ['w', []],
          ]);
          for (const id of ['v', 'w'])
            inbox.subscribe(id, (f) => {
              delivered.set(id, (delivered.get(id) ?? 0) + 1);
              order.get(id)?.push(f.header.seq ?? -1);
            });
          const sent = new Map<string, number>([
            ['v', 0],
            ['w', 0],
          ]);
          const drawn = new Map<string, number>([
            ['v', 0],
            ['w', 0],
          ]);
          for (const step of steps) {
            const id = step === 'service-sends-other' ? 'w' : 'v';
            if (step === 'page-acks') {
              if ((delivered.get(id) ?? 0) > (drawn.get(id) ?? 0)) {
                drawn.set(id, (drawn.get(id) ?? 0) + 1);
                inbox.ack(id);
              }
            } else if ((unacked.get(id) ?? 0) < inFlight) {
              const seq = (sent.get(id) ?? 0) + 1;
              sent.set(id, seq);
              unacked.set(id, (unacked.get(id) ?? 0) + 1);
              inbox.receive(packet(id, seq));
            }
            for (const v of ['v', 'w']) {
              const onScreen = (delivered.get(v) ?? 0) - (drawn.get(v) ?? 0);
              // the listener never has more than inFlight frames to draw
              expect(onScreen).toBeLessThanOrEqual(inFlight);
              // what the page holds for one viewer, waiting or being drawn
              expect(inbox.held(v) + onScreen).toBeLessThanOrEqual(jitterFrames + inFlight);
              // nothing is lost or reordered: what was sent is delivered or waiting, in order
              expect((delivered.get(v) ?? 0) + inbox.held(v)).toBe(sent.get(v));
              const seen = order.get(v) ?? [];
              expect(seen).toEqual(seen.map((_, i) => i + 1));
            }
          }
          // the page draws everything: every frame sent has been acked to the service
          for (const v of ['v', 'w'])
            while ((delivered.get(v) ?? 0) > (drawn.get(v) ?? 0)) {
              drawn.set(v, (drawn.get(v) ?? 0) + 1);
              inbox.ack(v);
            }
          expect(unacked).toEqual(
            new Map([
              ['v', 0],
              ['w', 0],
            ]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('FrameInbox: clear', () => {
  it('drops what it holds but keeps the listeners', () => {
    const { inbox, acks } = setup();
    const got: DecodedFrame[] = [];
    inbox.subscribe('v', (f) => got.push(f));
    for (let i = 1; i <= 4; i++) inbox.receive(packet('v', i));
    expect(inbox.held('v')).toBe(2);

    inbox.clear();
    expect(inbox.held('v')).toBe(0);
    // the listener is still there, and may take inFlight frames again
    inbox.receive(packet('v', 10));
    inbox.receive(packet('v', 11));
    expect(seqs(got)).toEqual([1, 2, 10, 11]);
    expect(acks).toEqual([]);
    // the frames that were held before are gone for good
    inbox.ack('v');
    inbox.ack('v');
    expect(seqs(got)).toEqual([1, 2, 10, 11]);
  });
});
