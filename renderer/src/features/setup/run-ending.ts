/** How an install's end reads, the same for one server and for a cluster: its counts, and a failure. */
import type { SetupEndedEvent } from '../../../../electron/shared/contract.js';

/** "N steps changed something, M were already done." */
export function countsText(changed: number, unchanged: number): string {
  return `${changed} step${changed === 1 ? '' : 's'} changed something, ${unchanged} ${unchanged === 1 ? 'was' : 'were'} already done.`;
}

export interface FailedRunText {
  readonly headline: string;
  readonly lines: string[];
  readonly error: { readonly message: string; readonly detail: string | null };
}

/**
 * A failed or cancelled install: what happened, the check's problem, that running it again is
 * safe, and the error to show. `failed` is the failed step: its line and its error.
 */
export function failedRunText(
  ended: SetupEndedEvent,
  failed: { readonly line: string; readonly error: string | undefined } | null,
): FailedRunText {
  const lines: string[] = [];
  if (ended.cancelled) lines.push('The install was cancelled. What finished stays in place.');
  if (failed !== null) lines.push(failed.line);
  if (ended.verify?.problem) lines.push(`Check from this computer: ${ended.verify.problem}`);
  lines.push('Running it again is safe: finished steps report “already done” and are skipped.');
  const message =
    ended.error?.message ??
    failed?.error ??
    (ended.cancelled ? 'The install was cancelled.' : 'The install failed; no reason was given.');
  return {
    headline: ended.cancelled ? 'Install cancelled' : 'Install failed',
    lines,
    error: { message, detail: ended.error?.detail ?? null },
  };
}
