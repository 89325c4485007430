// The processes of an instance: its JVMs spawned detached with their logs, found again by a marker
// argument, and ended (broker first, SIGTERM then SIGKILL).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, renameSync } from 'node:fs';
import { KvsError } from '../../electron/shared/errors.js';
import { commandLine, isAlive, processesWithArgument, terminate } from './processes.js';
import { type BrokerState } from './state.js';
import { type Env } from './tools.js';

/**
 * Serial GC and C1-only JIT: on a 2-core machine the broker answered in ~3.1–4.2 s with these
 * against ~4.2–6.6 s with Kafka's default G1 flags, and kafkajs produce/consume throughput of
 * 1 MB messages was the same (the client is the bottleneck).
 */
export const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];
export const STOP_GRACE_MS = 30_000;

/** Argument every JVM of an instance carries, so stop can find them even without state.json. */
export function markerArg(dir: string): string {
  return `-Dkvs.local-kafka.dir=${dir}`;
}

export interface Launched {
  label: string;
  pid: number;
  logFile: string;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  error?: Error;
}

export async function isOurs(pid: number | undefined, dir: string): Promise<boolean> {
  if (pid === undefined || !(await isAlive(pid))) return false;
  return (await commandLine(pid))?.includes(markerArg(dir)) === true;
}

export async function endInstanceProcesses(
  dir: string,
  state: BrokerState | undefined,
  graceMs: number,
): Promise<{ stopped: number[]; killed: number[] }> {
  const brokers = new Set<number>();
  const zookeepers = new Set<number>();
  const recorded = state?.pids ?? {};
  if (recorded.broker !== undefined && (await isOurs(recorded.broker, dir)))
    brokers.add(recorded.broker);
  if (recorded.zookeeper !== undefined && (await isOurs(recorded.zookeeper, dir)))
    zookeepers.add(recorded.zookeeper);
  // Also any JVM carrying this instance's marker that state.json doesn't know about.
  for (const pid of await processesWithArgument(markerArg(dir))) {
    const args = (await commandLine(pid)) ?? [];
    (args.includes('kafka.Kafka') ? brokers : zookeepers).add(pid);
  }
  for (const pid of brokers) zookeepers.delete(pid);
  const stopped: number[] = [];
  const killed: number[] = [];
  // The broker goes first: in ZooKeeper mode it needs ZooKeeper to shut down cleanly.
  for (const group of [brokers, zookeepers]) {
    const outcomes = await Promise.all(
      [...group].map(async (pid) => [pid, await terminate(pid, graceMs)] as const),
    );
    for (const [pid, how] of outcomes) {
      if (how !== 'gone') stopped.push(pid);
      if (how === 'kill') killed.push(pid);
    }
  }
  return { stopped, killed };
}

export function spawnJvm(o: {
  java: string;
  env: Env;
  dir: string;
  label: string;
  logFile: string;
  args: string[];
}): Launched {
  if (existsSync(o.logFile)) renameSync(o.logFile, `${o.logFile}.1`); // keep one previous run
  const fd = openSync(o.logFile, 'a');
  let child;
  try {
    child = spawn(o.java, o.args, {
      cwd: o.dir,
      env: { ...o.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) {
    throw new KvsError('INTERNAL', `Could not start ${o.label}: ${o.java} did not run.`);
  }
  const launched: Launched = { label: o.label, pid: child.pid, logFile: o.logFile };
  child.once('exit', (code, signal) => {
    launched.exit = { code, signal };
  });
  child.once('error', (error) => {
    launched.error = error;
  });
  child.unref();
  return launched;
}
