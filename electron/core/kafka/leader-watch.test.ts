import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KafkaHandle } from './client.js';
import { LeaderTracker, startLeaderWatch, type PartitionLeader } from './leader-watch.js';

const one = (leader: number): PartitionLeader[] => [{ partition: 0, leader }];

describe('LeaderTracker', () => {
  it('the first reading is not a move; a new leader is, with the old one and when', () => {
    const t = new LeaderTracker();
    expect(t.info()).toBeNull();
    expect(t.observe(one(1), 1000, 10)).toEqual([]);
    expect(t.info()).toEqual({ partition: 0, nodeId: 1, previous: null, movedAt: null });
    expect(t.observe(one(1), 2000, 20)).toEqual([]);
    expect(t.observe(one(2), 3000, 30)).toEqual([
      { partition: 0, nodeId: 2, previous: 1, movedAt: 3000 },
    ]);
    expect(t.info(0)).toEqual({ partition: 0, nodeId: 2, previous: 1, movedAt: 3000 });
  });

  it('no leader (an election under way) keeps the last one: 1 → none → 2 is one move, 1 → 2', () => {
    const t = new LeaderTracker();
    t.observe(one(1), 1000, 10);
    expect(t.observe(one(-1), 2000, 20)).toEqual([]);
    expect(t.info()?.nodeId).toBe(1);
    expect(t.observe(one(2), 3000, 30)).toEqual([
      { partition: 0, nodeId: 2, previous: 1, movedAt: 3000 },
    ]);
    // and back: a move of its own
    expect(t.observe(one(1), 4000, 40)).toEqual([
      { partition: 0, nodeId: 1, previous: 2, movedAt: 4000 },
    ]);
  });

  it('movedSince: only moves seen after the given time, of that partition (null: any)', () => {
    const t = new LeaderTracker();
    t.observe(
      [
        { partition: 0, leader: 1 },
        { partition: 1, leader: 2 },
      ],
      1000,
      10,
    );
    t.observe(
      [
        { partition: 0, leader: 1 },
        { partition: 1, leader: 3 },
      ],
      2000,
      20,
    );
    expect(t.movedSince(0, 0)).toBe(false);
    expect(t.movedSince(1, 15)).toBe(true);
    expect(t.movedSince(1, 20)).toBe(false);
    expect(t.movedSince(null, 15)).toBe(true);
  });

  it('of several partitions, info() is the one that moved last, else the lowest', () => {
    const t = new LeaderTracker();
    t.observe(
      [
        { partition: 1, leader: 2 },
        { partition: 0, leader: 1 },
      ],
      1000,
      10,
    );
    expect(t.info()?.partition).toBe(0);
    t.observe(
      [
        { partition: 1, leader: 3 },
        { partition: 0, leader: 1 },
      ],
      2000,
      20,
    );
    expect(t.info()).toEqual({ partition: 1, nodeId: 3, previous: 2, movedAt: 2000 });
    expect(t.info(0)).toEqual({ partition: 0, nodeId: 1, previous: null, movedAt: null });
    expect(t.info(7)).toBeNull();
  });
});

