import { describe, expect, it } from 'vitest';
import { FrameScheduler } from './frame-scheduler.js';

/** A decode we finish by hand, to play out races. */
function harness() {
  const resolvers: Array<{
    item: number;
    resolve: (v: string) => void;
    reject: (e: unknown) => void;
  }> = [];
  const log: string[] = [];
  const s = new FrameScheduler<number, string>({
    decode: (item) =>
      new Promise<string>((resolve, reject) => {
        resolvers.push({ item, resolve, reject });
      }),
    draw: (d) => {
      if (d === 'bad') throw new Error('draw failed');
      log.push(`draw ${d}`);
    },
    release: (d) => log.push(`release ${d}`),
    dropped: (item) => log.push(`drop ${item}`),
    failed: (item) => log.push(`fail ${item}`),
  });
  const finish = async (value?: string) => {
    const r = resolvers.shift();
    if (!r) throw new Error('nothing decoding');
    r.resolve(value ?? `d${r.item}`);
    await new Promise((res) => setTimeout(res, 0));
  };
  const fail = async () => {
    const r = resolvers.shift();
    if (!r) throw new Error('nothing decoding');
    r.reject(new Error('x'));
    await new Promise((res) => setTimeout(res, 0));
  };
  return { s, log, finish, fail, resolvers };
}

describe('FrameScheduler', () => {
  it('draws frames in order when it keeps up', async () => {
    const { s, log, finish } = harness();
    s.push(1);
    await finish();
    s.push(2);
    await finish();
    expect(log).toEqual(['draw d1', 'draw d2']);
  });

  it('newest frame wins while a decode is in progress', async () => {
    const { s, log, finish, resolvers } = harness();
    s.push(1);
    s.push(2);
    s.push(3);
    s.push(4);
    expect(resolvers.map((r) => r.item)).toEqual([1]);
    expect(log).toEqual(['drop 2', 'drop 3']);
    await finish();
    expect(resolvers.map((r) => r.item)).toEqual([4]);
    await finish();
    expect(log).toEqual(['drop 2', 'drop 3', 'draw d1', 'draw d4']);
    expect(s.decoding).toBe(false);
  });

  it('clear(): the waiting frame is forgotten and the decode in progress released, not drawn', async () => {
    const { s, log, finish, resolvers } = harness();
    s.push(1);
    s.push(2);
    s.clear();
    expect(s.hasWaiting).toBe(false);
    s.push(3); // a new session's frame waits for the old decode to end
    await finish();
    expect(log).toEqual(['release d1']);
    expect(resolvers.map((r) => r.item)).toEqual([3]);
    await finish();
    expect(log).toEqual(['release d1', 'draw d3']);
  });

  it('reports decode and draw failures and keeps going', async () => {
    const { s, log, finish, fail } = harness();
    s.push(1);
    s.push(2);
    await fail();
    await finish('bad');
    s.push(3);
    await finish();
    expect(log).toEqual(['fail 1', 'fail 2', 'draw d3']);
  });
});
