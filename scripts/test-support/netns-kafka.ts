/**
 * What the test brokers in a network namespace of their own share (misconfigured-kafka.ts,
 * secure-kafka.ts): finding java and the cached KRaft jars, the namespace reached over a veth pair
 * on a free 10.232.N.0/29, formatting the storage, and the broker process itself
 * (`ip netns exec <ns> java … kafka.Kafka`, its output kept for failure messages).
 *
 * Plain Node (no Vitest). Needs Linux, root, java and the cached Kafka 4.1.1 jars: check
 * kraftInNamespaceSkipReason() first. It never downloads anything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { libsDir } from '../local-kafka/install.js';
import { findOnPath } from '../local-kafka/tools.js';
import { DISTRIBUTIONS } from '../local-kafka/versions.js';
import { SANDBOX_NET, reserveSubnet, sh } from './netns-subnet.js';

const STOP_GRACE_MS = 10_000;
const HEAP = '384m';
/** As local-kafka/instance-processes.ts: quick to start on small machines. No perf-data file in /tmp. */
export const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
];
const LOG_LINES_KEPT = 400;
const LOG_TAIL_LINES = 60;

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs one clean-up step; a failure does not stop the next one. */
export async function step(f: () => unknown): Promise<void> {
  try {
    await f();
  } catch {
    /* keep cleaning */
  }
}

export function javaPath(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home !== undefined && home !== '' && existsSync(path.join(home, 'bin', 'java')))
    return path.join(home, 'bin', 'java');
  return findOnPath(['java'], process.env);
}

/** The cached Kafka 4.1.1 libs folder, when it is complete. */
export function cachedKraftLibs(): string | undefined {
  const libs = libsDir('kraft', process.env);
  const jar = `kafka_2.13-${DISTRIBUTIONS.kraft.kafkaVersion}.jar`;
  return existsSync(path.join(libs, '.kvs-complete.json')) && existsSync(path.join(libs, jar))
    ? libs
    : undefined;
}

/** Why a KRaft broker in a namespace cannot run on this machine, or undefined when it can. */
export function kraftInNamespaceSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespace, veth)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  if (javaPath() === undefined) return 'java is not installed (JAVA_HOME or PATH)';
  if (cachedKraftLibs() === undefined)
    return `Kafka ${DISTRIBUTIONS.kraft.kafkaVersion} jars are not cached in ${libsDir('kraft', process.env)}; run \`npm run kafka -- fetch --mode kraft\``;
  return undefined;
}

export interface KafkaNamespace {
  readonly ns: string;
  /** The root-namespace end of the veth: 10.232.N.1. */
  readonly hostAddress: string;
  /** The namespace end's addresses: 10.232.N.2, 10.232.N.3 (both on-link from the root namespace). */
  readonly addressA: string;
  readonly addressB: string;
  readonly octet: number;
  /** Runs a command inside the namespace. */
  inNs(...args: string[]): Promise<string>;
  /** Ends whatever still runs in the namespace (by pid), removes the veth, then the namespace. */
  remove(): Promise<void>;
}

/**
 * Creates namespace `ns` with a veth pair on a free 10.232.N.0/29 (host end N.1, namespace end
 * N.2 and N.3, lo up). On failure it removes what it made and throws.
 */
