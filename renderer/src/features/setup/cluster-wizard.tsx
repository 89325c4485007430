/**
 * The wizard's cluster path (issue 16): servers and logins → options → the plan for every server
 * → the install node by node, then the checks from this computer → the end, with "Connect to it"
 * and the cluster's servers (start / stop / restart each, rolling restart).
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  SETUP_DEFAULTS,
  type ClusterPlanRequest,
  type ClusterPlanView,
} from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import {
  DEFAULT_CLUSTER_OPTIONS,
  defaultServersForm,
  resizeServers,
  type ClusterSize,
} from './cluster-form.js';
import { ClusterLoginStep } from './cluster-login-step.js';
import { ClusterOptionsStep } from './cluster-options-step.js';
import { ClusterPlanStep } from './cluster-plan-step.js';
import { ClusterProgress } from './cluster-progress.js';
import { ClusterResultPanel } from './cluster-result-panel.js';
import { clusterResultView, startClusterInstall } from './cluster-run-view.js';
import { ClusterServersPanel } from './cluster-servers-panel.js';
import type { SetupSession } from './server-form.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import { useClusterRun } from './use-cluster-run.js';
import type { Tarball } from './use-tarball.js';

export const CLUSTER_STEPS = [
  { name: 'servers', label: 'Servers & logins' },
  { name: 'options', label: 'Options' },
  { name: 'review', label: 'Review plan' },
  { name: 'install', label: 'Install' },
  { name: 'done', label: 'Done' },
] as const;
export type ClusterStep = (typeof CLUSTER_STEPS)[number]['name'];

interface PlanState {
  readonly view: ClusterPlanView;
  readonly request: ClusterPlanRequest;
}

export function ClusterWizard({
  size,
  tarball,
  onStep,
  onBusy,
}: {
  size: ClusterSize;
  tarball: Tarball;
  /** Where the wizard is (for the step indicator). */
  onStep(step: ClusterStep): void;
  /** Logged in to a server or running: the kind of setup can't change now. */
  onBusy(busy: boolean): void;
}) {
  const api = useApi();
  const [step, setStep] = useState<ClusterStep>('servers');
  const [servers, setServers] = useState(() => defaultServersForm(size));
  const [sessions, setSessions] = useState<readonly (SetupSession | null)[]>(() =>
    Array.from({ length: size }, () => null),
  );
  const [options, setOptions] = useState(DEFAULT_CLUSTER_OPTIONS);
  const [plan, setPlan] = useState<PlanState | null>(null);
  const run = useClusterRun();
  const replanAction = useSetupAction();

  // 3 ↔ 5 servers (only while logged in to none): adjusted while rendering, the React way
  const [shownSize, setShownSize] = useState(size);
  if (shownSize !== size) {
    setShownSize(size);
    setServers((f) => resizeServers(f, size));
    setSessions((list) => Array.from({ length: size }, (_, i) => list[i] ?? null));
  }

  const loggedIn = useMemo(
    () => (sessions.every((s) => s !== null) ? (sessions as readonly SetupSession[]) : null),
    [sessions],
  );
  const anyIn = sessions.some((s) => s !== null);
  useEffect(() => onBusy(anyIn || run.active), [anyIn, run.active, onBusy]);

  const finished = run.view !== null && (run.view.ended !== null || run.lost);
  const current: ClusterStep =
    step === 'servers' || loggedIn === null
      ? 'servers'
      : step === 'options' || plan === null
        ? 'options'
        : step === 'review' || run.view === null
          ? 'review'
          : finished
            ? 'done'
            : 'install';
  useEffect(() => onStep(current), [current, onStep]);

  const setSession = (i: number, s: SetupSession | null) =>
    setSessions((list) => list.map((x, j) => (j === i ? s : x)));

  const logOutAll = async () => {
    const ids = sessions.flatMap((s) => (s === null ? [] : [s.sessionId]));
    try {
      for (const sessionId of ids) await api.invoke('setup:disconnect', { sessionId });
    } finally {
      setSessions((list) => list.map(() => null));
      setPlan(null);
      run.reset();
      setStep('servers');
    }
  };

  const install = async () => {
    if (plan === null) return;
    const view = plan.view;
    await run.start(
      () => api.invoke('setup:cluster-install', { planId: view.planId }),
      (runId) => startClusterInstall(view, runId),
    );
    setStep('install');
  };

  /** A fresh plan (the servers' storage read again), back to the review step. */
  const replan = async () => {
    if (plan === null) return;
    const view = await api.invoke('setup:cluster-plan', plan.request);
    setPlan({ view, request: plan.request });
    run.reset();
    setStep('review');
  };

  let screen: ReactNode = null;
  switch (current) {
    case 'servers':
      screen = (
        <>
          <ClusterLoginStep
            form={servers}
            setForm={setServers}
            sessions={sessions}
            setSession={setSession}
            logOutAll={logOutAll}
            onNext={() => setStep('options')}
          />
          {/* coming back to a cluster installed before: its servers without a new install */}
          {loggedIn?.every((s) => s.facts.kafkaVersion !== null) === true && (
            <ClusterServersPanel
              sessions={loggedIn}
              nodeIds={null}
              installDir={SETUP_DEFAULTS.installDir}
              bootstrap={loggedIn
                .map((s) => `${s.target.host}:${SETUP_DEFAULTS.kafkaPort}`)
                .join(',')}
            />
          )}
        </>
      );
      break;
    case 'options':
      screen = loggedIn && (
        <ClusterOptionsStep
          form={options}
          setForm={setOptions}
          nodes={loggedIn.map((s) => ({
            sessionId: s.sessionId,
            host: s.target.host,
            facts: s.facts,
          }))}
          tarball={tarball}
          onPlanned={(view, request) => {
            setPlan({ view, request });
            setStep('review');
          }}
          onBack={() => setStep('servers')}
        />
      );
      break;
    case 'review':
      screen = plan && (
        <ClusterPlanStep plan={plan.view} onBack={() => setStep('options')} onInstall={install} />
      );
      break;
    case 'install':
    case 'done': {
      const result = run.view && plan ? clusterResultView(run.view, plan.view) : null;
      screen = run.view && plan && (
        <div className="setup-screen">
          {result !== null && (
            <ClusterResultPanel
              view={result}
              changed={run.view.ended?.changed ?? 0}
              onRetry={replan}
            />
          )}
          {run.lost && (
            <div className="error-box" role="alert" data-testid="setup-error">
              <strong>Lost contact with the service during the install.</strong>
              <div className="setup-error-detail">
                How it ended is unknown. Running it again is safe: finished steps report “already
                done” and are skipped.
              </div>
            </div>
          )}
          <ClusterProgress
            run={run.view}
            active={run.active}
            onCancel={run.cancel}
            what="install"
            testId="cluster-run"
          />
          {result?.ok === true && loggedIn && (
            <ClusterServersPanel
              sessions={loggedIn}
              nodeIds={plan.view.nodes.map((n) => n.nodeId)}
              installDir={plan.request.installDir}
              bootstrap={result.bootstrap ?? plan.view.bootstrap}
            />
          )}
          <ErrorBox error={replanAction.error} at="replan" />
          {current === 'done' && (
            <WizardNav
              back={{
                label: 'Change the choices',
                onClick: () => {
                  run.reset();
                  setStep('options');
                },
              }}
              next={
                result?.ok === true
                  ? {
                      label: replanAction.pending ? 'Making the plan…' : 'Make the plan again',
                      testId: 'cluster-replan',
                      disabled: replanAction.pending,
                      onClick: () => void replanAction.run('replan', replan),
                    }
                  : undefined
              }
            />
          )}
        </div>
      );
      break;
    }
  }
  return screen;
}
