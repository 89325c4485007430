import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, renameSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KvsError } from '../../electron/shared/errors.js';
import {
  LOG4J2_PROPERTIES,
  LOG4J_PROPERTIES,
  kraftServerProperties,
  zookeeperProperties,
  zookeeperServerProperties,
} from './config.js';
import { ensureKafkaLibs } from './install.js';
import { commandLine, isAlive, processesWithArgument, terminate } from './processes.js';
import {
  HOST,
  assertPortFree,
  assertValidPort,
  canConnect,
  freePort,
  isPortFree,
} from './ports.js';
import { readState, stateDir, writeState, type BrokerState } from './state.js';
import { findJava, type Env } from './tools.js';
import { DEFAULT_NAME, DEFAULT_PORT, DISTRIBUTIONS, type KafkaMode } from './versions.js';

export type Log = (line: string) => void;
const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

export interface StartOptions {
  /** Instance name (default "default"); each has its own folder, ports and processes. */
  name?: string;
  /** Default 'kraft' (Kafka 4). 'zookeeper' runs Kafka 3.9 with its ZooKeeper. */
  mode?: KafkaMode;
  /** Client port on 127.0.0.1 (default 9092). */
  port?: number;
  /** Throw away the instance's data (topics, offsets) before starting. */
  fresh?: boolean;
  /** Environment used to find java / mvn and passed to them (default process.env). */
  env?: Env;
  /** Progress lines (default: stderr). */
  log?: Log;
  /** How long to wait for the broker to answer (default 90 s). */
  timeoutMs?: number;
}

export interface BrokerPids {
  broker?: number;
  zookeeper?: number;
}

export interface BrokerInfo {
  name: string;
  mode: KafkaMode;
  kafkaVersion: string;
  zookeeperVersion?: string;
  /** "127.0.0.1:<port>" */
  bootstrap: string;
  port: number;
  pids: BrokerPids;
  /** The instance folder: data, configs, logs, state.json. */
  stateDir: string;
  logFiles: string[];
}

export interface StartResult extends BrokerInfo {
  /** True when it was running already and nothing was started. */
  alreadyRunning: boolean;
  elapsedMs: number;
}

export interface BrokerStatus {
  name: string;
  stateDir: string;
  running: boolean;
  /** Known when the instance was ever started. */
  info?: BrokerInfo;
}

export interface StopResult {
  name: string;
  /** Processes that were ended (empty when nothing was running). */
  stopped: number[];
  /** Processes that had to be killed with SIGKILL after the grace period. */
  killed: number[];
}

const BROKER_HEAP = '512m';
const ZOOKEEPER_HEAP = '256m';
/**
 * Serial GC and C1-only JIT: on a 2-core machine the broker answered in ~3.1–4.2 s with these
 * against ~4.2–6.6 s with Kafka's default G1 flags, and kafkajs produce/consume throughput of
 * 1 MB messages was the same (the client is the bottleneck).
 */
const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];
const STOP_GRACE_MS = 30_000;

