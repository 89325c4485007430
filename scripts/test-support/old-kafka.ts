/**
 * A REAL old broker for the connection doctor's tests: Apache Kafka 0.10.2.2 (Scala 2.12) with
 * the ZooKeeper 3.4.x it depends on, run with the installed Java 17. Kafka 0.10 has no record
 * headers (Produce max v2, Fetch max v3), so the doctor must report BROKER_TOO_OLD for it.
 *
 * - jars: fetched once with Maven (a generated pom + `dependency:copy-dependencies`, the same
 *   way scripts/local-kafka/install.ts fetches the current Kafka) into
 *   ${KVS_CACHE_DIR:-~/.cache/kafka-video-studio}/kafka-0.10.2.2/libs, marked complete with a
 *   `.kvs-complete.json` carrying the pom's hash, downloaded into a private temp folder that is
 *   renamed into place (so concurrent fetches can't leave a half-filled folder).
 * - ZooKeeper (`ZooKeeperServerMain <zoo.cfg>`) and the broker (`kafka.Kafka server.properties`)
 *   run straight from java on free 127.0.0.1 ports, with configs, data and logs in a private temp
 *   folder. Every JVM carries `-Dkvs.old-kafka.dir=<that folder>` so leftovers can be found.
 * - Java 17: jaxb-api is added to the jars (Java 11+ dropped JAXB); see OLD_KAFKA_JVM_FLAGS.
 *
 * close() stops the broker then ZooKeeper (SIGTERM, SIGKILL after 10 s) and deletes the folder;
 * it is idempotent. Plain Node (no Vitest). Check oldKafkaSkipReason() first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { probeApiVersions } from '../../electron/core/doctor/probes.js';
import { LOG4J_PROPERTIES, propertiesPath } from '../local-kafka/config.js';
import { cacheRoot } from '../local-kafka/install.js';
import { HOST, canConnect, freePorts } from '../local-kafka/ports.js';
import { isAlive, processesWithArgument, terminate } from '../local-kafka/processes.js';
import { findJava, findMaven, findOnPath } from '../local-kafka/tools.js';

export const OLD_KAFKA_VERSION = '0.10.2.2';
const SCALA = '2.12';
const KAFKA_JAR = `kafka_${SCALA}-${OLD_KAFKA_VERSION}.jar`;

const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

/**
 * JVM flags for Kafka 0.10.2 on Java 17. The only hard Java 9+ breakage is JAXB
 * (javax.xml.bind.DatatypeConverter, used for the cluster id), fixed by putting jaxb-api on the
 * class path (see POM), not by a flag. Startup, produce and a clean SIGTERM shutdown also worked
 * WITHOUT the --add-opens (Linux, OpenJDK 17); they stay as a precaution for code paths such as
 * memory-mapped index unmapping (sun.nio.ch.DirectBuffer). No GC-logging flags: Kafka's own
 * scripts pass -XX:+PrintGCDateStamps etc., which Java 9+ rejects, but we start java directly.
 */
export const OLD_KAFKA_JVM_FLAGS = [
  '-Xmx256m',
  '-XX:-UsePerfData',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
];

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kvs.test</groupId>
  <artifactId>old-kafka-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${SCALA}</artifactId>
      <version>${OLD_KAFKA_VERSION}</version>
    </dependency>
    <!-- Java 11+ no longer ships JAXB; Kafka 0.10 uses javax.xml.bind.DatatypeConverter (cluster id). -->
    <dependency>
      <groupId>javax.xml.bind</groupId>
      <artifactId>jaxb-api</artifactId>
      <version>2.3.1</version>
    </dependency>
  </dependencies>
