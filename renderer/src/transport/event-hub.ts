/**
 * Contract events on the page, for either transport: listeners per channel; every payload is
 * parsed with the contract's event schema first, and an invalid one (or an unknown channel) is
 * ignored with a warning, never thrown. A listener that throws does not stop the others.
 */
import {
  events as eventSchemas,
  isEventChannel,
  type EventChannel,
  type EventPayload,
} from '../../../electron/shared/contract.js';

export class EventHub {
  private readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();

  constructor(private readonly log: Pick<Console, 'warn' | 'error'>) {}

  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    this.listeners.set(channel, set);
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** An event from the service, not yet trusted. */
  dispatch(channel: string, payload: unknown): void {
    if (!isEventChannel(channel)) {
      this.log.warn(`kvs: ignored an event on unknown channel "${channel}"`);
      return;
    }
    const parsed = eventSchemas[channel].safeParse(payload);
    if (!parsed.success) {
      this.log.warn(`kvs: ignored an invalid "${channel}" event`, parsed.error.issues);
      return;
    }
    for (const l of [...(this.listeners.get(channel) ?? [])]) {
      try {
        l(parsed.data);
      } catch (err) {
        this.log.error(`kvs: a "${channel}" listener failed`, err);
      }
    }
  }
}
