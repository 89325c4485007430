/**
 * The setup wizard: install ZooKeeper + Kafka on an Ubuntu server over SSH, verified from
 * this computer. Server → login → mode & version → review plan → install → done.
 *
 * It holds every step's state itself and is kept mounted (hidden) once opened, so closing
 * it loses nothing: an install keeps running on the service and is still followed here.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type {
  SavedServer,
  SetupPlanRequest,
  SetupPlanView,
} from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { errorMessage } from '../../transport/errors.js';
import { FeatureBoundary } from '../../shared/error-boundary.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import { queryKeys } from '../../shared/queries.js';
import { InstallProgress } from './install-step.js';
import { LoginStep } from './login-step.js';
import { OptionsStep } from './options-step.js';
import { PlanStep } from './plan-step.js';
import { ResultPanel } from './result-panel.js';
import { ServerStep } from './server-step.js';
import { DEFAULT_LOGIN_FORM, defaultAuthKind, withoutSecrets } from './login-form.js';
import { DEFAULT_OPTIONS_FORM } from './options-form.js';
import {
  DEFAULT_SERVER_FORM,
  findSaved,
  sameServer,
  serverLabel,
  type ServerTarget,
  type SetupSession,
} from './server-form.js';
import { stepIndex, WIZARD_STEPS, type WizardStep } from './wizard-steps.js';
import { RadioGroup } from '../../shared/choice-fields.js';
import { clusterSize, SETUP_KIND_OPTIONS, type SetupKind } from './cluster-form.js';
import { CLUSTER_STEPS, ClusterWizard, type ClusterStep } from './cluster-wizard.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import { useInstallRun } from './use-install-run.js';
import { useTarball } from './use-tarball.js';

interface PlanState {
  readonly view: SetupPlanView;
  readonly request: SetupPlanRequest;
}

export function SetupWizard({ open, onClose }: { open: boolean; onClose(): void }) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const heading = useId();
  const headingRef = useRef<HTMLHeadingElement | null>(null);

  const [kind, setKind] = useState<SetupKind>('one');
  const [clusterStep, setClusterStep] = useState<ClusterStep>('servers');
  const [clusterBusy, setClusterBusy] = useState(false);
  const [step, setStep] = useState<WizardStep>('server');
  const [server, setServer] = useState(DEFAULT_SERVER_FORM);
  const [target, setTarget] = useState<ServerTarget | null>(null);
  const [login, setLogin] = useState(DEFAULT_LOGIN_FORM);
  const [session, setSession] = useState<SetupSession | null>(null);
  const [options, setOptions] = useState(DEFAULT_OPTIONS_FORM);
  const [plan, setPlan] = useState<PlanState | null>(null);
  const tarball = useTarball();
  const run = useInstallRun({
    // Installed: the server now has that Kafka (start/stop become available on the login step).
    onEnded: (ended) => {
      if (!ended.ok || plan === null) return;
      const kafkaVersion = plan.view.kafkaVersion;
      const factsDir = plan.request.installDir;
      setSession((s) =>
        s === null || (s.facts.kafkaVersion === kafkaVersion && s.factsDir === factsDir)
          ? s
          : { ...s, factsDir, facts: { ...s.facts, kafkaVersion } },
      );
    },
  });
  const disconnectAction = useSetupAction();

  // The saved servers: read again each time the wizard opens (and the service is there).
  const savedQuery = useQuery({
    queryKey: queryKeys.savedServers,
    queryFn: () => api.invoke('setup:saved-servers', {}),
    enabled: open && servicesReady,
  });
  const { refetch: refetchSaved } = savedQuery;
  /** Rejects when the list cannot be read. */
  const loadSaved = useCallback(async () => {
    await refetchSaved({ throwOnError: true });
  }, [refetchSaved]);
  const saved = savedQuery.data ?? null;
  const savedError = savedQuery.error === null ? null : errorMessage(savedQuery.error);

  // Each time the wizard opens: focus on the title.
  useEffect(() => {
    if (open) headingRef.current?.focus();
  }, [open]);

  const servers = saved?.servers ?? [];
  const savedMatch = findSaved(servers, target);

  // Where the wizard really is: a step needs what the steps before it produced, and an install
  // that ended (or whose host went away) shows how it ended.
  const finished = run.view !== null && (run.view.ended !== null || run.lost);
  const current: WizardStep =
    step === 'server' || target === null
      ? 'server'
      : step === 'login' || session === null
        ? 'login'
        : step === 'mode' || plan === null
          ? 'mode'
          : step === 'review' || run.view === null
            ? 'review'
            : step === 'install' && finished
              ? 'done'
              : step;

  const onServerNext = (t: ServerTarget) => {
    if (target === null || !sameServer(target, t)) {
      setLogin((f) => ({ ...withoutSecrets(f), kind: defaultAuthKind(findSaved(servers, t)) }));
    }
    setTarget(t);
    setStep('login');
  };

  const onPickSaved = (s: SavedServer) => {
    setServer({ host: s.host, port: String(s.port), user: s.user });
    setLogin((f) => ({ ...withoutSecrets(f), kind: defaultAuthKind(s) }));
  };

  const onConnected = (s: SetupSession) => {
    setSession(s);
    setLogin(withoutSecrets);
    loadSaved().catch(() => undefined);
  };

  const disconnect = () => {
    const s = session;
    if (s === null) return;
    void disconnectAction.run('disconnect', async () => {
      try {
        await api.invoke('setup:disconnect', { sessionId: s.sessionId });
      } finally {
        setSession(null);
        setPlan(null);
        run.reset();
        if (stepIndex(step) > stepIndex('login')) setStep('login');
      }
    });
  };

  const install = async () => {
    if (plan === null) return;
    await run.start(plan.view);
    setStep('install');
  };

  const retry = async () => {
    if (plan === null) return;
    const view = await api.invoke('setup:plan', plan.request);
    setPlan({ view, request: plan.request });
    run.reset();
    setStep('review');
  };

  const cluster = clusterSize(kind);
  let screen: ReactNode;
  switch (current) {
    case 'server':
      screen = (
        <ServerStep
          form={server}
          onChange={setServer}
          servers={servers}
          savedError={savedError}
          reloadSaved={loadSaved}
          locked={session !== null}
          onPickSaved={onPickSaved}
          onNext={onServerNext}
        />
      );
      break;
    case 'login':
      screen = target && (
        <LoginStep
          target={target}
          saved={savedMatch}
          canRemember={saved?.canRemember ?? false}
          form={login}
          setForm={setLogin}
          session={session}
          onConnected={onConnected}
          onBack={() => setStep('server')}
          onNext={() => setStep('mode')}
        />
      );
      break;
    case 'mode':
      screen = session && (
        <OptionsStep
          form={options}
          setForm={setOptions}
          sessionId={session.sessionId}
          host={session.target.host}
          facts={session.facts}
          factsDir={session.factsDir}
          tarball={tarball}
          onPlanned={(view, request) => {
            setPlan({ view, request });
            setStep('review');
          }}
          onBack={() => setStep('login')}
        />
      );
      break;
    case 'review':
      screen = plan && (
        <PlanStep
          plan={plan.view}
          host={target?.host ?? ''}
          onBack={() => setStep('mode')}
          onInstall={install}
        />
      );
      break;
    case 'install':
    case 'done':
      screen = run.view && plan && (
        <div className="setup-screen">
          {current === 'done' && (
            <ResultPanel
              run={run.view}
              lost={run.lost}
              plan={plan.view}
              host={target?.host ?? ''}
              scramPassword={plan.request.secure?.scramPassword ?? null}
              onRetry={retry}
            />
          )}
          <InstallProgress run={run.view} active={run.active} onCancel={run.cancel} />
          {current === 'done' && !run.active && (
            <WizardNav
              back={{
                label: 'Change the choices',
                onClick: () => {
                  run.reset();
                  setStep('mode');
                },
              }}
            />
          )}
        </div>
      );
      break;
  }

  return (
    <section className="card setup-wizard" aria-labelledby={heading} data-testid="setup-wizard">
      <div className="area-head">
        <h2 id={heading} ref={headingRef} tabIndex={-1} className="area-title">
          Set up a server
        </h2>
        <button type="button" className="secondary" data-testid="setup-close" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted setup-intro">
        Install Kafka on an Ubuntu server over SSH — or a KRaft cluster on 3 or 5 — verified from
        this computer.
        {run.active && ' Closing this keeps the install running; open it again to follow it.'}
      </p>
      <fieldset
        className="group setup-kind"
        disabled={session !== null || run.active || clusterBusy}
        title={
          session !== null || clusterBusy
            ? 'Log out of the servers first to set up something else'
            : undefined
        }
      >
        <legend>What to set up</legend>
        <RadioGroup<SetupKind>
          label="What to set up"
          value={kind}
          onChange={setKind}
          options={SETUP_KIND_OPTIONS.map((o) => ({ ...o, testId: `setup-kind-${o.value}` }))}
        />
      </fieldset>
      {cluster !== null ? (
        <>
          <StepIndicator steps={CLUSTER_STEPS} current={clusterStep} />
          <FeatureBoundary name="Set up a cluster">
            <ClusterWizard
              size={cluster}
              tarball={tarball}
              onStep={setClusterStep}
              onBusy={setClusterBusy}
            />
          </FeatureBoundary>
        </>
      ) : (
        <>
          <StepIndicator steps={WIZARD_STEPS} current={current} />
          {session !== null && (
            <div className="setup-session">
              <span>
                Logged in to <strong className="mono">{serverLabel(session.target)}</strong>
              </span>
              <button
                type="button"
                className="link"
                data-testid="setup-disconnect"
                disabled={run.active || disconnectAction.pending}
                title={run.active ? 'Wait until the install has ended' : undefined}
                onClick={disconnect}
              >
                {disconnectAction.pending ? 'Disconnecting…' : 'Disconnect from server'}
              </button>
            </div>
          )}
          <ErrorBox error={disconnectAction.error} at="disconnect" />
          <FeatureBoundary name={`Set up a server: ${stepLabel(current)}`}>
            {screen}
          </FeatureBoundary>
        </>
      )}
    </section>
  );
}

function stepLabel(step: WizardStep): string {
  return WIZARD_STEPS.find((s) => s.name === step)?.label ?? step;
}

function StepIndicator<S extends string>({
  steps,
  current,
}: {
  steps: readonly { readonly name: S; readonly label: string }[];
  current: S;
}) {
  const at = steps.findIndex((s) => s.name === current);
  return (
    <ol className="setup-steps" data-testid="setup-steps" aria-label="Setup steps">
      {steps.map((s, i) => (
        <li
          key={s.name}
          data-testid={`setup-step-${s.name}`}
          aria-current={i === at ? 'step' : undefined}
          className={i < at ? 'setup-step-done' : i === at ? 'setup-step-current' : undefined}
        >
          <span className="setup-step-num" aria-hidden="true">
            {i + 1}
          </span>
          {s.label}
        </li>
      ))}
    </ol>
  );
}
