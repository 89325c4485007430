/**
 * One install run as the page sees it: started with setup:install, followed through its events
 * (useRunEvents). The wizard stays mounted once opened, so the listeners are in place before
 * install is called.
 */
import { useCallback } from 'react';
import type { SetupEndedEvent, SetupPlanView } from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { applyRunEvent, startRun, type RunView } from './run-view.js';
import { useRunEvents, type FollowedRun } from './use-run-events.js';

export interface InstallRun extends Omit<FollowedRun<RunView>, 'start'> {
  /** Calls setup:install; rejects when the service refuses (the view is then left as it was). */
  start(plan: SetupPlanView): Promise<string>;
}

export interface InstallRunOptions {
  /** The run's setup:ended came (once per run; the latest handler is used). */
  onEnded?(ended: SetupEndedEvent): void;
}

export function useInstallRun({ onEnded }: InstallRunOptions = {}): InstallRun {
  const api = useApi();
  const run = useRunEvents(applyRunEvent, onEnded);
  const begin = run.start;
  const start = useCallback(
    (plan: SetupPlanView) =>
      begin(
        () => api.invoke('setup:install', { planId: plan.planId }),
        (runId) => startRun(plan, runId),
      ),
    [api, begin],
  );
  return { ...run, start };
}
