import { describe, expect, it } from 'vitest';
import { KvsError } from '../../shared/errors.js';
import { SendBudget, type BrokerLinkState } from './send-budget.js';
import type { OutgoingMessage } from './wire-format.js';

const batch: OutgoingMessage[] = [{ key: 's', value: Buffer.from('x'), headers: {} }];
const gone = (): KvsError => new KvsError('BROKER_UNREACHABLE', 'connection refused');

/** A broker that is down from `downFrom` to `upAt` (fake ms), on a fake clock that sleeps advance. */
function rig(o: { downFrom: number; upAt: number; budgetMs: number; retriable?: boolean }) {
  let t = 0;
  let attempts = 0;
  const states: Array<[BrokerLinkState, number]> = [];
  const budget = new SendBudget(
    async () => {
      attempts++;
      t += 10; // each try takes 10 ms
      if (t >= o.downFrom && t < o.upAt)
        throw o.retriable === false ? new KvsError('FRAME_TOO_LARGE', 'too big') : gone();
    },
    {
      budgetMs: o.budgetMs,
      initialBackoffMs: 100,
      maxBackoffMs: 400,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      isRetriable: (e) => e instanceof KvsError && e.code === 'BROKER_UNREACHABLE',
      onState: (s) => states.push([s, t]),
    },
  );
  return {
    budget,
    states,
    get attempts() {
      return attempts;
    },
    get t() {
      return t;
    },
    set t(v: number) {
      t = v;
    },
  };
}

describe('SendBudget', () => {
  it('rides out an outage shorter than the budget: the batch is retried until acknowledged', async () => {
    const r = rig({ downFrom: 0, upAt: 1500, budgetMs: 5000 });
    await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
    expect(r.states.map(([s]) => s)).toEqual(['reconnecting', 'connected']);
    expect(r.budget.state).toBe('connected');
    expect(r.budget.retries).toBeGreaterThan(3);
    expect(r.budget.longestOutageMs).toBeGreaterThanOrEqual(1000);
  });

  it('gives a batch up once the outage outlasts the budget, then fails each batch at once until the broker is back', async () => {
    const r = rig({ downFrom: 0, upAt: 10_000, budgetMs: 1000 });
    await expect(r.budget.sendBatch(batch)).rejects.toMatchObject({ code: 'BROKER_UNREACHABLE' });
    expect(r.budget.state).toBe('down');
    expect(r.t).toBeGreaterThanOrEqual(1000);
    expect(r.t).toBeLessThan(1500); // the last wait is cut to the budget
    const before = r.attempts;
    await expect(r.budget.sendBatch(batch)).rejects.toMatchObject({ code: 'BROKER_UNREACHABLE' });
    expect(r.attempts - before).toBe(1); // down: one try, no waiting
    r.t = 10_000;
    await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
    expect(r.states.map(([s]) => s)).toEqual(['reconnecting', 'down', 'connected']);
  });

  it('starts a fresh budget for the next outage', async () => {
    const r = rig({ downFrom: 0, upAt: 500, budgetMs: 1000 });
    await r.budget.sendBatch(batch);
    r.t = 0; // the same broker goes away again: a new outage with the whole budget
    await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
    expect(r.states.map(([s]) => s)).toEqual([
      'reconnecting',
      'connected',
      'reconnecting',
      'connected',
    ]);
  });

  it('fails a non-retriable error at once', async () => {
    const r = rig({ downFrom: 0, upAt: 10_000, budgetMs: 5000, retriable: false });
    await expect(r.budget.sendBatch(batch)).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(r.attempts).toBe(1);
    expect(r.budget.state).toBe('connected');
  });

  it('stops waiting when cancelled: one try, then the failure', async () => {
    const ctl = new AbortController();
    ctl.abort();
    let attempts = 0;
    const budget = new SendBudget(
      () => {
        attempts++;
        return Promise.reject(gone());
      },
      { budgetMs: 60_000, signal: ctl.signal, isRetriable: () => true },
    );
    await expect(budget.sendBatch(batch)).rejects.toMatchObject({ code: 'BROKER_UNREACHABLE' });
    expect(attempts).toBe(1);
  });

  it('keeps going when a state listener throws', async () => {
    const r = new SendBudget(() => Promise.resolve(), {
      isRetriable: () => true,
      onState: () => {
        throw new Error('listener bug');
      },
    });
    await expect(r.sendBatch(batch)).resolves.toBeUndefined();
  });

  describe('a leader that moved', () => {
    const moved = (): KvsError => new KvsError('TIMEOUT', 'leader moved from broker 1 to 2');
    const isLeaderMove = (e: unknown): boolean =>
      e instanceof KvsError && e.message.startsWith('leader moved');

    function leaderRig(failures: Array<() => KvsError>) {
      let attempts = 0;
      let slept = 0;
      const states: BrokerLinkState[] = [];
      const budget = new SendBudget(
        async () => {
          const f = failures[attempts++];
          if (f) throw f();
        },
        {
          budgetMs: 20_000,
          now: () => slept,
          sleep: async (ms) => {
            slept += ms;
          },
          isRetriable: () => true,
          isLeaderMove,
          onState: (s) => states.push(s),
        },
      );
      return {
        budget,
        states,
        get attempts() {
          return attempts;
        },
        get slept() {
          return slept;
        },
      };
    }

    it('is tried again at once, with no change of state: the next try goes to the new leader', async () => {
      const r = leaderRig([moved]);
      await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
      expect(r.attempts).toBe(2);
      expect(r.slept).toBe(0);
      expect(r.states).toEqual([]);
      expect(r.budget.state).toBe('connected');
      expect(r.budget.retries).toBe(1);
    });

    it('a move still seen on the next tries (old metadata, an election) is tried twice more after a short pause, still quietly', async () => {
      const r = leaderRig([moved, moved, moved]);
      await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
      expect(r.attempts).toBe(4);
      expect(r.slept).toBe(300);
      expect(r.states).toEqual([]);
    });

    it('then it is an outage (reconnecting, then connected); any other failure ends the quiet tries', async () => {
      const r = leaderRig([moved, moved, moved, moved, gone]);
      await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
      expect(r.attempts).toBe(6);
      expect(r.states).toEqual(['reconnecting', 'connected']);
      const g = leaderRig([moved, gone, moved]);
      await expect(g.budget.sendBatch(batch)).resolves.toBeUndefined();
      expect(g.states).toEqual(['reconnecting', 'connected']);
    });

    it('not while reconnecting already: other errors and a move during an outage keep the back-off', async () => {
      const r = leaderRig([gone, moved]);
      await expect(r.budget.sendBatch(batch)).resolves.toBeUndefined();
      expect(r.states).toEqual(['reconnecting', 'connected']);
      expect(r.slept).toBeGreaterThan(0);
    });
  });

  it('nudge ends the back-off under way: the next try goes at once', async () => {
    let attempts = 0;
    const budget = new SendBudget(
      async () => {
        if (attempts++ === 0) throw gone();
      },
      { initialBackoffMs: 60_000, isRetriable: () => true },
    );
    const sending = budget.sendBatch(batch);
    await new Promise((r) => setTimeout(r, 20));
    expect(budget.state).toBe('reconnecting');
    budget.nudge();
    await expect(sending).resolves.toBeUndefined();
    expect(attempts).toBe(2);
    expect(budget.state).toBe('connected');
  });
});