</project>
`;
const POM_SHA256 = createHash('sha256').update(POM).digest('hex');
const MARKER = '.kvs-complete.json';

export interface OldKafka {
  /** "127.0.0.1:<port>" */
  bootstrap: string;
  /** The last lines of the broker's and ZooKeeper's logs. */
  log(): string;
  /** Pids of the two JVMs (for leak checks). */
  pids: { broker: number; zookeeper: number };
  /** The private temp folder (configs, data, logs); gone after close(). */
  dir: string;
  close(): Promise<void>;
}

/** The folder the 0.10.2.2 jars are cached in. */
export function oldKafkaLibsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), `kafka-${OLD_KAFKA_VERSION}`, 'libs');
}

function libsComplete(dir: string): boolean {
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')) as {
      pomSha256?: unknown;
    };
    return marker.pomSha256 === POM_SHA256 && existsSync(path.join(dir, KAFKA_JAR));
  } catch {
    return false;
  }
}

/** Why the old broker cannot run here, or undefined when it can. Never throws. */
export function oldKafkaSkipReason(): string | undefined {
  try {
    if (process.platform !== 'linux') return 'needs Linux';
    const javaHome = process.env.JAVA_HOME;
    const java =
      (javaHome !== undefined && javaHome !== '' && existsSync(path.join(javaHome, 'bin', 'java'))
        ? path.join(javaHome, 'bin', 'java')
        : undefined) ?? findOnPath(['java'], process.env);
    if (java === undefined) return 'java is not installed (JAVA_HOME or PATH)';
    if (spawnSync(java, ['-version'], { timeout: 20_000 }).status !== 0)
      return `${java} -version failed`;
    if (!libsComplete(oldKafkaLibsDir()) && findOnPath(['mvn'], process.env) === undefined)
      return `Maven (mvn) is not on PATH and Kafka ${OLD_KAFKA_VERSION} is not cached in ${oldKafkaLibsDir()}`;
    return undefined;
  } catch (error) {
    return `cannot check for java/mvn: ${String(error)}`;
  }
}

/** The jar folder, downloading Kafka 0.10.2.2 and its dependencies with Maven on first use. */
export async function ensureOldKafkaLibs(
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const dir = oldKafkaLibsDir();
  if (libsComplete(dir)) return dir;
  const mvn = findMaven(process.env, `Apache Kafka ${OLD_KAFKA_VERSION}`);
  log(`Downloading Apache Kafka ${OLD_KAFKA_VERSION} from Maven Central (first run only)…`);
  await mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(tmp, { recursive: true });
    const pom = path.join(tmp, 'pom.xml');
    await writeFile(pom, POM);
    const out = path.join(tmp, 'libs');
    await runMaven(mvn, [
      '-q',
      '-B',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${out}`,
    ]);
    if (!(await readdir(out)).includes(KAFKA_JAR))
      throw new Error(`Maven finished but ${out} has no ${KAFKA_JAR}`);
    await writeFile(
      path.join(out, MARKER),
      `${JSON.stringify({ kafkaVersion: OLD_KAFKA_VERSION, pomSha256: POM_SHA256 }, null, 2)}\n`,
    );
    if (libsComplete(dir)) return dir; // someone else finished first
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(out, dir);
    } catch (error) {
      if (!libsComplete(dir)) throw error;
    }
    return dir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function runMaven(mvn: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-10_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${mvn}: ${error.message}`));
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `Maven failed (${sig ?? `exit ${String(code)}`}):\n${output.trim().split('\n').slice(-30).join('\n')}`,
          ),
        );
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fetches the jars (once), starts ZooKeeper and Kafka 0.10.2.2 on free 127.0.0.1 ports in a temp
 * folder and resolves when the broker answers TCP and the doctor's own ApiVersions probe (within
 * ~90 s); else stops everything and rejects with the log tails.
 */
export async function startOldKafka(
  options: { log?: (line: string) => void } = {},
): Promise<OldKafka> {
  const java = await findJava(process.env);
  const libs = await ensureOldKafkaLibs(options.log);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-old-kafka-'));
  const marker = `-Dkvs.old-kafka.dir=${dir}`;
  const zkLog = path.join(dir, 'zookeeper.log');
  const brokerLog = path.join(dir, 'broker.log');
  const log = (): string =>
    `--- zookeeper.log (${zkLog}) ---\n${tail(zkLog)}\n--- broker.log (${brokerLog}) ---\n${tail(brokerLog)}`;

  const pids: { broker: number; zookeeper: number } = { broker: -1, zookeeper: -1 };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      for (const pid of [pids.broker, pids.zookeeper])
        if (pid > 0) await terminate(pid, STOP_GRACE_MS);
      // Anything else carrying our marker (should be nothing).
      for (const pid of await processesWithArgument(marker)) await terminate(pid, STOP_GRACE_MS);
      await rm(dir, { recursive: true, force: true });
    })();
    return closed;
  };

  try {
    const [port, zkPort] = await freePorts(2);
    if (port === undefined || zkPort === undefined) throw new Error('no free ports');
    const bootstrap = `${HOST}:${port}`;
    const log4j = path.join(dir, 'log4j.properties');
    await writeFile(log4j, LOG4J_PROPERTIES);
    const zkCfg = path.join(dir, 'zoo.cfg');
    await writeFile(
      zkCfg,
      [
        `dataDir=${propertiesPath(path.join(dir, 'zookeeper'))}`,
        `clientPort=${zkPort}`,
        `clientPortAddress=${HOST}`,
        'maxClientCnxns=0',
        'tickTime=2000',
        '',
      ].join('\n'),
    );
    const serverProps = path.join(dir, 'server.properties');
    await writeFile(
      serverProps,
      [
        'broker.id=0',
        `listeners=PLAINTEXT://${HOST}:${port}`,
        `advertised.listeners=PLAINTEXT://${HOST}:${port}`,
        `zookeeper.connect=${HOST}:${zkPort}`,
        'zookeeper.connection.timeout.ms=18000',
        `log.dirs=${propertiesPath(path.join(dir, 'kafka-logs'))}`,
        'num.partitions=1',
        'default.replication.factor=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=5',
        'auto.create.topics.enable=true',
        'delete.topic.enable=true',
        '',
      ].join('\n'),
    );

    const jvm = (
      mainClass: string,
      args: string[],
      logFile: string,
      extra: string[] = [],
    ): number => {
      const fd = openSync(logFile, 'a');
      try {
        const child = spawn(
          java,
          [
            ...OLD_KAFKA_JVM_FLAGS,
            marker,
            `-Dlog4j.configuration=${pathToFileURL(log4j).href}`,
            ...extra,
            '-cp',
            path.join(libs, '*'),
            mainClass,
            ...args,
          ],
          { cwd: dir, detached: true, stdio: ['ignore', fd, fd] },
        );
        child.once('error', () => undefined);
        child.unref();
        if (child.pid === undefined) throw new Error(`could not start ${java}`);
        return child.pid;
      } finally {
        closeSync(fd);
      }
    };

    const deadline = Date.now() + START_TIMEOUT_MS;
    const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      for (;;) {
        for (const [name, pid] of Object.entries(pids))
          if (pid > 0 && !(await isAlive(pid))) throw new Error(`${name} exited during startup`);
        if (await check()) return;
        if (Date.now() >= deadline) throw new Error(`${what} within ${START_TIMEOUT_MS / 1000} s`);
        await sleep(250);
      }
    };

    pids.zookeeper = jvm('org.apache.zookeeper.server.ZooKeeperServerMain', [zkCfg], zkLog, [
      '-Dzookeeper.jmx.log4j.disable=true',
    ]);
    await waitFor(`ZooKeeper did not listen on ${HOST}:${zkPort}`, () => canConnect(zkPort));
    pids.broker = jvm('kafka.Kafka', [serverProps], brokerLog, [`-Dkafka.logs.dir=${dir}`]);
    await waitFor(`Kafka ${OLD_KAFKA_VERSION} did not answer on ${bootstrap}`, async () => {
      if (!(await canConnect(port))) return false;
      return (await probeApiVersions(HOST, port, 2_000)).ok;
    });
    return { bootstrap, log, pids: { ...pids }, dir, close };
  } catch (error) {
    const logs = log();
    await close();
    throw new Error(
      `Kafka ${OLD_KAFKA_VERSION} did not start: ${error instanceof Error ? error.message : String(error)}\n${logs}`,
    );
  }
}
