/**
 * The connection doctor's rules, apart from React: what the result says (headline, lines,
 * labels, times), which check row is the first failure, and when the doctor runs by itself
 * (once per connect attempt: the attempt failed, or it connected but the broker advertises
 * addresses other than the bootstrap). Pure.
 */
import { DEFAULT_KAFKA_PORT } from '../../../../electron/shared/bootstrap.js';
import type {
  ConnectionStatus,
  Diagnosis,
  DoctorCheck,
  DoctorFinding,
} from '../../../../electron/shared/contract.js';
import type { CheckTone } from '../../shared/check-row.js';
import { formatCount } from '../../shared/format.js';
import { advertisedWarnings } from '../connect/connect-logic.js';

// ---- the call ------------------------------------------------------------------------------------

/** The service stops a diagnosis after about 10 s; past this the page says it got no answer. */
export const DOCTOR_OVERDUE_MS = 20_000;

export const RUNNING_TEXT = 'Diagnosing… (at most about 10 s)';

export function overdueMessage(bootstrap: string): string {
  return (
    `The diagnosis of ${bootstrap} has not answered in ${DOCTOR_OVERDUE_MS / 1000} s. ` +
    'The service normally stops it after about 10 s, so the Kafka Video Studio service itself may be ' +
    'busy or stuck. Try again; if it keeps happening, restart the app.'
  );
}

/** The port the wizard's installs (and so "Fix on server") use for clients. */
export const SERVER_FIX_PORT = DEFAULT_KAFKA_PORT;

export function fixOnServerLabel(advertise: string): string {
  return `Fix on server: set advertised.listeners to ${advertise}:${SERVER_FIX_PORT} and restart Kafka`;
}

export function fixOnServerConfirmText(serverFix: NonNullable<Diagnosis['serverFix']>): string {
  return (
    `With the setup wizard's login to ${serverFix.host}, this sets ` +
    `advertised.listeners=PLAINTEXT://${serverFix.advertise}:${SERVER_FIX_PORT} in Kafka's ` +
    'config/server.properties and restarts Kafka. Clients connected to it now are cut off ' +
    'for a moment.'
  );
}

export function fixRunningText(serverFix: NonNullable<Diagnosis['serverFix']>): string {
  return `Setting advertised.listeners on ${serverFix.host} to ${serverFix.advertise}:${SERVER_FIX_PORT} and restarting Kafka, then diagnosing again…`;
}

/** After this long, the fix's progress text adds that it is taking longer than usual. */
export const FIX_SLOW_MS = 90_000;

// ---- the result ----------------------------------------------------------------------------------

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * How many problems a diagnosis names: its findings; without findings, its failed and warning
 * checks; an unhealthy diagnosis has at least one.
 */
export function problemCount(d: Diagnosis): number {
  if (d.findings.length > 0) return d.findings.length;
  const bad = d.checks.filter((c) => c.status === 'failed' || c.status === 'warning').length;
  return d.ok ? bad : Math.max(1, bad);
}

export function headline(d: Diagnosis): string {
  return d.ok
    ? `Kafka at ${d.bootstrap} is usable from here`
    : `${plural(problemCount(d), 'problem')} found`;
}

/** The lines under the headline. */
export function summaryLines(d: Diagnosis): string[] {
  const lines: string[] = [];
  if (d.ok) {
    lines.push(`Broker version: ${d.brokerVersion ?? 'unknown'}`);
    lines.push(`Cluster id: ${d.clusterId ?? 'unknown'}`);
    if (d.findings.length > 0)
      lines.push(`${plural(d.findings.length, 'thing')} worth a look below.`);
  } else {
    lines.push(`Diagnosed ${d.bootstrap}.`);
    if (d.brokerVersion !== null) lines.push(`Broker version: ${d.brokerVersion}`);
    if (d.clusterId !== null) lines.push(`Cluster id: ${d.clusterId}`);
  }
  lines.push(`Took ${formatCheckMs(d.durationMs)}.`);
  return lines;
}

/** The index of the first failed check, or -1 when none failed. */
export function firstFailureIndex(checks: readonly DoctorCheck[]): number {
  return checks.findIndex((c) => c.status === 'failed');
}

export const CHECK_STATUS_LABELS: Readonly<Record<DoctorCheck['status'], string>> = {
  ok: 'OK',
  failed: 'Failed',
  warning: 'Warning',
  skipped: 'Skipped',
};

/** The colour of each check's row. */
export const CHECK_TONES: Readonly<Record<DoctorCheck['status'], CheckTone>> = {
  ok: 'ok',
  failed: 'error',
  warning: 'warning',
  skipped: 'muted',
};

