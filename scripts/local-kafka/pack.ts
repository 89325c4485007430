/**
 * `npm run kafka -- pack [--mode kraft|zookeeper] [--version V] --out <file.tgz>`
 *
 * Builds a runnable Apache Kafka distribution tarball from the jars Maven fetched
 * (ensureKafkaLibs), in the usual layout:
 *
 *   kafka_2.13-<version>/
 *     bin/     POSIX sh scripts (kafka-run-class.sh, kafka-server-start.sh, kafka-server-stop.sh,
 *              kafka-storage.sh, kafka-configs.sh, [kafka-topics.sh, kafka-metadata-quorum.sh],
 *              [zookeeper-server-start.sh, zookeeper-server-stop.sh])
 *     config/  server.properties (+ zookeeper.properties), log4j config for the pom's logging jars
 *     libs/    every jar
 *     kvs-dist.properties   what was packed (read by electron/core/setup/detect.ts)
 *
 * The .tgz is written with the system tar (argv, no shell), entries owned by 0:0, scripts
 * 0755, and a `<file>.sha512` next to it in sha512sum format.
 *
 * The bin/ scripts are written by distribution-scripts.ts, the config/ files by
 * distribution-config.ts; this file lists them (distributionFiles) and packs the tarball.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KvsError } from '../../electron/shared/errors.js';
import {
  DISTRIBUTION_ZOOKEEPER_PROPERTIES,
  LOG4J2_SERVER,
  LOG4J2_TOOLS,
  LOG4J_SERVER,
  LOG4J_TOOLS,
  distributionServerProperties,
  props,
} from './distribution-config.js';
import { runClassScript, startScript, stopScript, toolScript } from './distribution-scripts.js';
import { ensureKafkaLibs } from './install.js';
import type { Env } from './tools.js';
import { DISTRIBUTIONS, type KafkaMode } from './versions.js';

export { DISTRIBUTION_ZOOKEEPER_PROPERTIES, distributionServerProperties } from './distribution-config.js';

export interface PackOptions {
  /** Default 'kraft'. */
  mode?: KafkaMode;
  /** Must equal the version the mode pins (DISTRIBUTIONS[mode].kafkaVersion) when given. */
  version?: string;
  /** The .tgz to write (its folder is created). */
  out: string;
  env?: Env;
  log?: (line: string) => void;
}

export interface PackResult {
  mode: KafkaMode;
  kafkaVersion: string;
  zookeeperVersion?: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Absolute path of the `<tarball>.sha512` file. */
  sha512File: string;
  /** Hex SHA-512 of the tarball. */
  sha512: string;
  /** "kafka_2.13-<version>" */
  topDir: string;
  /** bin/ scripts in the tarball. */
  scripts: string[];
  /** Scripts that could not be included, with the reason. */
  omitted: string[];
}

export interface DistributionFile {
  /** Path inside the top dir, e.g. "bin/kafka-server-start.sh". */
  path: string;
  content: string;
  mode: number;
}

/** Every generated (non-jar) file of the distribution. Pure. */
export function distributionFiles(
  mode: KafkaMode,
  jars: readonly string[],
): { files: DistributionFile[]; omitted: string[] } {
  const dist = DISTRIBUTIONS[mode];
  const files: DistributionFile[] = [];
  const omitted: string[] = [];
  const script = (name: string, content: string): void => {
    files.push({ path: `bin/${name}`, content, mode: 0o755 });
  };
  const config = (name: string, content: string): void => {
    files.push({ path: `config/${name}`, content, mode: 0o644 });
  };
  script('kafka-run-class.sh', runClassScript(dist));
  script(
    'kafka-server-start.sh',
    startScript('kafkaServer', 'kafka.Kafka', '-Xmx1G -Xms1G', 'server.properties [--override property=value]*'),
  );
  script('kafka-server-stop.sh', stopScript('kafka.Kafka', 'kafka server'));
  script('kafka-storage.sh', toolScript('kafka.tools.StorageTool', dist));
  // SCRAM users through the broker (the setup wizard's TLS + SCRAM install); in the core jar.
  script('kafka-configs.sh', toolScript('kafka.admin.ConfigCommand', dist));
  if (jars.some((j) => /^kafka-tools-\d[\w.-]*\.jar$/.test(j) && !j.startsWith('kafka-tools-api'))) {
    script('kafka-topics.sh', toolScript('org.apache.kafka.tools.TopicCommand', dist));
    // the controller quorum's state (a cluster install's check: core/setup/quorum-check.ts)
    script(
      'kafka-metadata-quorum.sh',
      toolScript('org.apache.kafka.tools.MetadataQuorumCommand', dist),
    );
  } else {
    omitted.push(
      'bin/kafka-topics.sh: the kafka-tools jar (org.apache.kafka.tools.TopicCommand) is not among the pom\'s jars',
    );
  }
  config('server.properties', distributionServerProperties(mode));
  if (mode === 'zookeeper') {
    const qpm = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
    script(
      'zookeeper-server-start.sh',
      startScript('zookeeper', qpm, '-Xmx512M -Xms512M', 'zookeeper.properties'),
    );
    script('zookeeper-server-stop.sh', stopScript(qpm, 'zookeeper server'));
    config('zookeeper.properties', DISTRIBUTION_ZOOKEEPER_PROPERTIES);
  }
  if (dist.logging === 'log4j2') {
    config('log4j2.properties', LOG4J2_SERVER);
    config('tools-log4j2.properties', LOG4J2_TOOLS);
  } else {
    config('log4j.properties', LOG4J_SERVER);
    config('tools-log4j.properties', LOG4J_TOOLS);
  }
  const marker: Array<[string, string]> = [
    ['kafka.version', dist.kafkaVersion],
    ['scala.version', '2.13'],
    ['mode', mode],
  ];
  if (dist.zookeeperVersion !== undefined) marker.push(['zookeeper.version', dist.zookeeperVersion]);
  files.push({
    path: 'kvs-dist.properties',
    content: props(marker, 'Packed by Kafka Video Studio from Maven Central jars'),
    mode: 0o644,
  });
  return { files, omitted };
}

