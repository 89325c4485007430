/**
 * How a cluster install ended. On success: the brokers, the quorum leader, the replicas in sync,
 * what changed, and one click to connect the app to the cluster (the same path as the Kafka
 * broker panel). On failure: which server and step, and the way back to the plan.
 */
import { useServicesReady } from '../../shared/api-context.js';
import { Status, StatusLine } from '../../shared/status.js';
import type { ClusterResultView } from './cluster-run-view.js';
import { RetryPlanButton } from './retry-plan-button.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import { useBrokerConnect } from './use-broker-connect.js';

export function ClusterResultPanel({
  view,
  changed,
  onRetry,
}: {
  view: ClusterResultView;
  /** The run's changed count (a re-run that changed nothing shows 0). */
  changed: number;
  /** Back to the review step with a fresh plan; rejects when the service refuses. */
  onRetry(): Promise<void>;
}) {
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const bootstrap = view.bootstrap ?? '';
  const { connectedHere, connecting, connect } = useBrokerConnect(bootstrap);
  if (!view.ok)
    return (
      <section className="setup-result" data-testid="cluster-result" data-ok="false">
        <h3>{view.headline}</h3>
        <div className="error-box" role="alert" data-testid="setup-error">
          <strong>{view.error?.message}</strong>
          {view.error?.detail && <div className="setup-error-detail">{view.error.detail}</div>}
        </div>
        <ul className="setup-result-lines">
          {view.lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
          <li data-testid="cluster-counts" data-changed={changed}>
            {view.counts}
          </li>
        </ul>
        <ErrorBox error={action.error} at="retry" />
        <RetryPlanButton testId="cluster-retry" action={action} onRetry={onRetry} />
      </section>
    );

  return (
    <section className="setup-result" data-testid="cluster-result" data-ok="true">
      <Status status="ok" headline={view.headline}>
        {view.lines.map((l) => (
          <StatusLine key={l}>{l}</StatusLine>
        ))}
        <StatusLine data-testid="cluster-counts" data-changed={changed}>
          {view.counts}
        </StatusLine>
      </Status>
      <ul className="notes" data-testid="cluster-result-brokers">
        {view.brokers.map((b) => (
          <li key={b}>{b}</li>
        ))}
      </ul>
      <p>
        Quorum leader:{' '}
        <strong data-testid="cluster-result-leader">
          {view.quorumLeader === null ? 'unknown' : `node ${view.quorumLeader}`}
        </strong>
        {view.inSync !== null && (
          <>
            {' · '}
            <span data-testid="cluster-result-insync">{view.inSync}</span>
          </>
        )}
      </p>
      <h3>Bootstrap addresses</h3>
      <div className="row wrap">
        <code className="setup-bootstrap" data-testid="cluster-bootstrap">
          {bootstrap}
        </code>
        <button
          type="button"
          data-testid="cluster-connect"
          disabled={!servicesReady || action.pending || connectedHere || bootstrap === ''}
          onClick={() => void action.run('connect', connect)}
        >
          {connectedHere
            ? 'Connected'
            : action.pending || connecting
              ? 'Connecting…'
              : 'Connect to it'}
        </button>
      </div>
      {connectedHere && (
        <p className="ok-text" data-testid="cluster-connected" role="status">
          Connected: the Kafka broker panel now lists the cluster&apos;s brokers and its quorum.
        </p>
      )}
      <ErrorBox error={action.error} at="connect" />
    </section>
  );
}