export const SEVERITY_LABELS: Readonly<Record<DoctorFinding['severity'], string>> = {
  error: 'Error',
  warning: 'Warning',
};

/** A duration in ms, as ms: 3.4 → "3 ms", 0.2 → "<1 ms", 10250 → "10,250 ms". */
export function formatCheckMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms > 0 && ms < 0.5) return '<1 ms';
  return `${formatCount(Math.round(ms))} ms`;
}

/** What a check row shows as its time (nothing ran for a skipped check). */
export function checkTime(c: DoctorCheck): string {
  return c.status === 'skipped' && c.ms === 0 ? '—' : formatCheckMs(c.ms);
}

// ---- running by itself ---------------------------------------------------------------------------

export type AutoReason = 'failed' | 'advertised';

export function autoReasonText(reason: AutoReason, bootstrap: string): string {
  return reason === 'failed'
    ? `Ran by itself because connecting to ${bootstrap} failed.`
    : `Ran by itself because the broker at ${bootstrap} advertises other addresses than the one you typed.`;
}

/**
 * Whether a change of the connection status from `prev` to `next` ends a connect attempt the
 * doctor should look at: the attempt failed, or it connected and the metadata names brokers
 * other than the bootstrap (the panel's advertised-address warning). A status seen without the
 * attempt before it (a page load) is not an attempt ending.
 */
export function shouldAutoRun(
  prev: ConnectionStatus | null,
  next: ConnectionStatus | null,
): AutoReason | null {
  if (prev === null || next === null) return null;
  if (next.state === 'failed') return prev.state === 'connecting' ? 'failed' : null;
  if (next.state !== 'connected' || advertisedWarnings(next).length === 0) return null;
  if (prev.state === 'connecting') return 'advertised';
  // connected first, the brokers of the metadata a moment later
  if (prev.state === 'connected' && prev.brokers.length === 0 && prev.bootstrap === next.bootstrap)
    return 'advertised';
  return null;
}

export interface AutoRun {
  readonly bootstrap: string;
  readonly reason: AutoReason;
}

/** Connect attempts seen and which one the doctor already looked at. */
export interface AutoRunTracker {
  readonly last: ConnectionStatus | null;
  /** Counts the attempts seen (each entry into 'connecting'). */
  readonly attempt: number;
  /** The attempt diagnosed by itself already (-1: none). */
  readonly diagnosed: number;
}

export const INITIAL_TRACKER: AutoRunTracker = { last: null, attempt: 0, diagnosed: -1 };

export interface TrackStep {
  readonly tracker: AutoRunTracker;
  /** Run the doctor now (at most once per attempt). */
  readonly run: AutoRun | null;
  /** A new connect attempt began. */
  readonly attemptStarted: boolean;
}

/** The next connection status seen. */
export function trackStatus(t: AutoRunTracker, next: ConnectionStatus | null): TrackStep {
  const attemptStarted = next?.state === 'connecting' && t.last?.state !== 'connecting';
  const attempt = attemptStarted ? t.attempt + 1 : t.attempt;
  const reason = shouldAutoRun(t.last, next);
  const bootstrap = next?.bootstrap ?? t.last?.bootstrap ?? null;
  if (reason !== null && bootstrap !== null && t.diagnosed !== attempt)
    return {
      tracker: { last: next, attempt, diagnosed: attempt },
      run: { bootstrap, reason },
      attemptStarted,
    };
  return { tracker: { ...t, last: next, attempt }, run: null, attemptStarted };
}

/**
 * Error codes of a connect call that say nothing about Kafka: the attempt was replaced, the
 * address did not parse, or the service itself could not be asked.
 */
const NOT_A_KAFKA_FAILURE: ReadonlySet<string> = new Set([
  'CANCELLED',
  'BOOTSTRAP_INVALID',
  'SERVICES_UNREACHABLE',
  'SERVICES_DISCONNECTED',
  'BAD_ARGS',
  'BAD_REPLY',
]);

/**
 * The connect call of this page was refused with `code`. The service reports a failed attempt both
 * as a 'failed' status and as the call's error, and the page then shows 'disconnected', so the
 * 'failed' status may never be rendered: this makes sure the attempt is still diagnosed once.
 */
export function trackConnectError(
  t: AutoRunTracker,
  bootstrap: string,
  code: string | null,
): TrackStep {
  if ((code !== null && NOT_A_KAFKA_FAILURE.has(code)) || t.diagnosed === t.attempt)
    return { tracker: t, run: null, attemptStarted: false };
  return {
    tracker: { ...t, diagnosed: t.attempt },
    run: { bootstrap, reason: 'failed' },
    attemptStarted: false,
  };
}
