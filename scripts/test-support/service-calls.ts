/**
 * Test support for the app services' tests (never used by the app): typed calls that parse the
 * result with the contract, and an event recorder that can wait for an event.
 */
import {
  invoke,
  InvokeReply,
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../electron/shared/contract.js';
import type { ErrorPayload } from '../../electron/shared/contract.js';
import type { AppServices, ServiceEventArgs } from '../../electron/services/app-services.js';

export class CallFailed extends Error {
  constructor(readonly error: ErrorPayload) {
    super(`${error.code}: ${error.message}`);
  }
}

/** Call and return the result (checked against the contract's schema), or throw CallFailed. */
export async function call<C extends InvokeChannel>(
  services: AppServices,
  channel: C,
  args: InvokeArgs<C>,
): Promise<InvokeResult<C>> {
  const reply = InvokeReply.parse(await services.handle(channel, args));
  if (!reply.ok) throw new CallFailed(reply.error);
  return invoke[channel].result.parse(reply.result) as InvokeResult<C>;
}

/** Call and return the error payload; fails the test when the call succeeded. */
export async function callError(
  services: AppServices,
  channel: string,
  args: unknown,
): Promise<ErrorPayload> {
  const reply = InvokeReply.parse(await services.handle(channel, args));
  if (reply.ok)
    throw new Error(
      `${channel} succeeded but an error was expected: ${JSON.stringify(reply.result)}`,
    );
  return reply.error;
}

export interface Recorded {
  readonly channel: EventChannel;
  readonly payload: unknown;
}

export class EventLog {
  readonly all: Recorded[] = [];
  private waiters: Array<() => void> = [];

  constructor(services: AppServices) {
    services.onEvent((...[channel, payload]: ServiceEventArgs) => {
      this.all.push({ channel, payload });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  of<C extends EventChannel>(channel: C): Array<EventPayload<C>> {
    return this.all.filter((e) => e.channel === channel).map((e) => e.payload as EventPayload<C>);
  }

  /** Resolve with the first (already seen or future) event of `channel` matching `pred`. */
  async waitFor<C extends EventChannel>(
    channel: C,
    pred: (p: EventPayload<C>) => boolean,
    timeoutMs = 30_000,
  ): Promise<EventPayload<C>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.of(channel).find(pred);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching ${channel} event within ${timeoutMs} ms; saw ${JSON.stringify(this.of(channel).slice(-3))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Poll `check` until it is true (for counters that have no event of their own). */
export async function until(
  check: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
