/** The KvsClient for components, and hooks over it. */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useEffectEvent,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { EventChannel, EventPayload } from '../../../electron/shared/contract.js';
import { errorMessage } from '../transport/errors.js';
import type { KvsClient, TransportStatus } from '../transport/types.js';

const ApiContext = createContext<KvsClient | null>(null);

export function ApiProvider({ api, children }: { api: KvsClient; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): KvsClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside <ApiProvider>');
  return api;
}

export function useTransportStatus(): TransportStatus {
  const api = useApi();
  const subscribe = useCallback((onChange: () => void) => api.onStatus(onChange), [api]);
  const get = useCallback(() => api.getStatus(), [api]);
  return useSyncExternalStore(subscribe, get, get);
}

/** True when calls can reach the service right now. */
export function useServicesReady(): boolean {
  return useTransportStatus().state === 'open';
}

/**
 * Calls `onLost` when the service goes away (calls stop reaching it): what ran there for this page
 * (a viewer, a produce job, an install) will not report again. An event, not a state, so the
 * handler may set state; it always sees the latest props and state.
 */
export function useServicesLost(onLost: () => void): void {
  const api = useApi();
  const handler = useEffectEvent(onLost);
  useEffect(() => {
    let open = api.getStatus().state === 'open';
    return api.onStatus(() => {
      const now = api.getStatus().state === 'open';
      if (open && !now) handler();
      open = now;
    });
  }, [api]);
}

/** Subscribe to a service event for the component's lifetime; the latest handler is always used. */
export function useApiEvent<C extends EventChannel>(
  channel: C,
  handler: (payload: EventPayload<C>) => void,
): void {
  const api = useApi();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => api.on(channel, (payload) => ref.current(payload)), [api, channel]);
}

export interface Action {
  /** Runs fn; an error becomes `error` (never thrown). Resolves to fn's value or undefined. */
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
  readonly pending: boolean;
  readonly error: string | null;
  setError(message: string | null): void;
}

/** An async operation started from an event handler: pending flag + inline error, nothing escapes. */
export function useAction(): Action {
  const [pending, setPending] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setPending((n) => n + 1);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(errorMessage(err));
      return undefined;
    } finally {
      setPending((n) => n - 1);
    }
  }, []);
  return { run, pending: pending > 0, error, setError };
}

/**
 * Date.now(), refreshed every `ms` while `active` (at once when it becomes active). The clock is
 * an external store like the transport's status: read with useSyncExternalStore, never in render.
 */
export function useNow(active: boolean, ms = 1000): number {
  const [clock] = useState(() => new Clock());
  const subscribe = useCallback(
    (onTick: () => void) => (active ? clock.run(ms, onTick) : () => undefined),
    [clock, active, ms],
  );
  return useSyncExternalStore(subscribe, clock.read, clock.read);
}

class Clock {
  private now = Date.now();
  readonly read = (): number => this.now;

  /** Ticks now and every `ms` until the returned stop is called. */
  run(ms: number, onTick: () => void): () => void {
    const tick = () => {
      this.now = Date.now();
      onTick();
    };
    tick();
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  }
}
