/** Runs a plan's steps in order: each step's check, then its commands; stops at a failure. */
import { KvsError, type ErrorCode } from '../../shared/errors.js';
import type { ExecResult, SshSession } from '../ssh/ssh-session.js';
import { isSshError } from '../ssh/ssh-errors.js';
import { describeCommand, logLine, scrub, tail } from './command-log.js';
import { makeRunner } from './command-runner.js';
import {
  type InstallPlan,
  type OperationPlan,
  type PlanStep,
  type RemoteCommand,
} from './plan-types.js';

export type StepStatus = 'running' | 'changed' | 'unchanged' | 'checked' | 'failed';

/**
 * One step's progress. 'unchanged': its check said it is already done. 'checked': a
 * read-only step (preflight, port wait, status query) that passed and changed nothing.
 */
export interface StepEvent {
  stepId: string;
  title: string;
  status: StepStatus;
  /** The last lines of the last command's stdout + stderr (final events only). */
  output?: string;
  error?: string;
}

export interface RunPlanOptions {
  sudoPassword?: string;
  signal?: AbortSignal;
  onStep?: (event: StepEvent) => void;
  /** Per command (default 10 min: apt and downloads can be slow). */
  commandTimeoutMs?: number;
  /**
   * The live log: "$ <command>" before each command, then its output line by line as it
   * comes (stdout and stderr), and upload progress. The sudo password is scrubbed.
   */
  onLog?: (line: string) => void;
}

export interface RunPlanResult {
  changed: number;
  unchanged: number;
  checked: number;
  events: StepEvent[];
}

/** A step failed: code is the SSH layer's (SUDO_AUTH_FAILED, SSH_COMMAND_FAILED, …). */
export class RunPlanError extends KvsError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly stepId: string,
    detail?: string,
  ) {
    super(code, message, detail);
  }
}

/** Steps without a check that only look (never change anything). */
const READ_ONLY_STEPS = new Set(['preflight', 'verify-ports']);

function outputOf(r: ExecResult, secret: string | undefined): string {
  return scrub(tail([r.stdout, r.stderr].filter((s) => s.trim() !== '').join('\n')), secret);
}

/** Run a plan's steps in order; resolves with the counts, rejects with a RunPlanError at the first failure. */
export async function runPlan(
  session: SshSession,
  plan: InstallPlan | OperationPlan,
  opts: RunPlanOptions = {},
): Promise<RunPlanResult> {
  const runner = makeRunner(session, opts);
  const timeoutMs = opts.commandTimeoutMs ?? 10 * 60_000;
  const events: StepEvent[] = [];
  const emit = (e: StepEvent): void => {
    if (e.status !== 'running') events.push(e);
    opts.onStep?.(e);
  };
  const result: RunPlanResult = { changed: 0, unchanged: 0, checked: 0, events };
  const readOnly = (step: PlanStep): boolean =>
    plan.kind === 'status' || step.apply.length === 0 || READ_ONLY_STEPS.has(step.id);

  for (const step of plan.steps) {
    if (opts.signal?.aborted)
      throw new RunPlanError('CANCELLED', `Stopped before "${step.title}".`, step.id);
    const base = { stepId: step.id, title: step.title };
    emit({ ...base, status: 'running' });
    let current: RemoteCommand | undefined;
    try {
      if (step.check !== undefined) {
        current = step.check;
        opts.onLog?.(`${logLine(step.check, step.sudo)}    # check: already done?`);
        const r = await runner.run(step.check, step.sudo, Math.min(timeoutMs, 120_000));
        if (r.code === 0) {
          result.unchanged++;
          emit({ ...base, status: 'unchanged' });
          continue;
        }
      }
      let last: ExecResult | undefined;
      for (const command of step.apply) {
        current = command;
        opts.onLog?.(logLine(command, step.sudo));
        last = await runner.run(command, step.sudo, timeoutMs);
        if (last.code !== 0) {
          const why = tail(
            last.stderr.trim() || last.stdout.trim() || `exit ${String(last.code ?? last.signal)}`,
            600,
          );
          throw new RunPlanError(
            'SSH_COMMAND_FAILED',
            `Step "${step.title}" failed: ${describeCommand(command, step.sudo)} exited ${String(last.code ?? `on ${String(last.signal)}`)}: ${why}`,
            step.id,
            outputOf(last, opts.sudoPassword),
          );
        }
      }
      const status: StepStatus = readOnly(step) ? 'checked' : 'changed';
      if (status === 'checked') result.checked++;
      else result.changed++;
      emit({ ...base, status, ...(last ? { output: outputOf(last, opts.sudoPassword) } : {}) });
    } catch (e) {
      let err: RunPlanError;
      if (e instanceof RunPlanError) err = e;
      else if (isSshError(e) || e instanceof KvsError) {
        const cmd = current === undefined ? '' : ` (${describeCommand(current, step.sudo)})`;
        err = new RunPlanError(
          e.code,
          `Step "${step.title}"${cmd}: ${e.message}`,
          step.id,
          e.detail,
        );
      } else {
        err = new RunPlanError(
          'INTERNAL',
          `Step "${step.title}": ${e instanceof Error ? e.message : String(e)}`,
          step.id,
        );
      }
      const safe = new RunPlanError(
        err.code,
        scrub(err.message, opts.sudoPassword),
        err.stepId,
        err.detail === undefined ? undefined : scrub(err.detail, opts.sudoPassword),
      );
      emit({
        ...base,
        status: 'failed',
        error: safe.message,
        ...(safe.detail ? { output: safe.detail } : {}),
      });
      throw safe;
    }
  }
  return result;
}
