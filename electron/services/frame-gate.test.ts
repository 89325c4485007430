import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameGate, type GateFrame } from './frame-gate.js';

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

describe('FrameGate every-video-frame mode (replays as fast as they arrive)', () => {
  it('H.264 frames wait for a slot; images still give way to newer ones', async () => {
    const sent: number[] = [];
    const gate = new FrameGate((p) => sent.push(p[0] ?? -1) > 0, 1, 'every-video-frame', 60_000);
    const video = (keyframe: boolean): GateFrame => ({ stream: 'v', dependent: true, keyframe });
    gate.offer(packet(0), video(true));
    const waiting = gate.offer(packet(1), video(false));
    expect(waiting).toBeInstanceOf(Promise);
    gate.ack();
    await waiting;
    expect(sent).toEqual([0, 1]);
    expect(gate.dropped).toBe(0);
    // images: newest wins, nothing waits
    expect(gate.offer(packet(2))).toBeUndefined();
    expect(gate.offer(packet(3))).toBeUndefined();
    expect(gate.dropped).toBe(1);
    gate.ack();
    expect(sent).toEqual([0, 1, 3]);
  });
});

describe('FrameGate when its viewer seeks or changes mode', () => {
  it('restart forgets the waiting frame (not dropped), releases a waiting offer, and keeps acks counted', async () => {
    const sent: number[] = [];
    const gate = new FrameGate((p) => sent.push(p[0] ?? -1) > 0, 1, 'every-frame', 60_000);
    gate.offer(() => new Uint8Array([0]));
    const waiting = gate.offer(() => new Uint8Array([1]));
    gate.restart();
    await waiting;
    expect(gate.hasPending).toBe(false);
    expect(gate.dropped).toBe(0);
    expect(gate.unacked).toBe(1);
    gate.ack();
    gate.offer(() => new Uint8Array([2]));
    expect(sent).toEqual([0, 2]);
  });

  it('restart clears broken chains: the new place starts from its keyframe', () => {
    const out: number[] = [];
    const gate = new FrameGate((p) => out.push(p[0] ?? -1) > 0, 1);
    const frame = (keyframe: boolean): GateFrame => ({ stream: 'a', dependent: true, keyframe });
    gate.offer(packet(0), frame(true));
    gate.offer(packet(1), frame(false));
    gate.offer(packet(2), frame(false)); // 1 dropped: the chain is broken
    expect(gate.waitingForKeyframe.size).toBe(1);
    gate.restart();
    expect(gate.waitingForKeyframe.size).toBe(0);
  });

  it('setMode: a live gate that becomes a replay waits for a slot instead of replacing', async () => {
    const gate = new FrameGate(() => true, 1, 'newest-wins', 60_000);
    gate.offer(() => new Uint8Array([0]));
    expect(gate.offer(() => new Uint8Array([1]))).toBeUndefined();
    gate.setMode('every-frame');
    const waiting = gate.offer(() => new Uint8Array([2]));
    expect(waiting).toBeInstanceOf(Promise);
    gate.ack();
    await waiting;
    expect(gate.dropped).toBe(1);
  });
});

