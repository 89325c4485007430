/**
 * A wizard step's bar at the bottom: Back on the left, the way forward on the right. Back is
 * `setup-back`; the forward button is a submit button unless it has its own onClick.
 */
import type { ReactNode } from 'react';

export interface WizardNavProps {
  readonly back?: {
    readonly label?: ReactNode;
    onClick(): void;
    readonly disabled?: boolean;
  };
  readonly next?: {
    readonly label: ReactNode;
    readonly testId: string;
    readonly disabled?: boolean;
    /** Without it the button submits the step's form. */
    onClick?(): void;
  };
}

export function WizardNav({ back, next }: WizardNavProps) {
  return (
    <div className="row wizard-nav">
      {back && (
        <button
          type="button"
          className="secondary"
          data-testid="setup-back"
          onClick={back.onClick}
          disabled={back.disabled}
        >
          {back.label ?? 'Back'}
        </button>
      )}
      <span className="spacer" />
      {next && (
        <button
          type={next.onClick ? 'button' : 'submit'}
          data-testid={next.testId}
          onClick={next.onClick}
          disabled={next.disabled}
        >
          {next.label}
        </button>
      )}
    </div>
  );
}
