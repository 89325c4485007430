/** The cluster plan: the cluster id, the quorum, and every server's node.id, address, clock and steps — before anything runs. */
import type { ClusterPlanView } from '../../../../electron/shared/contract.js';
import { useServicesReady } from '../../shared/api-context.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import { skewText } from './cluster-form.js';
import { PlanStepsList } from './plan-steps-list.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';

export function ClusterPlanStep({
  plan,
  onBack,
  onInstall,
}: {
  plan: ClusterPlanView;
  onBack(): void;
  /** Starts the install; rejects when the service refuses. */
  onInstall(): Promise<void>;
}) {
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const steps = plan.nodes.reduce((n, x) => n + x.steps.length, 0);
  return (
    <div className="setup-screen" data-testid="cluster-plan">
      <p className="setup-lead">
        <strong>Nothing has run yet.</strong> This is everything the install will do: Kafka{' '}
        {plan.kafkaVersion} (KRaft) on {plan.nodes.length} servers, {steps} steps in all, one server
        after the other. Clients bootstrap from{' '}
        <code data-testid="cluster-plan-bootstrap">{plan.bootstrap}</code>. Steps already done on a
        server are checked and skipped, so running it again is safe.
      </p>
      <p data-testid="cluster-plan-id">
        Cluster id <code>{plan.clusterId}</code>{' '}
        {plan.clusterIdKept
          ? '— kept: the servers’ storage already belongs to this cluster.'
          : '— new, made for this cluster (each server’s storage is formatted with it).'}
      </p>
      <p className="help" data-testid="cluster-plan-quorum">
        {plan.quorum}
      </p>
      {plan.nodes.map((n, i) => (
        <details
          key={n.sessionId}
          className="setup-cluster-node"
          data-testid="cluster-plan-node"
          data-node-id={n.nodeId}
          open
        >
          <summary>
            <strong>
              Server {i + 1}: {n.host}
            </strong>{' '}
            — node.id {n.nodeId}, advertises <code>{n.advertise}:9092</code>, clock{' '}
            {skewText(n.clockSkewS)}, {n.steps.length} steps
            {n.warnings.length > 0 &&
              `, ${n.warnings.length} warning${n.warnings.length === 1 ? '' : 's'}`}
          </summary>
          {n.warnings.length > 0 && (
            <ul className="notes" data-testid="cluster-plan-warnings">
              {n.warnings.map((w) => (
                <li key={w} className="warning">
                  {w}
                </li>
              ))}
            </ul>
          )}
          <PlanStepsList steps={n.steps} testId="cluster-plan-step" />
        </details>
      ))}
      <p className="muted">
        Last, Kafka Video Studio checks from this computer: the controller quorum has a leader and
        every voter is caught up; every broker answers at its advertised address; test frames go
        through a topic replicated on the servers (acks=all) and come back.
      </p>
      <ErrorBox error={action.error} at="install" />
      <WizardNav
        back={{ onClick: onBack, disabled: action.pending }}
        next={{
          label: action.pending ? 'Starting…' : `Install on ${plan.nodes.length} servers`,
          testId: 'cluster-install',
          disabled: !servicesReady || action.pending,
          onClick: () => void action.run('install', onInstall),
        }}
      />
    </div>
  );
}
