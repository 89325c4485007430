/** Read-only questions to a server: what it is, what kvs setup installed there, whether it runs. */
import { KvsError } from '../../shared/errors.js';
import type { SshSession } from '../ssh/ssh-session.js';
import { isSshError } from '../ssh/ssh-errors.js';
import { makeRunner } from './command-runner.js';
import {
  detectionCommands,
  factsFromOutputs,
  type CommandOutput,
  type FactKey,
  type ServerFacts,
} from './detect.js';
import { installationFor } from './installation.js';
import { type Installation } from './plan-types.js';
import { runPlan } from './run-plan.js';
import { buildStatusPlan } from './service-plans.js';

/**
 * Run the read-only detection commands and parse them. Commands that want sudo (ufw status)
 * run with sudo when possible; when sudo is refused their fact stays unknown (null) here,
 * and the refusal shows at the plan's first sudo step instead.
 */
export async function detectServer(
  session: SshSession,
  installDir: string,
  opts: { sudoPassword?: string; signal?: AbortSignal } = {},
): Promise<ServerFacts> {
  const runner = makeRunner(session, opts);
  const outputs: Partial<Record<FactKey, CommandOutput>> = {};
  for (const [key, { command, sudo }] of Object.entries(detectionCommands(installDir)) as Array<
    [FactKey, { command: { argv: string[] }; sudo: boolean }]
  >) {
    try {
      const r = await runner.run(command, sudo, 30_000);
      outputs[key] = { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
    } catch (e) {
      if (isSshError(e) && (e.code === 'SUDO_AUTH_FAILED' || e.code === 'SUDO_NOT_ALLOWED'))
        continue;
      throw e;
    }
  }
  return factsFromOutputs(outputs);
}

/** What kvs setup installed in installDir (mode read from its config), for start/stop/status/uninstall. */
export async function installedIn(
  session: SshSession,
  facts: ServerFacts,
  installDir: string,
): Promise<Installation> {
  if (facts.kafkaVersion === null)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `${installDir} holds no Kafka installed by kvs setup; check the install folder.`,
    );
  const kraft = await session.exec(
    ['grep', '-q', '^process.roles=', '--', `${installDir}/config/server.properties`],
    { timeoutMs: 30_000 },
  );
  const zkProps = await session.exec(['test', '-f', `${installDir}/config/zookeeper.properties`], {
    timeoutMs: 30_000,
  });
  // A secure install (TLS + SCRAM login) enables SASL; the password is not needed for service plans.
  const sasl = await session.exec(
    ['grep', '-q', '^sasl.enabled.mechanisms=', '--', `${installDir}/config/server.properties`],
    { timeoutMs: 30_000 },
  );
  const inst = installationFor(facts, {
    mode: kraft.code === 0 ? 'kraft' : 'zookeeper',
    kafkaVersion: facts.kafkaVersion,
    installDir,
    advertise: '127.0.0.1',
    source: { kind: 'upload', tarballPath: '/dev/null' },
    zookeeper: zkProps.code === 0 ? 'bundled' : 'auto',
  });
  // grep: 0 found, 1 not found; anything else (unreadable, I/O) must not pass for "not secure"
  if (sasl.code !== 0 && sasl.code !== 1)
    throw new KvsError(
      'SSH_COMMAND_FAILED',
      `Could not read ${installDir}/config/server.properties on the server (grep exit ${sasl.code}).`,
    );
  return { ...inst, secure: sasl.code === 0 };
}

export interface ServiceStatus {
  kafka: boolean;
  /** null when the installation has no ZooKeeper (KRaft). */
  zookeeper: boolean | null;
}

/** Whether Kafka (and ZooKeeper) run: each status command exiting 0 means up; non-zero is "down", not an error. */
export async function queryStatus(
  session: SshSession,
  installation: Installation,
  opts: { sudoPassword?: string; signal?: AbortSignal } = {},
): Promise<ServiceStatus> {
  const plan = buildStatusPlan(installation);
  const out: ServiceStatus = { kafka: false, zookeeper: null };
  for (const step of plan.steps) {
    if (step.id !== 'kafka' && step.id !== 'zookeeper') continue;
    const up = await runPlan(session, { ...plan, steps: [step] }, opts).then(
      () => true,
      (e: unknown) => {
        if (e instanceof KvsError && e.code !== 'SSH_COMMAND_FAILED') throw e;
        return false;
      },
    );
    out[step.id] = up;
  }
  return out;
}
