/** What the wizard found on the server, what that means, and start/stop for a Kafka already there. */
import { useId, useState } from 'react';
import type { ServiceState, SetupServerFacts } from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { describeService, factRows, factWarnings } from './server-facts.js';
import { ErrorBox, type SetupAction } from './setup-ui.js';

export function FactsPanel({
  facts,
  installDir,
  sessionId,
  action,
}: {
  facts: SetupServerFacts;
  installDir: string;
  sessionId: string;
  /** The screen's action: one call at a time, its error shown here when it is a service call. */
  action: SetupAction;
}) {
  const heading = useId();
  const rows = factRows(facts, installDir);
  const warnings = factWarnings(facts, installDir);
  return (
    <section className="setup-facts" data-testid="setup-facts" aria-labelledby={heading}>
      <h3 id={heading}>What is on the server</h3>
      <dl className="setup-fact-list">
        {rows.map((r) => (
          <div key={r.label} className={`fact-${r.tone}`}>
            <dt>{r.label}</dt>
            <dd>{r.value}</dd>
          </div>
        ))}
      </dl>
      {warnings.map((w) => (
        <p key={w} className="warning" data-testid="setup-fact-warning">
          {w}
        </p>
      ))}
      {warnings.length === 0 && (
        <p className="ok-text">Nothing stands in the way: this server can get Kafka.</p>
      )}
      {facts.kafkaVersion !== null && (
        <ServiceControls sessionId={sessionId} installDir={installDir} action={action} />
      )}
    </section>
  );
}

function ServiceControls({
  sessionId,
  installDir,
  action,
}: {
  sessionId: string;
  installDir: string;
  action: SetupAction;
}) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const [state, setState] = useState<ServiceState | null>(null);
  const [lastCall, setLastCall] = useState<string | null>(null);
  const heading = useId();

  const call = (what: 'status' | 'start' | 'stop') => {
    void action.run('service', async () => {
      setState(await api.invoke('setup:service', { sessionId, installDir, action: what }));
    });
  };
  const busy = (what: string) => action.running === 'service' && lastCall === what;
  const button = (what: 'status' | 'start' | 'stop', label: string, busyLabel: string) => (
    <button
      type="button"
      className="secondary"
      data-testid={`setup-service-${what}`}
      disabled={!servicesReady || action.pending}
      onClick={() => {
        setLastCall(what);
        call(what);
      }}
    >
      {busy(what) ? busyLabel : label}
    </button>
  );

  return (
    <div className="setup-service" aria-labelledby={heading}>
      <h3 id={heading}>The Kafka in {installDir}</h3>
      <div className="row wrap">
        {button('status', 'Is it running?', 'Asking…')}
        {button('start', 'Start', 'Starting…')}
        {button('stop', 'Stop', 'Stopping…')}
      </div>
      <p className="muted" data-testid="setup-service-state" role="status" aria-live="polite">
        {state === null ? 'Not asked yet.' : describeService(state)}
      </p>
      <ErrorBox error={action.error} at="service" />
    </div>
  );
}
