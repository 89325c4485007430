/** Steps 5–6, the install running: steps and their status, the live log (capped), progress, from setup:* events. */
import {
  type SetupEndedEvent,
  type SetupLogEvent,
  type SetupPlanView,
  type SetupStepEvent,
  type SetupStepStatus,
} from '../../../../electron/shared/contract.js';
import type { CheckTone } from '../../shared/check-row.js';

// ---- steps 5–6: install progress ---------------------------------------------------------------

export const MAX_LOG_LINES = 2000;

export interface StepRow {
  readonly index: number;
  readonly stepId: string;
  readonly title: string;
  readonly status: SetupStepStatus;
  readonly error?: string | undefined;
}

export interface RunView {
  readonly runId: string | null;
  readonly steps: readonly StepRow[];
  readonly log: readonly string[];
  /** Log lines dropped from the top to keep at most MAX_LOG_LINES. */
  readonly droppedLines: number;
  readonly ended: SetupEndedEvent | null;
}

export const VERIFY_STEP_TITLE = 'Check from this computer (connect, send and read back frames)';

export const STATUS_LABELS: Readonly<Record<SetupStepStatus, string>> = {
  pending: 'Waiting',
  running: 'Running…',
  changed: 'Done',
  unchanged: 'Already done',
  checked: 'Checked',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The colour of each step's row. */
export const STATUS_TONES: Readonly<Record<SetupStepStatus, CheckTone>> = {
  pending: 'idle',
  running: 'busy',
  changed: 'ok',
  unchanged: 'ok',
  checked: 'ok',
  failed: 'error',
  cancelled: 'muted',
};

export function isCompleted(status: SetupStepStatus): boolean {
  return status === 'changed' || status === 'unchanged' || status === 'checked';
}

/** The rows before anything ran: the plan's steps, then the check from this computer. */
export function startRun(plan: Pick<SetupPlanView, 'steps'>, runId: string | null = null): RunView {
  const steps: StepRow[] = plan.steps.map((s, index) => ({
    index,
    stepId: s.id,
    title: s.title,
    status: 'pending',
  }));
  steps.push({
    index: steps.length,
    stepId: 'verify',
    title: VERIFY_STEP_TITLE,
    status: 'pending',
  });
  return { runId, steps, log: [], droppedLines: 0, ended: null };
}

export function applyStep(run: RunView, ev: SetupStepEvent): RunView {
  if (!Number.isInteger(ev.index) || ev.index < 0 || ev.index > 10_000) return run;
  const count =
    Number.isInteger(ev.stepCount) && ev.stepCount > 0 && ev.stepCount <= 10_000
      ? ev.stepCount
      : null;
  let steps = [...run.steps];
  if (count !== null && count !== steps.length) {
    steps = steps.slice(0, count);
    while (steps.length < count)
      steps.push({
        index: steps.length,
        stepId: `step-${steps.length}`,
        title: `Step ${steps.length + 1}`,
        status: 'pending',
      });
  }
  while (steps.length <= ev.index)
    steps.push({
      index: steps.length,
      stepId: `step-${steps.length}`,
      title: `Step ${steps.length + 1}`,
      status: 'pending',
    });
  steps[ev.index] = {
    index: ev.index,
    stepId: ev.stepId,
    title: ev.title,
    status: ev.status,
    error: ev.error,
  };
  return { ...run, steps };
}

/** prev + added, keeping the last `max` lines; how many were dropped from the top. */
export function capLines(
  prev: readonly string[],
  added: readonly string[],
  max: number = MAX_LOG_LINES,
): { lines: string[]; dropped: number } {
  const all = [...prev, ...added];
  const dropped = Math.max(0, all.length - max);
  return { lines: dropped > 0 ? all.slice(dropped) : all, dropped };
}

export function applyLog(
  run: RunView,
  lines: readonly string[],
  max: number = MAX_LOG_LINES,
): RunView {
  if (lines.length === 0) return run;
  const capped = capLines(run.log, lines, max);
  return { ...run, log: capped.lines, droppedLines: run.droppedLines + capped.dropped };
}

/** The end of a run: a step still running ends as failed or cancelled. */
export function applyEnded(run: RunView, ev: SetupEndedEvent): RunView {
  const steps = run.steps.map((s) =>
    s.status === 'running' && !ev.ok
      ? { ...s, status: (ev.cancelled ? 'cancelled' : 'failed') as SetupStepStatus }
      : s,
  );
  return { ...run, steps, ended: ev };
}

export function runProgress(run: RunView): { done: number; total: number } {
  return { done: run.steps.filter((s) => isCompleted(s.status)).length, total: run.steps.length };
}

export function failedStep(run: RunView): StepRow | null {
  return run.steps.find((s) => s.status === 'failed') ?? null;
}

export type RunEvent =
  | { readonly type: 'step'; readonly ev: SetupStepEvent }
  | { readonly type: 'log'; readonly ev: SetupLogEvent }
  | { readonly type: 'ended'; readonly ev: SetupEndedEvent };

export function applyRunEvent(run: RunView, e: RunEvent): RunView {
  switch (e.type) {
    case 'step':
      return applyStep(run, e.ev);
    case 'log':
      return applyLog(run, e.ev.lines);
    case 'ended':
      return applyEnded(run, e.ev);
  }
}

/**
 * Events of runs the page does not know yet (they can arrive before setup:install has
 * answered with the run id): kept per run, a few runs and a bounded number of events each.
 */
export class RunInbox {
  private readonly runs = new Map<string, RunEvent[]>();

  constructor(
    private readonly maxRuns = 4,
    private readonly maxEventsPerRun = MAX_LOG_LINES + 500,
  ) {}

  push(e: RunEvent): void {
    const id = e.ev.runId;
    let list = this.runs.get(id);
    if (list === undefined) {
      list = [];
      this.runs.set(id, list);
      while (this.runs.size > this.maxRuns) {
        const oldest = this.runs.keys().next().value;
        if (oldest === undefined) break;
        this.runs.delete(oldest);
      }
    }
    list.push(e);
    if (list.length > this.maxEventsPerRun) {
      // Drop the oldest log batch first; step and end events matter more.
      const i = list.findIndex((x) => x.type === 'log');
      list.splice(i >= 0 ? i : 0, 1);
    }
  }

  /** The events of a run, oldest first, removed from the inbox. */
  take(runId: string): RunEvent[] {
    const list = this.runs.get(runId) ?? [];
    this.runs.delete(runId);
    return list;
  }

  get size(): number {
    return this.runs.size;
  }
}
