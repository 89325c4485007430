/** Step 4: every step and command of the install, before anything runs. */
import type { SetupPlanView } from '../../../../electron/shared/contract.js';
import { useServicesReady } from '../../shared/api-context.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import { modeLabel } from './options-form.js';
import { PlanStepsList } from './plan-steps-list.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';

export function PlanStep({
  plan,
  host,
  onBack,
  onInstall,
}: {
  plan: SetupPlanView;
  host: string;
  onBack(): void;
  /** Starts the install; rejects when the service refuses. */
  onInstall(): Promise<void>;
}) {
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const sudoSteps = plan.steps.filter((s) => s.sudo).length;
  return (
    <div className="setup-screen" data-testid="setup-plan">
      <p className="setup-lead">
        <strong>Nothing has run yet.</strong> This is everything the install will do on{' '}
        <span className="mono">{host}</span>: Kafka {plan.kafkaVersion} ({modeLabel(plan.mode)}),{' '}
        {plan.steps.length} steps, {sudoSteps} of them with <code>sudo</code>. Kafka will announce{' '}
        <code>advertised.listeners=PLAINTEXT://{plan.bootstrap}</code>, so every client bootstraps
        from <code>{plan.bootstrap}</code>. Steps already done on the server are checked and
        skipped, so running it again is safe.
      </p>
      {plan.notes.length > 0 && (
        <ul className="notes" data-testid="setup-plan-notes">
          {plan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <PlanStepsList steps={plan.steps} testId="setup-plan-step" />
      <p className="muted">
        Last, Kafka Video Studio checks from this computer: it connects to{' '}
        <code>{plan.bootstrap}</code>, sends a few frames and reads them back.
      </p>
      <ErrorBox error={action.error} at="install" />
      <WizardNav
        back={{ onClick: onBack, disabled: action.pending }}
        next={{
          label: action.pending ? 'Starting…' : 'Install',
          testId: 'setup-install',
          disabled: !servicesReady || action.pending,
          onClick: () => void action.run('install', onInstall),
        }}
      />
    </div>
  );
}
