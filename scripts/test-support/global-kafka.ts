/**
 * Vitest globalSetup: starts two real brokers for the run, in parallel on free ports:
 * KRaft (Kafka 4.1.1) and ZooKeeper mode (Kafka 3.9.1 + ZooKeeper 3.8.4), and hands their
 * addresses to the tests (see kafka-env.ts: inject('kvsKafkaKraftBootstrap') /
 * inject('kvsKafkaZkBootstrap'), and env KVS_TEST_KRAFT_BOOTSTRAP / KVS_TEST_ZK_BOOTSTRAP,
 * which forked workers inherit). Teardown stops them and deletes their data.
 *
 * - KVS_NO_KAFKA=1: start nothing (unit-only runs).
 * - KVS_TEST_KRAFT_BOOTSTRAP / KVS_TEST_ZK_BOOTSTRAP (or KVS_TEST_BOOTSTRAP_KRAFT / _ZK)
 *   already set: use that broker and start none for that mode.
 *
 * Instances are named test-kraft-<pid> and test-zk-<pid> (pid of this Vitest process), so
 * two runs on one machine don't share or stop each other's brokers; instances left by a
 * run that died are stopped and removed at the next setup.
 */
import type { TestProject } from 'vitest/node';
import { KvsError, toKvsError } from '../../electron/shared/errors.js';
import {
  ensureKafkaLibs,
  freePorts,
  listInstances,
  startBroker,
  stopBroker,
  type KafkaMode,
} from '../local-kafka/index.js';
// Type only: kafka-env.ts imports 'vitest', which must not load in a globalSetup.
import type { KafkaTarget } from './kafka-env.js';

/** Set by the global setup; set them yourself to use brokers you run (then none is started). */
export const KRAFT_BOOTSTRAP_ENV = 'KVS_TEST_KRAFT_BOOTSTRAP';
export const ZK_BOOTSTRAP_ENV = 'KVS_TEST_ZK_BOOTSTRAP';
/** Also accepted as input, same meaning. */
export const KRAFT_BOOTSTRAP_ENV_ALT = 'KVS_TEST_BOOTSTRAP_KRAFT';
export const ZK_BOOTSTRAP_ENV_ALT = 'KVS_TEST_BOOTSTRAP_ZK';
/** KVS_NO_KAFKA=1: start no broker (unit-only runs). */
export const NO_KAFKA_ENV = 'KVS_NO_KAFKA';

const TEST_INSTANCE = /^test-[a-z]+-(\d+)$/;
const PREFIX: Record<KafkaMode, string> = { kraft: 'test-kraft', zookeeper: 'test-zk' };

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and removes test-*-<pid> instances whose Vitest process is gone. */
export async function reapStaleTestBrokers(): Promise<void> {
  const stale = (await listInstances()).filter((name) => {
    const pid = Number(TEST_INSTANCE.exec(name)?.[1] ?? NaN);
    return Number.isInteger(pid) && pid !== process.pid && !pidAlive(pid);
  });
  await Promise.all(stale.map((name) => stopBroker({ name, removeData: true, graceMs: 10_000 })));
}

function given(mode: KafkaMode): string | undefined {
  const [main, alt] =
    mode === 'kraft'
      ? [KRAFT_BOOTSTRAP_ENV, KRAFT_BOOTSTRAP_ENV_ALT]
      : [ZK_BOOTSTRAP_ENV, ZK_BOOTSTRAP_ENV_ALT];
  const value = process.env[main] ?? process.env[alt];
  return value === undefined || value === '' ? undefined : value;
}

function publish(project: TestProject, targets: KafkaTarget[]): void {
  const kraft = targets.find((t) => t.mode === 'kraft')?.bootstrap ?? null;
  const zookeeper = targets.find((t) => t.mode === 'zookeeper')?.bootstrap ?? null;
  project.provide('kvsKafkaKraftBootstrap', kraft);
  project.provide('kvsKafkaZkBootstrap', zookeeper);
  if (kraft !== null) process.env[KRAFT_BOOTSTRAP_ENV] = kraft;
  if (zookeeper !== null) process.env[ZK_BOOTSTRAP_ENV] = zookeeper;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env[NO_KAFKA_ENV] === '1') {
    publish(project, []);
    return async () => undefined;
  }
  const targets: KafkaTarget[] = [];
  const toStart: KafkaMode[] = [];
  for (const mode of ['kraft', 'zookeeper'] as const) {
    const bootstrap = given(mode);
    if (bootstrap === undefined) toStart.push(mode);
    else targets.push({ mode, bootstrap });
  }
  await reapStaleTestBrokers();
  // One Maven at a time: two writing the same ~/.m2 files at once can trip over each other.
  for (const mode of toStart) await ensureKafkaLibs(mode);
  const ports = await freePorts(toStart.length);
  const started: string[] = [];
  const results = await Promise.allSettled(
    toStart.map(async (mode, i) => {
      const name = `${PREFIX[mode]}-${process.pid}`;
      started.push(name);
      const result = await startBroker({
        name,
        mode,
        port: ports[i],
        fresh: true,
        log: () => undefined,
      });
      return { mode, bootstrap: result.bootstrap };
    }),
  );
  const teardown = async (): Promise<void> => {
    await Promise.all(started.map((name) => stopBroker({ name, removeData: true })));
  };
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await teardown();
    const e = toKvsError(failed.reason);
    // Vitest shows the message; put the broker's log tail in it.
    throw e.detail === undefined ? e : new KvsError(e.code, `${e.message}\n${e.detail}`);
  }
  for (const r of results) if (r.status === 'fulfilled') targets.push(r.value);
  targets.sort((a, b) => a.mode.localeCompare(b.mode));
  publish(project, targets);
  return teardown;
}
