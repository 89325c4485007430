/** The options steps' foot: the plan's error, back, and "Show the plan". */
import { useServicesReady } from '../../shared/api-context.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import { ErrorBox, type SetupAction } from './setup-ui.js';

export function PlanNav({
  action,
  testId,
  onBack,
  onMakePlan,
}: {
  /** The step's action: the plan is made in it (at 'plan'). */
  action: SetupAction;
  /** "Show the plan"'s data-testid. */
  testId: string;
  onBack(): void;
  onMakePlan(): void;
}) {
  const servicesReady = useServicesReady();
  return (
    <>
      <ErrorBox error={action.error} at="plan" />
      <WizardNav
        back={{ onClick: onBack, disabled: action.running === 'plan' }}
        next={{
          label: action.running === 'plan' ? 'Making the plan…' : 'Show the plan',
          testId,
          onClick: onMakePlan,
          disabled: !servicesReady || action.pending,
        }}
      />
    </>
  );
}
