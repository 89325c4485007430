// Readiness: whether a broker answers a metadata request, and waiting for it while the JVMs live.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KvsError } from '../../electron/shared/errors.js';
import { type Launched } from './instance-processes.js';
import { keyLine, tailOf } from './log-tail.js';
import { isAlive } from './processes.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type ClusterDescription = Awaited<ReturnType<Admin['describeCluster']>>;

/** One quick metadata request (1 s to connect, 3 s to answer, no retries); null when it fails. */
export async function describeClusterOnce(bootstrap: string): Promise<ClusterDescription | null> {
  const admin = new Kafka({
    clientId: 'kvs-local-kafka',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function answersMetadata(bootstrap: string): Promise<boolean> {
  const cluster = await describeClusterOnce(bootstrap);
  return (
    cluster !== null &&
    cluster.brokers.length > 0 &&
    cluster.controller !== null &&
    cluster.controller >= 0
  );
}

export async function waitUntil(
  check: () => Promise<boolean>,
  deadline: number,
  launched: Launched[],
  what: string,
): Promise<void> {
  for (;;) {
    for (const proc of launched) {
      if (proc.error !== undefined)
        throw new KvsError('INTERNAL', `Could not start ${proc.label}: ${proc.error.message}`);
      if (!(await isAlive(proc.pid))) {
        const tail = await tailOf(proc.logFile);
        const how =
          proc.exit === undefined
            ? ''
            : proc.exit.signal !== null
              ? ` (${proc.exit.signal})`
              : ` (exit code ${String(proc.exit.code)})`;
        throw new KvsError(
          'INTERNAL',
          `${proc.label} exited during startup${how}: ${keyLine(tail)}. Log: ${proc.logFile}`,
          tail,
        );
      }
    }
    if (await check()) return;
    if (Date.now() >= deadline) {
      const last = launched.at(-1);
      const tail = last === undefined ? '' : await tailOf(last.logFile);
      throw new KvsError(
        'TIMEOUT',
        `${what} in time.${last === undefined ? '' : ` Log: ${last.logFile}`}`,
        tail,
      );
    }
    await sleep(250);
  }
}