describe('startLeaderWatch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const handle = {} as KafkaHandle;

  it('reads at once, then every interval; faster while hurried; a failed read is skipped; reports moves', async () => {
    vi.useFakeTimers();
    const answers: Array<number | Error> = [1, 1, new Error('no answer'), 2, 2];
    let reads = 0;
    const changes: Array<number | null> = [];
    const watch = startLeaderWatch(handle, 't', {
      intervalMs: 5000,
      hurryIntervalMs: 1000,
      now: () => Date.now(),
      read: async () => {
        const a = answers[Math.min(reads++, answers.length - 1)];
        if (a instanceof Error) throw a;
        return one(a ?? 0);
      },
      onChange: (info) => changes.push(info?.previous ?? null),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(1);
    expect(watch.info()).toMatchObject({ nodeId: 1, previous: null });
    await vi.advanceTimersByTimeAsync(4999);
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads).toBe(2);
    const since = Date.now();
    const ac = new AbortController();
    const moved = watch.waitMoveSince(0, since, ac.signal);
    watch.hurry(true); // reads at once, then every second
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(3); // the failed one
    await vi.advanceTimersByTimeAsync(1000);
    expect(reads).toBe(4);
    await expect(moved).resolves.toMatchObject({ nodeId: 2, previous: 1 });
    expect(watch.movedSince(0, since)).toBe(true);
    expect(changes).toEqual([null, 1]);
    watch.hurry(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reads).toBe(5);
    await vi.advanceTimersByTimeAsync(4999);
    expect(reads).toBe(5);
    await watch.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reads).toBe(5);
  });

  it("onChange names the partitions that moved, so a producer acts only on its own partition's", async () => {
    vi.useFakeTimers();
    const readings = [
      [
        { partition: 0, leader: 1 },
        { partition: 2, leader: 1 },
      ],
      [
        { partition: 0, leader: 1 },
        { partition: 2, leader: 3 },
      ],
    ];
    let reads = 0;
    const calls: Array<{ info: number | null; moved: number[] }> = [];
    const watch = startLeaderWatch(handle, 't', {
      intervalMs: 1000,
      now: () => Date.now(),
      read: async () => readings[Math.min(reads++, readings.length - 1)] ?? [],
      onChange: (info, moves) =>
        calls.push({ info: info?.partition ?? null, moved: moves.map((m) => m.partition) }),
    });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    // the first reading is no move; then partition 2 moved (partition 0 did not)
    expect(calls).toEqual([
      { info: 0, moved: [] },
      { info: 2, moved: [2] },
    ]);
    expect(watch.info(0)).toMatchObject({ partition: 0, nodeId: 1, previous: null });
    expect(watch.info(2)).toMatchObject({ partition: 2, nodeId: 3, previous: 1 });
    expect(watch.movedSince(0, 0)).toBe(false);
    await watch.stop();
  });

  it('waitMoveSince resolves at once for a move seen already, and never once aborted', async () => {
    vi.useFakeTimers();
    let leader = 1;
    const watch = startLeaderWatch(handle, 't', {
      now: () => Date.now(),
      read: async () => one(leader),
    });
    await vi.advanceTimersByTimeAsync(0);
    const before = Date.now();
    await vi.advanceTimersByTimeAsync(10);
    leader = 2;
    const ac = new AbortController();
    let late = false;
    void watch.waitMoveSince(0, Date.now() + 1e9, ac.signal).then(() => (late = true));
    ac.abort();
    await vi.advanceTimersByTimeAsync(5000);
    await expect(
      watch.waitMoveSince(0, before, new AbortController().signal),
    ).resolves.toMatchObject({ nodeId: 2, previous: 1 });
    expect(late).toBe(false);
    await watch.stop();
  });

  it('on a move, reads the brokers the cluster lists before telling anyone; a failed read keeps the last list', async () => {
    vi.useFakeTimers();
    let leader = 1;
    const lists: Array<string[] | Error> = [['b:9092', 'c:9092'], new Error('no answer')];
    const seen: Array<readonly string[] | null> = [];
    const watch = startLeaderWatch(handle, 't', {
      intervalMs: 1000,
      now: () => Date.now(),
      read: async () => one(leader),
      readBrokers: async () => {
        const l = lists.shift();
        if (l instanceof Error || l === undefined) throw l ?? new Error('none');
        return l;
      },
      onChange: () => seen.push(watch.liveBrokers()),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(watch.liveBrokers()).toBeNull(); // no move yet: not read
    leader = 2;
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([null, ['b:9092', 'c:9092']]);
    leader = 3;
    await vi.advanceTimersByTimeAsync(1000);
    expect(watch.info()).toMatchObject({ nodeId: 3, previous: 2 });
    expect(watch.liveBrokers()).toEqual(['b:9092', 'c:9092']);
    await watch.stop();
  });
});
