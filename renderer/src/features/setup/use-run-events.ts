/**
 * A run followed from its setup:step / setup:log / setup:ended events, for the one-server install
 * and the cluster runs alike. The listeners live as long as the component, so they are in place
 * before the run starts; events that arrive before the run id is known wait in a RunInbox and are
 * replayed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SetupEndedEvent } from '../../../../electron/shared/contract.js';
import { useApi, useApiEvent, useServicesLost } from '../../shared/api-context.js';
import { RunInbox, type RunEvent } from './run-view.js';

/** What a run's view needs: its id (once known) and its end. */
export interface RunViewBase {
  readonly runId: string | null;
  readonly ended: SetupEndedEvent | null;
}

export interface FollowedRun<V extends RunViewBase> {
  readonly view: V | null;
  /** The service went away while the run was going: how it ended is unknown. */
  readonly lost: boolean;
  /** From the run's id until it ended (or was lost). */
  readonly active: boolean;
  /**
   * Starts the run (`begin` calls the service; `initial` is its view before any event); rejects
   * when the service refuses (the view is then left as it was).
   */
  start(begin: () => Promise<{ runId: string }>, initial: (runId: string) => V): Promise<string>;
  cancel(): Promise<void>;
  /** Forget the run shown (before a new one). */
  reset(): void;
}

/**
 * `apply` folds one event into the view (a module-level function: it is not expected to change);
 * `onEnded` hears the run's setup:ended (once per run; the latest handler is used).
 */
export function useRunEvents<V extends RunViewBase>(
  apply: (view: V, e: RunEvent) => V,
  onEnded?: (ended: SetupEndedEvent) => void,
): FollowedRun<V> {
  const api = useApi();
  const [view, setView] = useState<V | null>(null);
  const [lost, setLost] = useState(false);
  const runIdRef = useRef<string | null>(null);
  const inbox = useRef(new RunInbox());
  const onEndedRef = useRef(onEnded);
  useEffect(() => {
    onEndedRef.current = onEnded;
  });

  const onEvent = (e: RunEvent) => {
    if (e.ev.runId !== runIdRef.current) {
      inbox.current.push(e);
      return;
    }
    setView((v) => (v === null ? v : apply(v, e)));
    if (e.type === 'ended') onEndedRef.current?.(e.ev);
  };
  useApiEvent('setup:step', (ev) => onEvent({ type: 'step', ev }));
  useApiEvent('setup:log', (ev) => onEvent({ type: 'log', ev }));
  useApiEvent('setup:ended', (ev) => onEvent({ type: 'ended', ev }));

  const active = view !== null && view.runId !== null && view.ended === null && !lost;

  // The service went away mid-run: its events (and the end) will never reach this page.
  useServicesLost(() => {
    if (active) setLost(true);
  });

  const start = useCallback(
    async (begin: () => Promise<{ runId: string }>, initial: (runId: string) => V) => {
      runIdRef.current = null;
      const { runId } = await begin();
      runIdRef.current = runId;
      const early = inbox.current.take(runId);
      setLost(false);
      setView(early.reduce(apply, initial(runId)));
      for (const e of early) if (e.type === 'ended') onEndedRef.current?.(e.ev);
      return runId;
    },
    [apply],
  );

  const runId = view?.runId ?? null;
  const cancel = useCallback(async () => {
    if (runId === null) return;
    await api.invoke('setup:cancel', { runId });
  }, [api, runId]);

  const reset = useCallback(() => {
    runIdRef.current = null;
    setView(null);
    setLost(false);
  }, []);

  return { view, lost, active, start, cancel, reset };
}