/** Argument every JVM of an instance carries, so stop can find them even without state.json. */
function markerArg(dir: string): string {
  return `-Dkvs.local-kafka.dir=${dir}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function logFilesOf(dir: string, mode: KafkaMode): string[] {
  const files = [path.join(dir, 'broker.log')];
  if (mode === 'zookeeper') files.push(path.join(dir, 'zookeeper.log'));
  return files;
}

function infoOf(state: BrokerState, dir: string): BrokerInfo {
  const info: BrokerInfo = {
    name: state.name,
    mode: state.mode,
    kafkaVersion: state.kafkaVersion,
    bootstrap: state.bootstrap,
    port: state.port,
    pids: { ...state.pids },
    stateDir: dir,
    logFiles: logFilesOf(dir, state.mode),
  };
  if (state.zookeeperVersion !== undefined) info.zookeeperVersion = state.zookeeperVersion;
  return info;
}

async function isOurs(pid: number | undefined, dir: string): Promise<boolean> {
  if (pid === undefined || !(await isAlive(pid))) return false;
  return (await commandLine(pid))?.includes(markerArg(dir)) === true;
}

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

async function endInstanceProcesses(
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

interface LaunchPlan {
  name: string;
  dir: string;
  mode: KafkaMode;
  port: number;
  previous: BrokerState | undefined;
  fresh: boolean;
  env: Env;
  log: Log;
  timeoutMs: number;
  startedAt: number;
}

interface Launched {
  label: string;
  pid: number;
  logFile: string;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  error?: Error;
}

async function launch(plan: LaunchPlan): Promise<StartResult> {
  const { name, dir, mode, port, previous, env, log } = plan;
  const dist = DISTRIBUTIONS[mode];
  const java = await findJava(env);
  await assertPortFree(port);
  const libs = await ensureKafkaLibs(mode, { env, log });
  const deadline = Date.now() + plan.timeoutMs;

  const reuseData = previous?.mode === mode && !plan.fresh;
  const dataDir = path.join(dir, 'data');
  if (!reuseData) await rm(dataDir, { recursive: true, force: true });
  const kafkaLogDir = path.join(dataDir, 'kafka-logs');
  await mkdir(kafkaLogDir, { recursive: true });
  const logConfig = path.join(
    dir,
    dist.logging === 'log4j2' ? 'log4j2.properties' : 'log4j.properties',
  );
  await writeFile(logConfig, dist.logging === 'log4j2' ? LOG4J2_PROPERTIES : LOG4J_PROPERTIES);
  const logProps =
    dist.logging === 'log4j2'
      ? [`-Dlog4j2.configurationFile=${logConfig}`]
      : [`-Dlog4j.configuration=${pathToFileURL(logConfig).href}`];
  const bootstrap = `${HOST}:${port}`;
  log(
    `Starting Kafka ${dist.kafkaVersion} in ${mode === 'kraft' ? 'KRaft' : 'ZooKeeper'} mode ("${name}") on ${bootstrap}…`,
  );

  const state: BrokerState = {
    schema: 1,
    name,
    mode,
    kafkaVersion: dist.kafkaVersion,
    port,
    bootstrap,
    pids: {},
    startedAt: new Date().toISOString(),
  };
  if (dist.zookeeperVersion !== undefined) state.zookeeperVersion = dist.zookeeperVersion;

  const jvm = (
    label: string,
    heap: string,
    mainClass: string,
    args: string[],
    logFile: string,
    extra: string[] = [],
  ): Launched =>
    spawnJvm({
      java,
      env,
      dir,
      label,
      logFile,
      args: [
        `-Xmx${heap}`,
        ...JVM_FLAGS,
        markerArg(dir),
        ...logProps,
        ...extra,
        '-cp',
        path.join(libs, '*'),
        mainClass,
        ...args,
      ],
    });

  const launched: Launched[] = [];
  const serverProps = path.join(dir, 'server.properties');
  try {
    if (mode === 'zookeeper') {
      const zookeeperPort = await pickPort(reuseData ? previous?.zookeeperPort : undefined, port);
      state.zookeeperPort = zookeeperPort;
      const zkProps = path.join(dir, 'zookeeper.properties');
      await writeFile(
        zkProps,
        zookeeperProperties({ zookeeperPort, dataDir: path.join(dataDir, 'zookeeper') }),
      );
      const zk = jvm(
        'ZooKeeper',
        ZOOKEEPER_HEAP,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        [zkProps],
        path.join(dir, 'zookeeper.log'),
        ['-Dzookeeper.jmx.log4j.disable=true'],
      );
      launched.push(zk);
      state.pids.zookeeper = zk.pid;
      await writeState(dir, state);
      await waitUntil(
        () => canConnect(zookeeperPort),
        deadline,
        launched,
        `ZooKeeper did not listen on ${HOST}:${zookeeperPort}`,
      );
      await writeFile(
        serverProps,
        zookeeperServerProperties({ port, zookeeperPort, logDir: kafkaLogDir }),
      );
    } else {
      const controllerPort = await pickPort(reuseData ? previous?.controllerPort : undefined, port);
      state.controllerPort = controllerPort;
      await writeFile(
        serverProps,
        kraftServerProperties({ port, controllerPort, logDir: kafkaLogDir }),
      );
      if (!existsSync(path.join(kafkaLogDir, 'meta.properties'))) {
        await formatStorage({ java, env, dir, libs, logProps, serverProps, deadline });
      }
    }
    const broker = jvm(
      'Kafka',
      BROKER_HEAP,
      'kafka.Kafka',
      [serverProps],
      path.join(dir, 'broker.log'),
      [`-Dkafka.logs.dir=${dir}`],
    );
    launched.push(broker);
    state.pids.broker = broker.pid;
    await writeState(dir, state);
    await waitUntil(
      () => answersMetadata(bootstrap),
      deadline,
      launched,
      `Kafka did not answer on ${bootstrap}`,
    );
  } catch (error) {
    for (const proc of [...launched].reverse()) await terminate(proc.pid, 10_000);
    await writeState(dir, { ...state, pids: {}, stoppedAt: new Date().toISOString() }).catch(
      () => undefined,
    );
    throw error;
  }
  return { ...infoOf(state, dir), alreadyRunning: false, elapsedMs: Date.now() - plan.startedAt };
}

/** The instance's previous port when it is still free (keeps configs stable), else a fresh one. */
async function pickPort(previous: number | undefined, avoid: number): Promise<number> {
  if (previous !== undefined && previous !== avoid && (await isPortFree(previous))) return previous;
  for (;;) {
    const port = await freePort();
    if (port !== avoid) return port;
  }
}

function spawnJvm(o: {
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

async function formatStorage(o: {
  java: string;
  env: Env;
  dir: string;
  libs: string;
  logProps: string[];
  serverProps: string;
  deadline: number;
}): Promise<void> {
  const clusterId = randomClusterId();
  const logFile = path.join(o.dir, 'format.log');
  const args = [
    '-Xmx256m',
    ...JVM_FLAGS,
    ...o.logProps,
    '-cp',
    path.join(o.libs, '*'),
    'kafka.tools.StorageTool',
  ];
  args.push('format', '--ignore-formatted', '--cluster-id', clusterId, '--config', o.serverProps);
  const fd = openSync(logFile, 'w');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(o.java, args, { cwd: o.dir, env: { ...o.env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(5_000, o.deadline - Date.now()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new KvsError('INTERNAL', `Could not run Kafka's storage format tool: ${error.message}`),
      );
    });
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) {
    const tail = await tailOf(logFile);
    throw new KvsError(
      'INTERNAL',
      `Formatting Kafka's storage failed (exit ${String(code)}): ${keyLine(tail)}. Log: ${logFile}`,
      tail,
    );
  }
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, never starting with "-". */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

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

async function answersMetadata(bootstrap: string): Promise<boolean> {
  const cluster = await describeClusterOnce(bootstrap);
  return (
    cluster !== null &&
    cluster.brokers.length > 0 &&
    cluster.controller !== null &&
    cluster.controller >= 0
  );
}

async function waitUntil(
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

/** Last lines of a log, stack frames left out so more of what happened fits. */
async function tailOf(file: string, lines = 25): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .trimEnd()
      .split('\n')
      .filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l))
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** The line of a log tail that best says what went wrong, shortened for a one-line message. */
function keyLine(tail: string): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line =
    lines.find((l) => /^(Caused by: )?[\w.$]+(Exception|Error): /.test(l)) ??
    lines.find((l) => /\b(ERROR|FATAL)\b/.test(l)) ??
    lines.find((l) => /Exception|Error:/.test(l)) ??
    lines.at(-1) ??
    'no log output';
  const short = line.replace(/^\[[^\]]*\]\s*/, '').replace(/\.+$/, '');
  return short.length > 300 ? `${short.slice(0, 297)}…` : short;
}
