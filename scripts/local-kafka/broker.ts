// The local broker's public operations: start, restart, stop, status and the list of instances.
// The work is split by job: launch.ts (configs, processes, waiting), instance-processes.ts (the
// JVMs), readiness.ts, storage-format.ts, log-tail.ts; the shapes are in broker-types.ts.
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { KvsError } from '../../electron/shared/errors.js';
import { infoOf } from './broker-info.js';
import {
  type BrokerStatus,
  type Log,
  type StartOptions,
  type StartResult,
  type StopResult,
} from './broker-types.js';
import { endInstanceProcesses, isOurs, STOP_GRACE_MS } from './instance-processes.js';
import { launch } from './launch.js';
import { assertValidPort, freePort } from './ports.js';
import { readState, stateDir, writeState } from './state.js';
import { DEFAULT_NAME, DEFAULT_PORT, type KafkaMode } from './versions.js';

export type {
  BrokerInfo,
  BrokerPids,
  BrokerStatus,
  Log,
  StartOptions,
  StartResult,
  StopResult,
} from './broker-types.js';
export { describeClusterOnce, type ClusterDescription } from './readiness.js';
export { randomClusterId } from './storage-format.js';

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

/** Running when every process the instance needs is alive (and is really ours, not a reused pid). */
export async function brokerStatus(options: { name?: string } = {}): Promise<BrokerStatus> {
  const name = options.name ?? DEFAULT_NAME;
  const dir = stateDir(name);
  const state = await readState(dir);
  if (state === undefined) return { name, stateDir: dir, running: false };
  const needed: Array<number | undefined> =
    state.mode === 'zookeeper' ? [state.pids.broker, state.pids.zookeeper] : [state.pids.broker];
  const alive = await Promise.all(needed.map((pid) => isOurs(pid, dir)));
  return { name, stateDir: dir, running: alive.every(Boolean), info: infoOf(state, dir) };
}

/**
 * Starts the named instance and resolves once the broker answers a metadata request.
 * Already running: resolves at once with alreadyRunning (an explicit different mode or port
 * is an error). Mode and port default to the instance's previous ones, else kraft and 9092.
 * Data left by an earlier start in the same mode is reused; a different mode, or `fresh`,
 * starts from empty.
 */
export async function startBroker(options: StartOptions = {}): Promise<StartResult> {
  const startedAt = Date.now();
  const name = options.name ?? DEFAULT_NAME;
  const dir = stateDir(name);
  if (options.port !== undefined) assertValidPort(options.port);
  const status = await brokerStatus({ name });
  const previous = await readState(dir);
  if (status.running && status.info !== undefined) {
    const running = status.info;
    const clash =
      options.mode !== undefined && options.mode !== running.mode
        ? `in ${running.mode} mode`
        : options.port !== undefined && options.port !== running.port
          ? `on port ${running.port}`
          : options.fresh === true
            ? 'with its data'
            : undefined;
    if (clash !== undefined) {
      throw new KvsError(
        'INVALID_ARGUMENT',
        `Kafka "${name}" is already running ${clash} (${running.bootstrap}); stop it first (npm run kafka -- stop${name === DEFAULT_NAME ? '' : ` --name ${name}`}).`,
      );
    }
    return { ...running, alreadyRunning: true, elapsedMs: Date.now() - startedAt };
  }
  await endInstanceProcesses(dir, previous, STOP_GRACE_MS); // half-started or orphaned leftovers
  return launch({
    name,
    dir,
    mode: options.mode ?? previous?.mode ?? 'kraft',
    port: options.port ?? previous?.port ?? DEFAULT_PORT,
    previous,
    fresh: options.fresh === true,
    env: options.env ?? process.env,
    log: options.log ?? stderrLog,
    timeoutMs: options.timeoutMs ?? 90_000,
    startedAt,
  });
}

/** A new, empty instance on a free port, without progress lines (tests, the bench and the soak run their own). */
export async function startFreshBroker(
  name: string,
  mode: KafkaMode = 'kraft',
): Promise<StartResult> {
  return startBroker({ name, mode, port: await freePort(), fresh: true, log: () => undefined });
}

/**
 * Stops the instance (if running) and starts it again with the same mode, port and data,
 * so topics and their messages outlive a restart.
 */
export async function restartBroker(
  options: Omit<StartOptions, 'mode' | 'port' | 'fresh'> = {},
): Promise<StartResult> {
  const startedAt = Date.now();
  const name = options.name ?? DEFAULT_NAME;
  const dir = stateDir(name);
  const previous = await readState(dir);
  if (previous === undefined) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Kafka "${name}" has not been started here yet, so there is nothing to restart; use start.`,
    );
  }
  await stopBroker({ name });
  return launch({
    name,
    dir,
    mode: previous.mode,
    port: previous.port,
    previous,
    fresh: false,
    env: options.env ?? process.env,
    log: options.log ?? stderrLog,
    timeoutMs: options.timeoutMs ?? 90_000,
    startedAt,
  });
}

/**
 * Ends every process of the instance: the broker first (SIGTERM, so it shuts down cleanly,
 * SIGKILL after `graceMs`), then ZooKeeper, and waits until they are gone. Data is kept
 * unless `removeData`, which deletes the whole instance folder.
 */
export async function stopBroker(
  options: { name?: string; graceMs?: number; removeData?: boolean } = {},
): Promise<StopResult> {
  const name = options.name ?? DEFAULT_NAME;
  const dir = stateDir(name);
  const state = await readState(dir);
  const result = await endInstanceProcesses(dir, state, options.graceMs ?? STOP_GRACE_MS);
  if (options.removeData === true) {
    await rm(dir, { recursive: true, force: true });
  } else if (
    state !== undefined &&
    (state.pids.broker !== undefined || state.pids.zookeeper !== undefined)
  ) {
    await writeState(dir, { ...state, pids: {}, stoppedAt: new Date().toISOString() });
  }
  return { name, ...result };
}

/** Names of the instances that have a folder in the temp dir (running or not). */
export async function listInstances(): Promise<string[]> {
  const entries = await readdir(os.tmpdir()).catch(() => [] as string[]);
  return entries.filter((e) => e.startsWith('kvs-kafka-')).map((e) => e.slice('kvs-kafka-'.length));
}
