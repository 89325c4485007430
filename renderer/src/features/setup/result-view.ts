/** The end of the wizard: what the check from this computer found, and what to do next. */
import { type SetupEndedEvent, type SetupPlanView } from '../../../../electron/shared/contract.js';
import { modeLabel } from './options-form.js';
import { countsText, failedRunText } from './run-ending.js';
import { RunView, failedStep } from './run-view.js';

export interface ResultView {
  readonly ok: boolean;
  readonly headline: string;
  readonly lines: readonly string[];
  /** "N steps changed something, M were already done." */
  readonly counts: string;
  /** What to bootstrap from (ok runs). */
  readonly bootstrap: string | null;
  /** A secure install (TLS + SCRAM login) that went through: the profile's public part. */
  readonly secure: SetupEndedEvent['secure'];
  readonly error: { readonly message: string; readonly detail: string | null } | null;
}

/** The done step's text from the end of a run. */
export function resultView(
  ended: SetupEndedEvent,
  plan: Pick<SetupPlanView, 'kafkaVersion' | 'mode' | 'bootstrap'>,
  host: string,
  run: RunView,
): ResultView {
  const counts = countsText(ended.changed, ended.unchanged);
  const verify = ended.verify;
  if (ended.ok) {
    const lines: string[] = [];
    if (verify !== null) {
      lines.push(
        `Checked from this computer: ${verify.framesSent} test frames sent, ${verify.framesReceived} read back through ${verify.bootstrap}.`,
      );
      if (verify.brokers.length > 0)
        lines.push(`The broker advertises ${verify.brokers.join(', ')}.`);
      if (verify.problem !== null) lines.push(`Note: ${verify.problem}`);
    }
    if (ended.secure !== null)
      lines.push(
        `Clients log in with SASL_SSL and SCRAM-SHA-512 as “${ended.secure.username}”, trusting the CA made on the server.`,
      );
    return {
      ok: true,
      headline: `Kafka ${plan.kafkaVersion} (${modeLabel(plan.mode)}) is running on ${host}`,
      lines,
      counts,
      bootstrap: ended.secure?.bootstrap ?? verify?.bootstrap ?? plan.bootstrap,
      error: null,
      secure: ended.secure,
    };
  }
  const failed = failedStep(run);
  return {
    ok: false,
    ...failedRunText(
      ended,
      failed && { line: `Step ${failed.index + 1} failed: ${failed.title}.`, error: failed.error },
    ),
    counts,
    bootstrap: null,
    secure: null,
  };
}
