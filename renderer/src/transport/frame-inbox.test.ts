import { describe, expect, it } from 'vitest';
import { FrameInbox } from './frame-inbox.js';

function setup(opts: ConstructorParameters<typeof FrameInbox>[1] = {}) {
  const acks: string[] = [];
  const inbox = new FrameInbox((id) => acks.push(id), { inFlight: 2, jitterFrames: 0, ...opts });
  const buf = (n: number, size = 4) => {
    const b = new ArrayBuffer(size);
    new Uint8Array(b)[0] = n;
    return b;
  };
  const id = (b: ArrayBuffer) => new Uint8Array(b)[0];
  return { inbox, acks, buf, id };
}

const tick = () => Promise.resolve();

describe('FrameInbox', () => {
  it('passes frames straight through to a listener and forwards its acks', () => {
    const { inbox, acks, buf, id } = setup();
    const got: number[] = [];
    inbox.subscribe('v', (p) => got.push(id(p) ?? -1));
    inbox.receive('v', buf(1));
    inbox.receive('v', buf(2));
    expect(got).toEqual([1, 2]);
    expect(acks).toEqual([]);
    inbox.ack('v');
    inbox.ack('v');
    expect(acks).toEqual(['v', 'v']);
  });

  it('never has more than inFlight frames un-acked at the listener; extra frames wait in order', () => {
    const { inbox, acks, buf, id } = setup();
    const got: number[] = [];
    inbox.subscribe('v', (p) => got.push(id(p) ?? -1));
    for (let i = 1; i <= 4; i++) inbox.receive('v', buf(i));
    expect(got).toEqual([1, 2]);
    expect(acks).toEqual([]); // no jitter buffer: nothing is accepted early
    inbox.ack('v'); // 1 done → forwarded, 3 delivered
    expect(got).toEqual([1, 2, 3]);
    expect(acks).toEqual(['v']);
    inbox.ack('v');
    inbox.ack('v');
    inbox.ack('v');
    expect(got).toEqual([1, 2, 3, 4]);
    expect(acks).toHaveLength(4);
  });

  it('holds frames for a viewer nobody listens to yet, and plays them all once someone does', async () => {
    const { inbox, acks, buf, id } = setup();
    for (let i = 1; i <= 5; i++) inbox.receive('v', buf(i));
    expect(acks).toHaveLength(5);
    expect(inbox.held('v')).toBe(5);
    const got: number[] = [];
    inbox.subscribe('v', (p) => got.push(id(p) ?? -1));
    await tick();
    while (got.length < 5) inbox.ack('v');
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it('stops accepting past the cap, so the host goes back to newest-wins', () => {
    const { inbox, acks, buf } = setup({ maxBacklog: 3 });
    for (let i = 1; i <= 5; i++) inbox.receive('v', buf(i));
    expect(acks).toHaveLength(3);
    expect(inbox.held('v')).toBe(5);
  });

  it('caps the bytes held too', () => {
    const { inbox, acks, buf } = setup({ maxBacklogBytes: 10 });
    inbox.receive('v', buf(1, 6));
    inbox.receive('v', buf(2, 6));
    expect(acks).toHaveLength(1);
  });

  it('forgets a viewer when its last listener leaves, and old idle viewers', () => {
    const { inbox, buf } = setup({ maxIdleViewers: 2 });
    const off = inbox.subscribe('v', () => undefined);
    off();
    inbox.receive('a', buf(1));
    inbox.receive('b', buf(1));
    inbox.receive('c', buf(1));
    expect(inbox.held('a')).toBe(0);
    expect(inbox.held('b')).toBe(1);
    expect(inbox.held('c')).toBe(1);
  });

  it('forwards an ack for a viewer it does not know (nothing to reconcile)', () => {
    const { inbox, acks } = setup();
    inbox.ack('x');
    expect(acks).toEqual(['x']);
  });

  it('jitter buffer: accepts frames on arrival while the page holds few, so a short stall loses nothing', () => {
    const { inbox, acks, buf, id } = setup({ jitterFrames: 3 });
    const got: number[] = [];
    inbox.subscribe('v', (p) => got.push(id(p) ?? -1));
    inbox.receive('v', buf(1));
    expect(acks).toEqual(['v']); // accepted at once: the host's gate stays open
    // the page stalls: the first 3 held are accepted, later ones are left to the host's gate
    for (let i = 2; i <= 7; i++) inbox.receive('v', buf(i));
    expect(got).toEqual([1, 2]);
    expect(acks).toHaveLength(3);
    // the page catches up: accepted frames are not acked twice, the others are
    for (let i = 0; i < 7; i++) inbox.ack('v');
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(acks).toHaveLength(7);
  });
});