function execFileP(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else
        reject(
          new KvsError('INTERNAL', `${file} failed: ${stderr.trim() || error.message}`, stderr),
        );
    });
  });
}

function sha512Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Packs the distribution for `mode` into options.out (+ .sha512). */
export async function packKafka(options: PackOptions): Promise<PackResult> {
  const mode = options.mode ?? 'kraft';
  const dist = DISTRIBUTIONS[mode];
  if (options.version !== undefined && options.version !== dist.kafkaVersion) {
    const other = Object.values(DISTRIBUTIONS).find((d) => d.kafkaVersion === options.version);
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Only Kafka ${dist.kafkaVersion} can be packed in ${mode} mode (the version its pom pins)${
        other === undefined ? '' : `; ${other.kafkaVersion} is --mode ${other.mode}`
      }. Other versions: download the official tarball from https://archive.apache.org/dist/kafka/.`,
    );
  }
  if (options.out === '' || !/\.(tgz|tar\.gz)$/.test(options.out)) {
    throw new KvsError('INVALID_ARGUMENT', `--out must name a .tgz or .tar.gz file, not "${options.out}".`);
  }
  const tarball = path.resolve(options.out);
  const libs = await ensureKafkaLibs(mode, {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const jars = (await readdir(libs)).filter((f) => f.endsWith('.jar')).sort();
  const topDir = `kafka_2.13-${dist.kafkaVersion}`;
  const staging = await mkdtemp(path.join(os.tmpdir(), 'kvs-pack-'));
  const tmpOut = `${tarball}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const root = path.join(staging, topDir);
    for (const dir of ['bin', 'config', 'libs']) {
      await mkdir(path.join(root, dir), { recursive: true, mode: 0o755 });
      await chmod(path.join(root, dir), 0o755);
    }
    await chmod(root, 0o755);
    for (const jar of jars) {
      const target = path.join(root, 'libs', jar);
      await copyFile(path.join(libs, jar), target);
      await chmod(target, 0o644);
    }
    const { files, omitted } = distributionFiles(mode, jars);
    for (const f of files) {
      const target = path.join(root, f.path);
      await writeFile(target, f.content, { mode: f.mode });
      await chmod(target, f.mode);
    }
    await mkdir(path.dirname(tarball), { recursive: true });
    await execFileP('tar', [
      '--create',
      '--gzip',
      `--file=${tmpOut}`,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--sort=name',
      '--directory',
      staging,
      '--',
      topDir,
    ]);
    const sha512 = await sha512Of(tmpOut);
    await rename(tmpOut, tarball);
    const sha512File = `${tarball}.sha512`;
    await writeFile(sha512File, `${sha512}  ${path.basename(tarball)}\n`);
    const result: PackResult = {
      mode,
      kafkaVersion: dist.kafkaVersion,
      tarball,
      sha512File,
      sha512,
      topDir,
      scripts: files.filter((f) => f.path.startsWith('bin/')).map((f) => f.path),
      omitted,
    };
    if (dist.zookeeperVersion !== undefined) result.zookeeperVersion = dist.zookeeperVersion;
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(tmpOut, { force: true });
  }
}
