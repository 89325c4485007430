/**
 * One install run: the plan's steps on the server with their live log (batched: at most every
 * LOG_FLUSH_MS, MAX_LOG_BATCH lines a batch, a step's lines before its status), then the check
 * from this computer through the advertised address (a secure install: its CA read back from the
 * server, SASL_SSL with its SCRAM login), then one `ended` event with the outcome and, for a secure
 * install, what a connection profile needs that is not secret.
 * Cancelling (the signal) aborts the running command; finished steps stay done.
 */
import { SETUP_DEFAULTS, type SetupEndedEvent, type SetupStepEvent } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import { runPlan, type VerifyOptions, type VerifyResult } from '../core/setup/executor.js';
import type { InstallPlan } from '../core/setup/plan-types.js';
import { readCaCertificate } from '../core/setup/secure-install.js';
import type { ConnectionSecurity } from '../shared/connection-security.js';
import type { SshSession } from '../core/ssh/ssh-session.js';
import { errorPayload } from './error-payload.js';
import { createLogBatch } from './setup-log-batch.js';
import { plainSshError } from './setup-login.js';

export interface SetupEvents {
  step(e: SetupStepEvent): void;
  /** `node`: a cluster run's server (absent: one server's install, or this computer's checks). */
  log(runId: string, lines: string[], node?: number): void;
  ended(e: SetupEndedEvent): void;
}

export interface InstallRun {
  readonly runId: string;
  readonly session: SshSession;
  readonly plan: InstallPlan;
  readonly advertise: string;
  readonly sudoPassword: string | undefined;
  readonly signal: AbortSignal;
  readonly events: SetupEvents;
  readonly verify: (opts: VerifyOptions) => Promise<VerifyResult>;
  /** A secure install's SCRAM password (for the check from this computer only; never in an event). */
  readonly scramPassword?: string;
}

/** Runs the install to its end; never throws (the outcome is the `ended` event). */
export async function runInstall(r: InstallRun): Promise<void> {
  const steps = r.plan.steps;
  const stepCount = steps.length + 1;
  const verifyStep = {
    stepId: 'verify-from-here',
    title: 'Check from this computer: metadata and a few frames through the advertised address',
  };

  const batch = createLogBatch<null>((_key, lines) => r.events.log(r.runId, lines));
  const flushLog = (): void => batch.flush();
  const log = (line: string): void => batch.add(null, line);
  const indexOf = new Map(steps.map((st, i) => [st.id, i]));
  const step = (e: Omit<SetupStepEvent, 'runId' | 'stepCount'>): void => {
    flushLog(); // the log lines of a step go out before its status
    r.events.step({ runId: r.runId, stepCount, ...e });
  };

  let changed = 0;
  let unchanged = 0;
  let verified: SetupEndedEvent['verify'] = null;
  let failedAt: number | null = null;
  try {
    const result = await runPlan(r.session, r.plan, {
      ...(r.sudoPassword === undefined ? {} : { sudoPassword: r.sudoPassword }),
      signal: r.signal,
      onLog: log,
      onStep: (e) => {
        const index = indexOf.get(e.stepId) ?? 0;
        if (e.status === 'failed') failedAt = index;
        const status = e.status === 'failed' && r.signal.aborted ? 'cancelled' : e.status;
        step({
          index,
          stepId: e.stepId,
          title: e.title,
          status,
          ...(e.error === undefined ? {} : { error: e.error }),
        });
      },
    });
    changed = result.changed;
    unchanged = result.unchanged + result.checked;
    failedAt = steps.length;
    step({ index: steps.length, ...verifyStep, status: 'running' });
    const secure = r.plan.secure;
    let profile: SetupEndedEvent['secure'] = null;
    let security: ConnectionSecurity | undefined;
    if (secure !== null) {
      const ca = await readCaCertificate(r.session, secure.caPath, {
        ...(r.sudoPassword === undefined ? {} : { sudoPassword: r.sudoPassword }),
        signal: r.signal,
      });
      profile = {
        bootstrap: `${r.advertise}:${SETUP_DEFAULTS.kafkaPort}`,
        ca,
        username: secure.scramUser,
        mechanism: secure.mechanism,
      };
      security = {
        protocol: 'SASL_SSL',
        tls: { ca, client: null, verifyHostname: true },
        sasl: {
          mechanism: secure.mechanism,
          username: secure.scramUser,
          password: r.scramPassword ?? '',
        },
      };
    }
    log(
      `checking ${r.advertise}:${SETUP_DEFAULTS.kafkaPort} from this computer${security === undefined ? '' : ' (SASL_SSL, SCRAM-SHA-512, trusting the new CA)'}…`,
    );
    const v = await r.verify({
      advertise: r.advertise,
      signal: r.signal,
      ...(security === undefined ? {} : { security }),
    });
    verified = {
      bootstrap: v.bootstrap,
      brokers: v.brokers,
      framesSent: v.framesSent,
      framesReceived: v.framesReceived,
      problem: v.problem,
    };
    log(
      `metadata names ${v.brokers.join(', ') || 'no broker'}; ${v.framesReceived} of ${v.framesSent} test frames came back`,
    );
    if (!v.ok)
      throw new KvsError(
        'KAFKA_ERROR',
        `Kafka is running but the check from this computer failed: ${v.problem ?? 'unknown problem'}`,
      );
    step({ index: steps.length, ...verifyStep, status: 'checked' });
    flushLog();
    r.events.ended({
      runId: r.runId,
      ok: true,
      cancelled: false,
      changed,
      unchanged,
      verify: verified,
      error: null,
      secure: profile,
    });
  } catch (e) {
    const err = r.signal.aborted
      ? new KvsError(
          'CANCELLED',
          'The install was cancelled. Run it again to go on: finished steps are kept and report "unchanged".',
        )
      : plainSshError(e);
    if (failedAt === steps.length) {
      step({
        index: steps.length,
        ...verifyStep,
        status: err.code === 'CANCELLED' ? 'cancelled' : 'failed',
        error: err.message,
      });
    }
    flushLog();
    r.events.ended({
      runId: r.runId,
      ok: false,
      cancelled: err.code === 'CANCELLED',
      changed,
      unchanged,
      verify: verified,
      error: errorPayload(err),
      secure: null,
    });
  } finally {
    batch.close();
  }
}
