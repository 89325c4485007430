/**
 * Real java, real tar, no mocks: pack a distribution, extract it, and run it with its own
 * bin/ scripts the way the setup wizard will on a server.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../electron/core/kafka/client.js';
import { isKvsError } from '../../electron/shared/errors.js';
import { serverProperties, zookeeperProperties } from '../../electron/core/setup/config.js';
import { SCRIPTS } from '../../electron/core/setup/scripts.js';
import { parseQuorumReplication } from '../../electron/core/setup/quorum-check.js';
import { validateKafkaVersion } from '../../electron/shared/setup-validate.js';
import { distributionFiles, packKafka } from './pack.js';
import { freePorts } from './ports.js';
import { isAlive, processesWithArgument } from './processes.js';
import { DISTRIBUTIONS, type KafkaMode } from './versions.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, cwd, timeout: 45_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Small, fast JVMs for the test (the scripts' defaults are Kafka's: 1 GB heap, G1). */
const JVM_ENV = {
  KAFKA_HEAP_OPTS: '-Xmx512m',
  KAFKA_JVM_PERFORMANCE_OPTS: '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true',
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const work: string[] = [];

afterAll(async () => {
  // Never leave a JVM behind, whatever failed.
  for (const dir of work) {
    for (const pid of await processesWithArgument(`${dir}/${topDirOf('kraft')}/libs/*`)) kill9(pid);
    for (const pid of await processesWithArgument(`${dir}/${topDirOf('zookeeper')}/libs/*`))
      kill9(pid);
    await rm(dir, { recursive: true, force: true });
  }
});

function kill9(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

function topDirOf(mode: KafkaMode): string {
  return `kafka_2.13-${DISTRIBUTIONS[mode].kafkaVersion}`;
}

function setProps(text: string, values: Record<string, string>): string {
  const seen = new Set<string>();
  const lines = text.split('\n').map((line) => {
    const key = /^([^#=\s][^=]*)=/.exec(line)?.[1];
    if (key !== undefined && key in values) {
      seen.add(key);
      return `${key}=${values[key] ?? ''}`;
    }
    return line;
  });
  for (const [k, v] of Object.entries(values)) if (!seen.has(k)) lines.push(`${k}=${v}`);
  return `${lines.join('\n')}\n`;
}

const extracted = new Map<KafkaMode, Promise<{ base: string; dir: string }>>();
function packAndExtract(mode: KafkaMode): Promise<{ base: string; dir: string }> {
  let p = extracted.get(mode);
  if (p === undefined) {
    p = packAndExtractOnce(mode);
    extracted.set(mode, p);
  }
  return p;
}

async function packAndExtractOnce(mode: KafkaMode): Promise<{ base: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-pack-test-'));
  work.push(dir);
  const out = path.join(dir, 'out', `kafka-${mode}.tgz`);
  const result = await packKafka({ mode, out, log: () => undefined });
  expect(result.tarball).toBe(out);
  expect(result.topDir).toBe(topDirOf(mode));
  // sha512sum-compatible file next to it
  const check = await run('sha512sum', ['-c', `${path.basename(out)}.sha512`], {}, path.dirname(out));
  expect(check.code, check.stderr).toBe(0);
  // owned by 0:0, scripts executable
  const listing = await run('tar', ['-tvzf', out, '--numeric-owner']);
  expect(listing.code).toBe(0);
  const lines = listing.stdout.split('\n').filter((l) => l !== '');
  for (const line of lines) expect(line).toMatch(/^\S+ 0\/0 /);
  const start = lines.find((l) => l.endsWith('/bin/kafka-server-start.sh'));
  expect(start).toMatch(/^-rwxr-xr-x /);
  expect(lines.some((l) => /\/libs\/kafka_2\.13-[\d.]+\.jar$/.test(l))).toBe(true);
  const x = await run('tar', ['-xzf', out, '-C', dir]);
  expect(x.code, x.stderr).toBe(0);
  return { base: path.join(dir, topDirOf(mode)), dir };
}

async function adminListsTopics(bootstrap: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const { kafka } = createKafka({ bootstrap, retries: 0, connectionTimeoutMs: 1000, requestTimeoutMs: 3000 });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      return topics;
    } catch (error) {
      last = error;
      await sleep(300);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(`broker at ${bootstrap} did not answer: ${String(last)}`);
}

async function waitGone(cpArg: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let pids = await processesWithArgument(cpArg);
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(200);
    const alive: number[] = [];
    for (const pid of pids) if (await isAlive(pid)) alive.push(pid);
    pids = alive;
  }
  return pids;
}

describe('npm run kafka -- pack', () => {
  it('kraft: the packed distribution formats, starts with -daemon, serves kafkajs and stops', async () => {
    const { base } = await packAndExtract('kraft');
    const bin = (s: string): string => path.join(base, 'bin', s);
    const names = await readdir(path.join(base, 'bin'));
    expect(names.sort()).toEqual([
      'kafka-configs.sh',
      'kafka-metadata-quorum.sh',
      'kafka-run-class.sh',
      'kafka-server-start.sh',
      'kafka-server-stop.sh',
      'kafka-storage.sh',
      'kafka-topics.sh',
    ]);
    const [port, controllerPort] = await freePorts(2);
    if (port === undefined || controllerPort === undefined) throw new Error('no ports');
    const configFile = path.join(base, 'config', 'server.properties');
    const shipped = await readFile(configFile, 'utf8');
    expect(shipped).toContain('process.roles=broker,controller');
    expect(shipped).toContain('listeners=PLAINTEXT://:9092,CONTROLLER://:9093');
    await writeFile(
      configFile,
      setProps(shipped, {
        listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
        'log.dirs': path.join(base, 'data'),
      }),
    );
    const uuid = await run(bin('kafka-storage.sh'), ['random-uuid'], JVM_ENV);
    expect(uuid.code, uuid.stderr).toBe(0);
    const clusterId = uuid.stdout.trim();
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const format = await run(
      bin('kafka-storage.sh'),
      ['format', '-t', clusterId, '-c', configFile, '--standalone'],
      JVM_ENV,
    );
    expect(format.code, format.stderr + format.stdout).toBe(0);
    expect(existsSync(path.join(base, 'data', 'meta.properties'))).toBe(true);

    const start = await run(bin('kafka-server-start.sh'), ['-daemon', configFile], JVM_ENV, base);
    expect(start.code, start.stderr).toBe(0);
    const cpArg = `${base}/libs/*`;
    try {
      const topics = await adminListsTopics(`127.0.0.1:${port}`, 40_000);
      expect(Array.isArray(topics)).toBe(true);
      expect((await processesWithArgument(cpArg)).length).toBe(1);
      expect(existsSync(path.join(base, 'logs', 'server.log'))).toBe(true);
      expect(existsSync(path.join(base, 'logs', 'kafkaServer.out'))).toBe(true);
      // the quorum tool a cluster install's check runs: this node leads a quorum of one
      const quorum = await run(
        bin('kafka-metadata-quorum.sh'),
        ['--bootstrap-server', `127.0.0.1:${port}`, 'describe', '--replication'],
        JVM_ENV,
      );
      expect(quorum.code, quorum.stderr).toBe(0);
      expect(parseQuorumReplication(quorum.stdout)).toMatchObject({
        leaderId: 1,
        members: [{ nodeId: 1, status: 'Leader' }],
      });

      const stop = await run(bin('kafka-server-stop.sh'), [], {});
      expect(stop.code, stop.stderr + stop.stdout).toBe(0);
      expect(await waitGone(cpArg, 30_000)).toEqual([]);
      const again = await run(bin('kafka-server-stop.sh'), [], {});
      expect(again.code).toBe(1);
      expect(again.stdout).toContain('No kafka server to stop');
    } finally {
      for (const pid of await processesWithArgument(cpArg)) kill9(pid);
    }
  }, 60_000);

  it('zookeeper: zookeeper-server-start.sh -daemon + kafka-server-start.sh -daemon, then both stop', async () => {
    const { base } = await packAndExtract('zookeeper');
    const bin = (s: string): string => path.join(base, 'bin', s);
    const [port, zkPort] = await freePorts(2);
    if (port === undefined || zkPort === undefined) throw new Error('no ports');
    const zkConfig = path.join(base, 'config', 'zookeeper.properties');
    const config = path.join(base, 'config', 'server.properties');
    const shipped = await readFile(config, 'utf8');
    expect(shipped).toContain('zookeeper.connect=localhost:2181');
    await writeFile(
      zkConfig,
      setProps(await readFile(zkConfig, 'utf8'), {
        dataDir: path.join(base, 'zk-data'),
        clientPort: String(zkPort),
        clientPortAddress: '127.0.0.1',
      }),
    );
    await writeFile(
      config,
      setProps(shipped, {
        listeners: `PLAINTEXT://127.0.0.1:${port}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
        'zookeeper.connect': `127.0.0.1:${zkPort}`,
        'log.dirs': path.join(base, 'data'),
      }),
    );
    const cpArg = `${base}/libs/*`;
    try {
      const zk = await run(bin('zookeeper-server-start.sh'), ['-daemon', zkConfig], JVM_ENV);
      expect(zk.code, zk.stderr).toBe(0);
      const kafka = await run(bin('kafka-server-start.sh'), ['-daemon', config], JVM_ENV);
      expect(kafka.code, kafka.stderr).toBe(0);
      await adminListsTopics(`127.0.0.1:${port}`, 40_000);
      expect((await processesWithArgument(cpArg)).length).toBe(2);

      const stopKafka = await run(bin('kafka-server-stop.sh'), []);
      expect(stopKafka.code, stopKafka.stderr + stopKafka.stdout).toBe(0);
      const stopZk = async (): Promise<void> => {
        // only once the broker is gone (it needs ZooKeeper to shut down cleanly)
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const left = await processesWithArgument(cpArg);
          if (left.length <= 1) break;
          await sleep(200);
        }
        const r = await run(bin('zookeeper-server-stop.sh'), []);
        expect(r.code, r.stderr + r.stdout).toBe(0);
      };
      await stopZk();
      expect(await waitGone(cpArg, 30_000)).toEqual([]);
    } finally {
      for (const pid of await processesWithArgument(cpArg)) kill9(pid);
    }
  }, 60_000);

  it.each(['kraft', 'zookeeper'] as const)(
    'setup wizard (%s): its server.properties and fixed scripts run the packed Kafka',
    async (mode) => {
      const { base } = await packAndExtract(mode);
      const [port, second] = await freePorts(2);
      if (port === undefined || second === undefined) throw new Error('no ports');
      const data = path.join(base, `setup-data-${mode}`);
      const v = validateKafkaVersion(DISTRIBUTIONS[mode].kafkaVersion);
      const config = path.join(base, 'config', `setup-${mode}.properties`);
      await writeFile(
        config,
        serverProperties({ mode, kafkaVersion: v, advertise: '127.0.0.1', logDirs: data })
          .replaceAll(':9092', `:${port}`)
          .replaceAll(':9093', `:${second}`)
          .replaceAll(':2181', `:${second}`),
      );
      const env = { ...JVM_ENV, LOG_DIR: path.join(base, `setup-logs-${mode}`) };
      const pidFile = path.join(base, `setup-${mode}.pid`);
      const zkPid = path.join(base, `setup-zk.pid`);
      const cpArg = `${base}/libs/*`;
      try {
        if (mode === 'kraft') {
          const args = [base, config, data, 'standalone'];
          const f = await run('sh', ['-c', SCRIPTS.formatKraft, 'sh', ...args], env);
          expect(f.code, f.stderr).toBe(0);
          expect(existsSync(path.join(data, 'meta.properties'))).toBe(true);
          // formatted exactly once: a second run is a no-op, not "Invalid cluster.id"
          expect((await run('sh', ['-c', SCRIPTS.formatKraft, 'sh', ...args], env)).code).toBe(0);
        } else {
          const zkConfig = path.join(base, 'config', 'setup-zk.properties');
          await writeFile(
            zkConfig,
            zookeeperProperties(path.join(base, 'setup-zk-data')).replace('clientPort=2181', `clientPort=${second}`),
          );
          const zk = await run('sh', ['-c', SCRIPTS.background, 'sh', zkPid, path.join(base, 'zk.out'), path.join(base, 'bin', 'zookeeper-server-start.sh'), zkConfig], env);
          expect(zk.code, zk.stderr).toBe(0);
        }
        const start = await run(
          'sh',
          ['-c', SCRIPTS.background, 'sh', pidFile, path.join(base, 'kafka.out'), path.join(base, 'bin', 'kafka-server-start.sh'), config],
          env,
        );
        expect(start.code, start.stderr).toBe(0);
        await adminListsTopics(`127.0.0.1:${port}`, 40_000);
        expect((await run('sh', ['-c', SCRIPTS.pidAlive, 'sh', pidFile])).code).toBe(0);
        const stop = await run('sh', ['-c', SCRIPTS.stopPid, 'sh', pidFile, '30']);
        expect(stop.code, stop.stderr).toBe(0);
        if (mode === 'zookeeper') expect((await run('sh', ['-c', SCRIPTS.stopPid, 'sh', zkPid, '30'])).code).toBe(0);
        expect(await waitGone(cpArg, 10_000)).toEqual([]);
      } finally {
        for (const pid of await processesWithArgument(cpArg)) kill9(pid);
      }
    },
    60_000,
  );

  it('refuses a version the mode does not pin, naming the mode that has it', async () => {
    const err = await packKafka({ mode: 'kraft', version: '3.9.1', out: '/tmp/x.tgz' }).catch(
      (e: unknown) => e,
    );
    expect(isKvsError(err) && err.code === 'INVALID_ARGUMENT').toBe(true);
    expect(String((err as Error).message)).toContain('--mode zookeeper');
    const bad = await packKafka({ mode: 'kraft', version: '2.0.0', out: '/tmp/x.tgz' }).catch(
      (e: unknown) => e,
    );
    expect((bad as Error).message).toContain('Only Kafka 4.1.1');
  });

  it('generated scripts are valid POSIX sh and kafka-topics.sh is only there with kafka-tools', async () => {
    for (const mode of ['kraft', 'zookeeper'] as const) {
      const { files, omitted } = distributionFiles(mode, ['kafka_2.13-1.jar', 'kafka-tools-api-1.jar']);
      expect(omitted.join('')).toContain('kafka-topics.sh');
      for (const f of files.filter((x) => x.path.startsWith('bin/'))) {
        expect(f.content.startsWith('#!/bin/sh\n')).toBe(true);
        expect(f.mode).toBe(0o755);
        const checked = await run('sh', ['-n', '-c', f.content]);
        expect(checked.code, `${f.path}: ${checked.stderr}`).toBe(0);
      }
    }
    const withTools = distributionFiles('kraft', ['kafka-tools-4.1.1.jar']);
    expect(withTools.omitted).toEqual([]);
    expect(withTools.files.map((f) => f.path)).toContain('bin/kafka-topics.sh');
  });
});