export async function createKafkaNamespace(ns: string): Promise<KafkaNamespace> {
  const made = { ns: false, veth: false };
  let vethHost = '';
  const inNs = (...args: string[]): Promise<string> => sh('ip', ['netns', 'exec', ns, ...args]);
  const nsPids = async (): Promise<number[]> =>
    (await sh('ip', ['netns', 'pids', ns])).split(/\s+/).filter(Boolean).map(Number);
  const remove = async (): Promise<void> => {
    if (made.ns) {
      // Anything still in the namespace (there should be nothing): end it by pid.
      await step(async () => {
        for (let i = 0; i < 30; i++) {
          const left = await nsPids();
          if (left.length === 0) break;
          for (const pid of left) await step(() => process.kill(pid, 'SIGKILL'));
          await delay(100);
        }
      });
    }
    // The host end first: that removes the pair, and frees the subnet's reservation.
    if (made.veth) await step(() => sh('ip', ['link', 'del', vethHost]));
    if (made.ns) await step(() => sh('ip', ['netns', 'del', ns]));
    made.veth = false;
    made.ns = false;
  };
  try {
    await sh('ip', ['netns', 'add', ns]);
    made.ns = true;
    const subnet = await reserveSubnet();
    made.veth = true;
    vethHost = subnet.vethHost;
    const base = `${SANDBOX_NET}.${subnet.octet}`;
    const hostAddress = `${base}.1`;
    const addressA = `${base}.2`;
    const addressB = `${base}.3`;
    await sh('ip', ['link', 'set', subnet.vethNs, 'netns', ns]);
    await sh('ip', ['addr', 'add', `${hostAddress}/29`, 'dev', vethHost]);
    await sh('ip', ['link', 'set', vethHost, 'up']);
    await inNs('ip', 'addr', 'add', `${addressA}/29`, 'dev', subnet.vethNs);
    await inNs('ip', 'addr', 'add', `${addressB}/29`, 'dev', subnet.vethNs);
    await inNs('ip', 'link', 'set', subnet.vethNs, 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    return { ns, hostAddress, addressA, addressB, octet: subnet.octet, inNs, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** `kafka.tools.StorageTool format` (in the root namespace: it opens no socket). */
export async function formatKraftStorage(o: {
  java: string;
  libs: string;
  logConfig: string;
  clusterId: string;
  propsFile: string;
  /** e.g. ['--add-scram', 'SCRAM-SHA-256=[name=u,password=p]'] */
  extraArgs?: readonly string[];
}): Promise<void> {
  await sh(o.java, [
    '-Xmx256m',
    ...JVM_FLAGS,
    `-Dlog4j2.configurationFile=${o.logConfig}`,
    '-cp',
    path.join(o.libs, '*'),
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    o.clusterId,
    '--config',
    o.propsFile,
    ...(o.extraArgs ?? []),
  ]).catch((e: unknown) => {
    const out = e as { stdout?: string; stderr?: string; message?: string };
    throw new Error(
      `formatting the storage failed: ${out.message ?? ''}\n${out.stdout ?? ''}${out.stderr ?? ''}`,
    );
  });
}

export interface BrokerProcess {
  /** The JVM's pid (`ip netns exec` execs java). */
  readonly pid: number;
  /** Tail of the broker's output. */
  log(): string;
  /** Throws when the process failed to spawn or has exited (with the log tail). */
  checkAlive(): void;
  /** SIGTERM, then SIGKILL after a grace period; idempotent. */
  stop(): Promise<void>;
}

/** Starts `kafka.Kafka propsFile` inside the namespace; `marker` is a -D flag naming the fixture. */
export function spawnBrokerInNamespace(o: {
  ns: string;
  java: string;
  libs: string;
  dir: string;
  propsFile: string;
  logConfig: string;
  /** e.g. `-Dkvs.misconfigured-kafka=<dir>`: lets tests find the process. */
  marker: string;
  jvmArgs?: readonly string[];
}): BrokerProcess {
  const lines: string[] = [];
  let partial = '';
  let exited = false;
  let exitedHow = '';
  let spawnError: Error | undefined;
  let stopping: Promise<void> | undefined;
  const keep = (chunk: Buffer): void => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
  };
  const log = (): string =>
    [...lines, ...(partial === '' ? [] : [partial])].slice(-LOG_TAIL_LINES).join('\n');

  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      o.ns,
      o.java,
      `-Xmx${HEAP}`,
      ...JVM_FLAGS,
      o.marker,
      `-Dlog4j2.configurationFile=${o.logConfig}`,
      `-Dkafka.logs.dir=${o.dir}`,
      ...(o.jvmArgs ?? []),
      '-cp',
      path.join(o.libs, '*'),
      'kafka.Kafka',
      o.propsFile,
    ],
    { cwd: o.dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      exitedHow = signal !== null ? signal : `exit code ${String(code)}`;
      resolve();
    }),
  );
  child.once('error', (e) => {
    spawnError = e;
  });
  if (child.pid === undefined) {
    process.off('exit', killOnExit);
    throw new Error(`could not start ${o.java} in ${o.ns}`);
  }
  const pid = child.pid;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM'); // the JVM runs its shutdown hooks: Kafka closes its logs
      await Promise.race([gone, delay(STOP_GRACE_MS)]);
      if (!exited) {
        child.kill('SIGKILL');
        await Promise.race([gone, delay(5_000)]);
      }
    })();
    return stopping;
  };
  const checkAlive = (): void => {
    if (spawnError !== undefined) throw spawnError;
    if (exited) throw new Error(`the broker exited during startup (${exitedHow}):\n${log()}`);
  };
  return { pid, log, checkAlive, stop };
}

/** Polls `ready` every 250 ms until it resolves true; throws with the log tail on exit or timeout. */
export async function waitForBroker(
  broker: BrokerProcess,
  ready: () => Promise<boolean>,
  what: string,
  deadline: number,
): Promise<void> {
  for (;;) {
    broker.checkAlive();
    if (await ready().catch(() => false)) return;
    if (Date.now() >= deadline)
      throw new Error(`the broker did not answer on ${what} in time:\n${broker.log()}`);
    await delay(250);
  }
}
