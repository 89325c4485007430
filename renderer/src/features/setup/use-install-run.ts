/**
 * One install run as the page sees it: started with setup:install, followed through
 * setup:step / setup:log / setup:ended. The listeners live as long as the wizard (which
 * stays mounted once opened), so they are in place before install is called; events that
 * arrive before the run id is known wait in a RunInbox and are replayed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SetupEndedEvent, SetupPlanView } from '../../../../electron/shared/contract.js';
import { useApi, useApiEvent, useServicesLost } from '../../shared/api-context.js';
import { applyRunEvent, RunInbox, startRun, type RunEvent, type RunView } from './run-view.js';

export interface InstallRun {
  readonly view: RunView | null;
  /** The service went away while the run was going: how it ended is unknown. */
  readonly lost: boolean;
  /** True from the answer of setup:install until the run ended (or was lost). */
  readonly active: boolean;
  /** Calls setup:install; rejects when the service refuses (the view is then left as it was). */
  start(plan: SetupPlanView): Promise<string>;
  cancel(): Promise<void>;
  /** Forget the run shown (before a new one). */
  reset(): void;
}

export interface InstallRunOptions {
  /** The run's setup:ended came (once per run; the latest handler is used). */
  onEnded?(ended: SetupEndedEvent): void;
}

export function useInstallRun({ onEnded }: InstallRunOptions = {}): InstallRun {
  const api = useApi();
  const [view, setView] = useState<RunView | null>(null);
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
    setView((v) => (v === null ? v : applyRunEvent(v, e)));
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
    async (plan: SetupPlanView) => {
      runIdRef.current = null;
      const { runId } = await api.invoke('setup:install', { planId: plan.planId });
      runIdRef.current = runId;
      const early = inbox.current.take(runId);
      setLost(false);
      setView(early.reduce(applyRunEvent, startRun(plan, runId)));
      for (const e of early) if (e.type === 'ended') onEndedRef.current?.(e.ev);
      return runId;
    },
    [api],
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
