/**
 * npm run kafka -- <command> [options]     (node --import tsx scripts/local-kafka/cli.ts …)
 *
 *   start   [--mode kraft|zookeeper] [--port N] [--name NAME] [--fresh]
 *   stop    [--name NAME]
 *   restart [--name NAME]
 *   status  [--name NAME]
 *   fetch   [--mode kraft|zookeeper]   download the jars only (CI does this before the tests)
 *   pack    [--mode kraft|zookeeper] [--version V] --out FILE.tgz   a runnable Kafka tarball (+ .sha512)
 *
 * A single-node Apache Kafka on 127.0.0.1 for development and tests. kraft (default) is
 * Kafka 4.1.1; zookeeper is Kafka 3.9.1 with ZooKeeper 3.8.4. The jars come from Maven
 * Central (first run only) into ${KVS_CACHE_DIR:-~/.cache/kafka-video-studio}.
 *
 * Each instance keeps its data, configs, logs and state.json in <tmp>/kvs-kafka-<name>.
 * stop keeps the data; restart and a later start in the same mode reuse it (topics and
 * messages survive); start --fresh, or a start in the other mode, begins empty. A start
 * without --mode/--port uses the instance's previous mode and port (first time: kraft, 9092).
 *
 * start prints the bootstrap address as its last line of stdout. status exits 0 when
 * running, 3 when stopped. Errors print one line "kafka: <message>" on stderr, exit 1.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KvsError, toKvsError } from '../../electron/shared/errors.js';
import { packKafka } from './pack.js';
import {
  brokerStatus,
  DEFAULT_NAME,
  isKafkaMode,
  ensureKafkaLibs,
  restartBroker,
  startBroker,
  stopBroker,
  type KafkaMode,
  type StartResult,
} from './index.js';

export * from './index.js';

const USAGE = `usage: npm run kafka -- <start|stop|restart|status> [options]
  start   [--mode kraft|zookeeper] [--port N] [--name NAME] [--fresh]
  stop    [--name NAME]
  restart [--name NAME]
  status  [--name NAME]
  fetch   [--mode kraft|zookeeper]
  pack    [--mode kraft|zookeeper] [--version V] --out FILE.tgz`;

interface CliArgs {
  command: string;
  name: string;
  mode?: KafkaMode;
  port?: number;
  fresh: boolean;
  version?: string;
  out?: string;
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: '', name: DEFAULT_NAME, fresh: false };
  const allowed: Record<string, readonly string[]> = {
    start: ['--mode', '--port', '--name', '--fresh'],
    stop: ['--name'],
    restart: ['--name'],
    status: ['--name'],
    fetch: ['--mode'],
    pack: ['--mode', '--version', '--out'],
  };
  const rest = [...argv];
  const command = rest.shift();
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    throw new KvsError('INVALID_ARGUMENT', USAGE);
  }
  const flags = allowed[command];
  if (flags === undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Unknown command "${command}"; use start, stop, restart, status, fetch or pack (npm run kafka -- --help).`,
    );
  args.command = command;
  while (rest.length > 0) {
    const token = rest.shift() ?? '';
    const eq = token.indexOf('=');
    const flag = eq > 0 ? token.slice(0, eq) : token;
    if (!flags.includes(flag))
      throw new KvsError(
        'INVALID_ARGUMENT',
        `Unknown option "${flag}" for ${command}; it takes ${flags.join(', ')}.`,
      );
    if (flag === '--fresh') {
      args.fresh = true;
      continue;
    }
    const value = eq > 0 ? token.slice(eq + 1) : rest.shift();
    if (value === undefined || value === '')
      throw new KvsError('INVALID_ARGUMENT', `${flag} needs a value.`);
    if (flag === '--mode') {
      if (!isKafkaMode(value))
        throw new KvsError(
          'INVALID_ARGUMENT',
          `--mode must be kraft or zookeeper, not "${value}".`,
        );
      args.mode = value;
    } else if (flag === '--port') {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
        throw new KvsError(
          'INVALID_ARGUMENT',
          `--port must be a whole number from 1 to 65535, not "${value}".`,
        );
      }
      args.port = port;
    } else if (flag === '--version') {
      args.version = value;
    } else if (flag === '--out') {
      args.out = value;
    } else {
      args.name = value;
    }
  }
  return args;
}

function describe(r: StartResult): string {
  const zk = r.zookeeperVersion === undefined ? '' : ` + ZooKeeper ${r.zookeeperVersion}`;
  return `Kafka ${r.kafkaVersion}${zk} (${r.mode} mode)`;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0] ?? '')) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 1 : 0;
  }
  const args = parseCliArgs(argv);
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const nameFlag = args.name === DEFAULT_NAME ? '' : ` --name ${args.name}`;
  switch (args.command) {
    case 'start':
    case 'restart': {
      // Ctrl-C while starting: end what was started rather than leave a JVM behind.
      const onSigint = (): void => {
        process.stderr.write('kafka: interrupted, stopping what was started…\n');
        void stopBroker({ name: args.name }).finally(() => process.exit(130));
      };
      process.once('SIGINT', onSigint);
      const result =
        args.command === 'start'
          ? await startBroker({
              name: args.name,
              mode: args.mode,
              port: args.port,
              fresh: args.fresh,
            })
          : await restartBroker({ name: args.name });
      process.off('SIGINT', onSigint);
      if (result.alreadyRunning) {
        out(
          `${describe(result)} "${args.name}" is already running (pids ${pidList(result.pids)}).`,
        );
      } else {
        out(
          `${describe(result)} "${args.name}" ${args.command === 'start' ? 'started' : 'restarted'} in ${(result.elapsedMs / 1000).toFixed(1)} s; data and logs in ${result.stateDir}`,
        );
      }
      out(result.bootstrap);
      return 0;
    }
    case 'stop': {
      const result = await stopBroker({ name: args.name });
      if (result.stopped.length === 0) out(`Kafka "${args.name}" was not running.`);
      else {
        const killed =
          result.killed.length > 0 ? ` (${result.killed.join(', ')} had to be killed)` : '';
        out(
          `Kafka "${args.name}" stopped (pids ${result.stopped.join(', ')})${killed}. Data kept; start${nameFlag} again or restart${nameFlag} to reuse it.`,
        );
      }
      return 0;
    }
    case 'pack': {
      if (args.out === undefined) throw new KvsError('INVALID_ARGUMENT', 'pack needs --out FILE.tgz.');
      const packed = await packKafka({
        mode: args.mode ?? 'kraft',
        out: args.out,
        ...(args.version === undefined ? {} : { version: args.version }),
      });
      for (const note of packed.omitted) out(`not included: ${note}`);
      out(`${packed.sha512File}`);
      out(packed.tarball);
      return 0;
    }
    case 'fetch': {
      out(await ensureKafkaLibs(args.mode ?? 'kraft'));
      return 0;
    }
    case 'status': {
      const status = await brokerStatus({ name: args.name });
      const info = status.info;
      out(status.running ? 'running' : 'stopped');
      out(`name: ${status.name}`);
      if (info !== undefined) {
        out(`mode: ${info.mode}`);
        out(
          `version: Kafka ${info.kafkaVersion}${info.zookeeperVersion === undefined ? '' : `, ZooKeeper ${info.zookeeperVersion}`}`,
        );
        out(`bootstrap: ${info.bootstrap}`);
        if (status.running) out(`pids: ${pidList(info.pids)}`);
      }
      out(`dir: ${status.stateDir}`);
      return status.running ? 0 : 3;
    }
    default:
      throw new KvsError('INVALID_ARGUMENT', USAGE);
  }
}

function pidList(pids: { broker?: number; zookeeper?: number }): string {
  const parts: string[] = [];
  if (pids.broker !== undefined) parts.push(`broker ${pids.broker}`);
  if (pids.zookeeper !== undefined) parts.push(`zookeeper ${pids.zookeeper}`);
  return parts.join(', ') || 'none';
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const e = toKvsError(error);
      process.stderr.write(`kafka: ${e.message}\n`);
      if (e.detail !== undefined && e.detail !== '') {
        process.stderr.write(`${e.detail.replace(/^/gm, '  | ')}\n`);
      }
      process.exitCode = 1;
    },
  );
}
