/**
 * The producer's retry budget. kafkajs retries a send a few times within about a second; a
 * broker restart takes several seconds, so on its own kafkajs would give up on the frames in
 * flight. This wraps each batch send:
 *
 * - `connected`: sends go straight through.
 * - `reconnecting`: a send failed with a retriable error (broker gone, timeout, leader moving).
 *   The same batch is tried again with back-off until it is acknowledged or `budgetMs` has
 *   passed since the outage began. Frames wait in the ordered queue meanwhile (bounded, with
 *   backpressure to the source), so a restart shorter than the budget loses nothing.
 * - `down`: the outage outlasted the budget. Each batch is tried once and, if the broker is
 *   still gone, counted as not delivered at once — the stream keeps going and the count is exact.
 *   The first acknowledged send returns to `connected`.
 *
 * A leader that moved (`isLeaderMove`: the broker said it no longer leads, or the producer gave up
 * waiting on the old leader) is not an outage: while connected, the batch is tried again at once
 * without a change of state — the next try goes to the new leader — and, should the metadata still
 * name the old one or an election still run (LEADER_NOT_AVAILABLE), again after LEADER_RETRY_MS
 * and twice that: what kafkajs's own retries used to absorb before they were turned off
 * (producer.ts). Only when those fail too does the link count as reconnecting.
 *
 * A non-retriable error (frame too large, topic refused) fails the batch at once.
 * Cancelling stops the waiting: a batch is tried once more, at most.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { OutgoingMessage } from './wire-format.js';

/** Quiet tries after a leader move: at once, then after these pauses (ms). */
export const LEADER_RETRY_MS = [0, 100, 200] as const;

export type BrokerLinkState = 'connected' | 'reconnecting' | 'down';

export interface SendBudgetOptions {
  /** How long one outage may last before frames are counted as not delivered (default 20 s). */
  readonly budgetMs?: number;
  /** First wait between tries; doubles up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Every change of state; `error` is the failure that caused reconnecting/down. */
  readonly onState?: (state: BrokerLinkState, error: unknown) => void;
  /** Which failures are worth another try. */
  readonly isRetriable: (error: unknown) => boolean;
  /** Which failures say the partition's leader moved (tried again at once, quietly; see above). */
  readonly isLeaderMove?: (error: unknown) => boolean;
}

export const DEFAULT_SEND_BUDGET_MS = 20_000;

/** Wait `ms`, or less when `signal` aborts (never rejects). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}

export class SendBudget {
  private current: BrokerLinkState = 'connected';
  /** When the current outage began (now() units), or null while connected. */
  private outageSince: number | null = null;
  private readonly budgetMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Longest outage seen so far, in ms (for the report). */
  longestOutageMs = 0;
  /** Sends that were tried again after a retriable failure. */
  retries = 0;
  /** Aborted by nudge(): ends the back-off under way. */
  private wake = new AbortController();

  constructor(
    private readonly send: (messages: OutgoingMessage[]) => Promise<void>,
    private readonly opts: SendBudgetOptions,
  ) {
    this.budgetMs = opts.budgetMs ?? DEFAULT_SEND_BUDGET_MS;
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? abortableSleep;
  }

  get state(): BrokerLinkState {
    return this.current;
  }

  /**
   * Try again now rather than at the end of the back-off: something says the next try may go
   * through (e.g. the partition has a new leader).
   */
  nudge(): void {
    this.wake.abort();
    this.wake = new AbortController();
  }

  /** Send one batch: resolves when acknowledged, rejects when it is not delivered. */
  readonly sendBatch = async (messages: OutgoingMessage[]): Promise<void> => {
    let backoff = this.opts.initialBackoffMs ?? 250;
    let quiet = this.current === 'connected' ? 0 : LEADER_RETRY_MS.length;
    for (;;) {
      try {
        await this.send(messages);
        this.setState('connected', null);
        return;
      } catch (error) {
        if (!this.opts.isRetriable(error)) throw error;
        const t = this.now();
        this.outageSince ??= t;
        const pause = LEADER_RETRY_MS[quiet];
        if (
          pause !== undefined &&
          this.opts.isLeaderMove?.(error) === true &&
          !this.opts.signal?.aborted
        ) {
          quiet += 1;
          this.retries++;
          if (pause > 0) await this.sleep(pause, this.opts.signal ?? this.wake.signal);
          continue;
        }
        quiet = LEADER_RETRY_MS.length;
        this.longestOutageMs = Math.max(this.longestOutageMs, t - this.outageSince);
        const overBudget = t - this.outageSince >= this.budgetMs;
        if (overBudget || this.current === 'down' || this.opts.signal?.aborted) {
          if (overBudget || this.current === 'down') this.setState('down', error);
          throw error;
        }
        this.setState('reconnecting', error);
        this.retries++;
        const wake = this.wake.signal;
        await this.sleep(
          Math.min(backoff, this.budgetMs - (t - this.outageSince)),
          this.opts.signal ? AbortSignal.any([this.opts.signal, wake]) : wake,
        );
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 2000);
      }
    }
  };

  private setState(state: BrokerLinkState, error: unknown): void {
    if (state === 'connected') this.outageSince = null;
    if (state === this.current) return;
    this.current = state;
    try {
      this.opts.onState?.(state, error);
    } catch {
      // a listener's failure never stops the stream
    }
  }
}
