/** A run's steps as check rows: number and title, state, and the error of a failed step. */
import { CheckRow } from '../../shared/check-row.js';
import { STATUS_LABELS, STATUS_TONES, type RunView } from './run-view.js';

export function RunStepRows({ steps, testId }: { steps: RunView['steps']; testId: string }) {
  return (
    <ol className="check-rows setup-rows">
      {steps.map((s) => (
        <CheckRow
          key={s.index}
          tone={STATUS_TONES[s.status]}
          title={`${s.index + 1}. ${s.title}`}
          label={STATUS_LABELS[s.status]}
          detail={s.error}
          data-testid={testId}
          data-status={s.status}
        />
      ))}
    </ol>
  );
}
