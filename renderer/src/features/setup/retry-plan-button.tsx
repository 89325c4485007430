/** After a failed install: back to the review step with a fresh plan. */
import { useServicesReady } from '../../shared/api-context.js';
import type { SetupAction } from './setup-ui.js';

export function RetryPlanButton({
  testId,
  action,
  onRetry,
}: {
  testId: string;
  /** The panel's action: the retry runs in it (at 'retry'). */
  action: SetupAction;
  /** Rejects when the service refuses. */
  onRetry(): Promise<void>;
}) {
  const servicesReady = useServicesReady();
  return (
    <div className="row">
      <button
        type="button"
        data-testid={testId}
        disabled={!servicesReady || action.pending}
        onClick={() => void action.run('retry', onRetry)}
      >
        {action.pending ? 'Making the plan…' : 'Review the plan and run it again'}
      </button>
    </div>
  );
}
