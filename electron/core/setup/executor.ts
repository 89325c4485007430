/**
 * Runs setup plans over an SSH session, detects a server, and verifies a broker from this
 * computer ("the laptop").
 *
 * runPlan: steps in order; a step whose `check` exits 0 is 'unchanged' and skipped, else its
 * `apply` commands run (sudo when the step says so); the first failure stops the plan with a
 * RunPlanError naming the step and the command's stderr tail. The sudo password only ever
 * reaches SshSession.sudo (stdin), never a command line, an event or an error.
 *
 * This file is the public entry; the work is in run-plan.ts (steps), command-runner.ts (one
 * command over the session), command-log.ts (the live log), server-queries.ts (detect,
 * installed, status) and verify-from-laptop.ts.
 */
export {
  RunPlanError,
  runPlan,
  type RunPlanOptions,
  type RunPlanResult,
  type StepEvent,
  type StepStatus,
} from './run-plan.js';
export { detectServer, installedIn, queryStatus, type ServiceStatus } from './server-queries.js';
export { verifyFromLaptop, type VerifyOptions, type VerifyResult } from './verify-from-laptop.js';
