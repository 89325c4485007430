import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { isKvsError, type ErrorCode } from '../../electron/shared/errors.js';
import { parseCliArgs } from './cli.js';
import {
  brokerStatus,
  isAlive,
  freePort,
  parseJavaMajorVersion,
  restartBroker,
  startBroker,
  stopBroker,
  type StartResult,
} from './index.js';
import { hasKafka, kafkaModes } from '../test-support/kafka-env.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const quiet = (): void => undefined;

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(isKvsError(error) ? error.code : error).toBe(code);
    return (error as Error).message;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** A process that exited but is not yet reaped by its parent (a zombie) counts as gone. */
function pidAlive(pid: number): Promise<boolean> {
  return isAlive(pid);
}

function admin(bootstrap: string): ReturnType<Kafka['admin']> {
  return new Kafka({
    clientId: 'local-kafka-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
}

describe('local-kafka without a broker', () => {
  it('refuses a port that is taken, naming it (PORT_IN_USE)', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const message = await rejectsWith(
        startBroker({ name: `test-port-${process.pid}`, port, log: quiet }),
        'PORT_IN_USE',
      );
      expect(message).toContain(String(port));
      expect(message).toContain('--port');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports a never-started instance as stopped', async () => {
    const status = await brokerStatus({ name: `test-never-${process.pid}` });
    expect(status.running).toBe(false);
    expect(status.info).toBeUndefined();
  });

  it('says JAVA_NOT_FOUND when java is neither in JAVA_HOME nor on PATH', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'kvs-no-java-'));
    try {
      const env = { PATH: empty, JAVA_HOME: path.join(empty, 'missing') };
      const message = await rejectsWith(
        startBroker({ name: `test-nojava-${process.pid}`, env, log: quiet }),
        'JAVA_NOT_FOUND',
      );
      expect(message).toContain('OpenJDK 17');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('prints one "kafka: …" line and exits 1 from the CLI when java is missing', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'kvs-no-java-'));
    try {
      const { code, stdout, stderr } = await new Promise<{
        code: number | null;
        stdout: string;
        stderr: string;
      }>((resolve) => {
        const env: NodeJS.ProcessEnv = { ...process.env, PATH: empty };
        delete env.JAVA_HOME;
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', cli, 'start', '--name', `test-nojava-${process.pid}`],
          { env },
          (_e, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }),
        );
      });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^kafka: Java was not found/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('parses CLI arguments and rejects bad ones', () => {
    expect(
      parseCliArgs(['start', '--mode', 'zookeeper', '--port=9093', '--name', 'x', '--fresh']),
    ).toEqual({
      command: 'start',
      name: 'x',
      mode: 'zookeeper',
      port: 9093,
      fresh: true,
    });
    expect(() => parseCliArgs(['start', '--mode', 'kraftt'])).toThrow(/kraft or zookeeper/);
    expect(() => parseCliArgs(['start', '--port', '70000'])).toThrow(/--port/);
    expect(() => parseCliArgs(['stop', '--port', '1'])).toThrow(/Unknown option/);
    expect(() => parseCliArgs(['frob'])).toThrow(/Unknown command/);
  });

  it('reads java versions', () => {
    expect(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajorVersion('nonsense')).toBeUndefined();
  });
});

// Needs Java and the Kafka jars (Maven on first run); unit-only runs (KVS_NO_KAFKA=1) skip it.
describe.skipIf(process.env.KVS_NO_KAFKA === '1')(
  'local-kafka start / restart / stop (KRaft)',
  () => {
    const name = `test-cycle-${process.pid}`;
    afterAll(async () => {
      await stopBroker({ name, removeData: true });
    }, 60_000);

    it('keeps a topic across restart and leaves no process behind after stop', async () => {
      const port = await freePort();
      const first: StartResult = await startBroker({
        name,
        mode: 'kraft',
        port,
        fresh: true,
        log: quiet,
      });
      expect(first.bootstrap).toBe(`127.0.0.1:${port}`);
      expect(first.alreadyRunning).toBe(false);
      expect((await brokerStatus({ name })).running).toBe(true);

      const again = await startBroker({ name, log: quiet });
      expect(again.alreadyRunning).toBe(true);
      expect(again.bootstrap).toBe(first.bootstrap);

      const topic = 'kept-across-restart';
      const before = admin(first.bootstrap);
      await before.connect();
      await before.createTopics({ topics: [{ topic }], waitForLeaders: true });
      await before.disconnect();

      const second = await restartBroker({ name, log: quiet });
      expect(second.bootstrap).toBe(first.bootstrap);
      expect(second.pids.broker).not.toBe(first.pids.broker);
      expect(await pidAlive(first.pids.broker ?? -1)).toBe(false);
      const after = admin(second.bootstrap);
      await after.connect();
      expect(await after.listTopics()).toContain(topic);
      await after.disconnect();

      const stopped = await stopBroker({ name });
      expect(stopped.stopped).toEqual([second.pids.broker]);
      expect(stopped.killed).toEqual([]);
      for (const pid of [first.pids.broker, second.pids.broker])
        expect(await pidAlive(pid ?? -1)).toBe(false);
      expect((await brokerStatus({ name })).running).toBe(false);
    }, 240_000);
  },
);

describe.skipIf(!hasKafka())('global setup brokers', () => {
  it('provides both modes through inject and the environment, and both answer', async () => {
    const modes = kafkaModes();
    expect(modes.map((m) => m.mode)).toEqual(['kraft', 'zookeeper']);
    expect(inject('kvsKafkaKraftBootstrap')).toBe(process.env.KVS_TEST_KRAFT_BOOTSTRAP);
    expect(inject('kvsKafkaZkBootstrap')).toBe(process.env.KVS_TEST_ZK_BOOTSTRAP);
    for (const { bootstrap } of modes) {
      const client = admin(bootstrap);
      await client.connect();
      const cluster = await client.describeCluster();
      await client.disconnect();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([bootstrap]);
    }
  });
});
