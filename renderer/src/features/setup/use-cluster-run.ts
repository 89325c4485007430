/**
 * A cluster run followed from its setup:step / setup:log / setup:ended events: a cluster install
 * or a rolling restart (one hook each). As useInstallRun, events that come before the run id is
 * known wait in a RunInbox and are replayed.
 */
import { useCallback, useRef, useState } from 'react';
import { useApi, useApiEvent, useServicesLost } from '../../shared/api-context.js';
import { applyClusterEvent, type ClusterRunView } from './cluster-run-view.js';
import { RunInbox, type RunEvent } from './run-view.js';

export interface ClusterRun {
  readonly view: ClusterRunView | null;
  /** The service went away while the run was going: how it ended is unknown. */
  readonly lost: boolean;
  /** From the run's id until it ended (or was lost). */
  readonly active: boolean;
  /** Starts the run (`begin` calls the service); rejects when the service refuses. */
  start(
    begin: () => Promise<{ runId: string }>,
    rows: (runId: string) => ClusterRunView,
  ): Promise<string>;
  cancel(): Promise<void>;
  reset(): void;
}

export function useClusterRun(): ClusterRun {
  const api = useApi();
  const [view, setView] = useState<ClusterRunView | null>(null);
  const [lost, setLost] = useState(false);
  const runIdRef = useRef<string | null>(null);
  const inbox = useRef(new RunInbox());

  const onEvent = (e: RunEvent) => {
    if (e.ev.runId !== runIdRef.current) {
      inbox.current.push(e);
      return;
    }
    setView((v) => (v === null ? v : applyClusterEvent(v, e)));
  };
  useApiEvent('setup:step', (ev) => onEvent({ type: 'step', ev }));
  useApiEvent('setup:log', (ev) => onEvent({ type: 'log', ev }));
  useApiEvent('setup:ended', (ev) => onEvent({ type: 'ended', ev }));

  const active = view !== null && view.runId !== null && view.ended === null && !lost;
  useServicesLost(() => {
    if (active) setLost(true);
  });

  const start = useCallback(
    async (begin: () => Promise<{ runId: string }>, rows: (runId: string) => ClusterRunView) => {
      runIdRef.current = null;
      const { runId } = await begin();
      runIdRef.current = runId;
      const early = inbox.current.take(runId);
      setLost(false);
      setView(early.reduce(applyClusterEvent, rows(runId)));
      return runId;
    },
    [],
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
