/** A plan's steps, in order: each one's title, whether it runs with sudo, why, and its commands. */
import type { SetupPlanView } from '../../../../electron/shared/contract.js';

export type PlanStepView = SetupPlanView['steps'][number];

export function PlanStepsList({
  steps,
  testId,
}: {
  steps: readonly PlanStepView[];
  /** Each step's data-testid. */
  testId: string;
}) {
  return (
    <ol className="setup-plan-steps">
      {steps.map((s) => (
        <li key={s.id} data-testid={testId} className="setup-plan-step">
          <div className="setup-plan-head">
            <strong>{s.title}</strong>
            {s.sudo && (
              <span className="tag tag-sudo" title="Runs as root through sudo">
                sudo
              </span>
            )}
          </div>
          <p className="help">{s.why}</p>
          {s.commands.length > 0 ? (
            <pre className="setup-commands">{s.commands.join('\n')}</pre>
          ) : (
            <p className="muted">No commands on the server: checked from this computer.</p>
          )}
        </li>
      ))}
    </ol>
  );
}
