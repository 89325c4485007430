/**
 * The options steps' foot: back, and "Show the plan" — the form checked (its error shown at its
 * field), then the plan asked of the service (its error shown here).
 */
import { useServicesReady } from '../../shared/api-context.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import type { FormCheck } from './form-check.js';
import { ErrorBox, type SetupAction } from './setup-ui.js';

export function PlanNav<R, P>({
  action,
  testId,
  onBack,
  build,
  send,
  onPlanned,
}: {
  /** The step's action: the plan is made in it (at 'plan'). */
  action: SetupAction;
  /** "Show the plan"'s data-testid. */
  testId: string;
  onBack(): void;
  /** The plan request from the form, or the field that is wrong. */
  build(): FormCheck<R, string>;
  /** Asks the service for the plan. */
  send(request: R): Promise<P>;
  onPlanned(plan: P, request: R): void;
}) {
  const servicesReady = useServicesReady();
  const makePlan = () => {
    const built = build();
    if (!built.ok) {
      action.fail(built.field, built.error);
      return;
    }
    void action.run('plan', async () => {
      const plan = await send(built.value);
      onPlanned(plan, built.value);
    });
  };
  return (
    <>
      <ErrorBox error={action.error} at="plan" />
      <WizardNav
        back={{ onClick: onBack, disabled: action.running === 'plan' }}
        next={{
          label: action.running === 'plan' ? 'Making the plan…' : 'Show the plan',
          testId,
          onClick: makePlan,
          disabled: !servicesReady || action.pending,
        }}
      />
    </>
  );
}
