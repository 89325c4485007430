// Launching an instance: its data folder and config files, then ZooKeeper (or KRaft storage
// formatting) and the broker, each waited for; on failure what was started is ended again.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { infoOf } from './broker-info.js';
import { type Log, type StartResult } from './broker-types.js';
import {
  LOG4J2_PROPERTIES,
  LOG4J_PROPERTIES,
  kraftServerProperties,
  zookeeperProperties,
  zookeeperServerProperties,
} from './config.js';
import { ensureKafkaLibs } from './install.js';
import { JVM_FLAGS, markerArg, spawnJvm, type Launched } from './instance-processes.js';
import { HOST, assertPortFree, canConnect, freePort, isPortFree } from './ports.js';
import { terminate } from './processes.js';
import { answersMetadata, waitUntil } from './readiness.js';
import { writeState, type BrokerState } from './state.js';
import { formatStorage } from './storage-format.js';
import { findJava, type Env } from './tools.js';
import { DISTRIBUTIONS, type KafkaMode } from './versions.js';

const BROKER_HEAP = '512m';
const ZOOKEEPER_HEAP = '256m';

export interface LaunchPlan {
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

export async function launch(plan: LaunchPlan): Promise<StartResult> {
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
