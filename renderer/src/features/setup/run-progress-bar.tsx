/**
 * The head of a run as it goes (one server's install, a cluster's install or rolling restart):
 * the progress bar, "n of m steps done" with what runs now, and cancel while it runs.
 */
import { useServicesReady } from '../../shared/api-context.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';

export function RunProgressBar({
  done,
  total,
  active,
  now,
  label,
  testId,
  cancelTestId,
  cancelLabel,
  onCancel,
}: {
  done: number;
  total: number;
  /** Still running (cancel possible). */
  active: boolean;
  /** What runs now, after "n of m steps done" while active (e.g. " — now: …"); '' for nothing. */
  now: string;
  /** The bar's aria-label. */
  label: string;
  /** The bar's data-testid. */
  testId: string;
  cancelTestId: string;
  cancelLabel: string;
  onCancel(): Promise<void>;
}) {
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const text = `${done} of ${total} steps done`;
  return (
    <>
      <div
        className={`bar bar-main${active && done === 0 ? ' indeterminate' : ''}`}
        role="progressbar"
        data-testid={testId}
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={text}
      >
        <div
          className="bar-fill"
          style={{ width: `${total > 0 ? (done / total) * 100 : active ? 100 : 0}%` }}
        />
      </div>
      <div className="row">
        <span className="muted" aria-live="polite">
          {text}
          {active ? now : ''}
        </span>
        <span className="spacer" />
        {/* only while it runs: a finished run has nothing to cancel */}
        {active && (
          <button
            type="button"
            className="danger"
            data-testid={cancelTestId}
            disabled={!servicesReady || action.pending}
            onClick={() => void action.run('cancel', onCancel)}
          >
            {action.pending ? 'Cancelling…' : cancelLabel}
          </button>
        )}
      </div>
      <ErrorBox error={action.error} at="cancel" />
    </>
  );
}