describe('FrameGate with frames that depend on the ones before (H.264)', () => {
  const key = (stream = 'a'): GateFrame => ({ stream, dependent: true, keyframe: true });
  const delta = (stream = 'a'): GateFrame => ({ stream, dependent: true, keyframe: false });

  it("drops a stream's deltas after one of its frames was dropped, until its next keyframe", () => {
    const out: number[] = [];
    const gate = new FrameGate((p) => out.push(p[0] ?? -1) > 0, 1);
    gate.offer(packet(0), key()); // sent
    gate.offer(packet(1), delta()); // pending
    gate.offer(packet(2), delta()); // 1 is dropped, so 2 cannot be decoded: dropped too
    expect(gate.dropped).toBe(2);
    expect(gate.hasPending).toBe(false);
    expect([...gate.waitingForKeyframe]).toEqual(['a']);
    gate.ack();
    gate.offer(packet(3), delta()); // still no keyframe: dropped even with a free slot
    expect(out).toEqual([0]);
    gate.offer(packet(4), key()); // a decoder can start here
    gate.offer(packet(5), delta());
    gate.ack();
    expect(out).toEqual([0, 4, 5]);
    expect(gate.dropped).toBe(3);
    expect(gate.waitingForKeyframe.size).toBe(0);
  });

  it('keeps streams apart, and never holds images back for a video stream', () => {
    const out: number[] = [];
    const gate = new FrameGate((p) => out.push(p[0] ?? -1) > 0, 1);
    gate.offer(packet(0), key('a'));
    gate.offer(packet(1), delta('a')); // pending
    gate.offer(packet(2)); // an image replaces it: stream a is broken
    gate.ack();
    gate.offer(packet(3), key('b'));
    gate.ack();
    gate.offer(packet(4), delta('a')); // dropped: a waits for its keyframe
    gate.offer(packet(5), delta('b')); // b is whole: it waits for a slot
    gate.ack();
    expect(out).toEqual([0, 2, 3, 5]);
    expect([...gate.waitingForKeyframe]).toEqual(['a']);
  });

  it('sends a catch-up group (a start at the last keyframe) at once, past the limit, counted in flight', () => {
    const out: number[] = [];
    const gate = new FrameGate((p) => out.push(p[0] ?? -1) > 0, 1);
    const catchUp = (keyframe: boolean): GateFrame => ({ ...key(), keyframe, catchUp: true });
    expect(gate.offer(packet(0), catchUp(true))).toBeUndefined();
    expect(gate.offer(packet(1), catchUp(false))).toBeUndefined();
    expect(gate.offer(packet(2), catchUp(false))).toBeUndefined();
    expect(out).toEqual([0, 1, 2]);
    expect(gate.unacked).toBe(3);
    // the first frame to show waits until the group's acks bring the count under the limit
    gate.offer(packet(3), delta());
    expect(out).toEqual([0, 1, 2]);
    gate.ack();
    gate.ack();
    expect(out).toEqual([0, 1, 2]);
    gate.ack();
    expect(out).toEqual([0, 1, 2, 3]);
    expect(gate.dropped).toBe(0);
  });

  it('while a catch-up group is with the page, the frames after it wait instead of replacing each other', async () => {
    const out: number[] = [];
    const gate = new FrameGate((p) => out.push(p[0] ?? -1) > 0, 1, 'newest-wins', 60_000);
    const catchUp = (keyframe: boolean): GateFrame => ({ ...key(), keyframe, catchUp: true });
    gate.offer(packet(0), catchUp(true));
    gate.offer(packet(1), catchUp(false));
    // live frames 2 and 3 come before the group's acks: 3 must not replace 2
    const second = gate.offer(packet(2), delta());
    expect(second).toBeInstanceOf(Promise);
    gate.ack();
    gate.ack();
    await second;
    expect(out).toEqual([0, 1, 2]);
    // the group acked: newest wins again (3 replaced by 4, and 4 needs 3: both dropped)
    expect(gate.offer(packet(3), delta())).toBeUndefined();
    expect(gate.offer(packet(4), delta())).toBeUndefined();
    expect(gate.dropped).toBe(2);
  });

  it("a frame that could not be sent breaks its stream's chain too", () => {
    let accept = false;
    const out: number[] = [];
    const gate = new FrameGate((p) => accept && out.push(p[0] ?? -1) > 0, 2);
    gate.offer(packet(0), key()); // no page to take it: dropped
    accept = true;
    gate.offer(packet(1), delta());
    gate.offer(packet(2), key());
    expect(out).toEqual([2]);
    expect(gate.dropped).toBe(2);
  });

  it("delivers only decodable sequences: every delivered delta follows its stream's delivered keyframe with nothing missing between (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('ack' as const) }),
            fc.record({
              op: fc.constant('frame' as const),
              stream: fc.constantFrom('a', 'b', ''),
              keyframe: fc.boolean(),
            }),
          ),
          { maxLength: 200 },
        ),
        (limit, ops) => {
          const frames: Array<{ stream: string; keyframe: boolean; image: boolean }> = [];
          const delivered: number[] = [];
          const gate = new FrameGate(
            (p) => delivered.push((p[0] ?? 0) + 256 * (p[1] ?? 0)) > 0,
            limit,
          );
          for (const o of ops) {
            if (o.op === 'ack') {
              gate.ack();
              continue;
            }
            const n = frames.length;
            const image = o.stream === '';
            frames.push({ stream: o.stream, keyframe: image || o.keyframe, image });
            gate.offer(
              () => new Uint8Array([n % 256, Math.floor(n / 256)]),
              image ? undefined : { stream: o.stream, dependent: true, keyframe: o.keyframe },
            );
          }
          // per video stream, the delivered frames: a delta is delivered only right after the
          // stream's previous frame was delivered
          const last = new Map<string, number>();
          for (const n of delivered) {
            const f = frames[n]!;
            if (f.image) continue;
            if (!f.keyframe) {
              const prev = [...frames.keys()]
                .filter((i) => i < n && frames[i]!.stream === f.stream)
                .pop();
              // (a stream that starts with a delta has nothing before it to miss: the page waits)
              if (prev !== undefined) expect(last.get(f.stream)).toBe(prev);
            }
            last.set(f.stream, n);
          }
          expect(delivered.length + gate.dropped + (gate.hasPending ? 1 : 0)).toBe(frames.length);
        },
      ),
    );
  });
});
