/**
 * `kvs` — the command line over the Electron-free core: produce a video into a
 * topic, consume it back, list topics. Thin: parse arguments, call the core,
 * print. Exit 0 on success; otherwise one line `kvs: <message>` on stderr and
 * exit 1 (2 for a usage error).
 */
import { KvsError, toKvsError } from '../shared/errors.js';
import { createTopic, deleteTopic, listTopics } from '../core/kafka/topics.js';
import {
  BOOTSTRAP_OPTION,
  HelpRequested,
  intOption,
  parseCommand,
  type CommandSpec,
  type DocumentedOptions,
} from './args.js';
import { CONSUME, consumeCommand } from './consume-command.js';
import { processIo, type CliIo } from './cli-io.js';
import { doctorCommand } from './doctor-command.js';
import { EXPORT, exportCommand } from './export-command.js';
import { PRODUCE, produceCommand } from './produce-command.js';
import { serveCommand } from './serve.js';
import { serverCommand, setupCommand } from './setup-command.js';
import { setupClusterCommand } from './cluster-command.js';
import { STREAMS, streamsCommand } from './streams-command.js';
import {
  kafkaFromOptions,
  requireBootstrapOrConfig,
  SECURITY_NOTES,
  SECURITY_OPTIONS,
} from './security-options.js';

export { CONSUME, EXPORT, PRODUCE, STREAMS };

const defaultIo: CliIo = processIo;

const USAGE = `Kafka Video Studio command line

Usage:
  kvs produce <file> --bootstrap <list> --topic <name> [--codec h264|jpeg]
              [--bitrate 2M|--crf N] [--keyframe-interval S] [--fps N] [--width W] [--height H]
              [--quality Q] [--realtime|--max-rate] [--loop] [--raw] [--no-create]
              [--refuse-oversize] [--stream-id ID] [--stream-name NAME]
              [--retry-budget-ms 20000] [--json]
              one message per frame: H.264 (default) or JPEG (--raw: the tutorial's bare JPEG)
  kvs consume --bootstrap <list> --topic <name> [--stream ID] [--from-beginning|--from-time <ISO or ms>]
              [--max-frames N] [--timeout-ms T] [--until-eos] [--pace] [--out <dir>] [--json]
              --out writes images as frame-000001.jpg, … and H.264 as <streamId>.h264
  kvs export --bootstrap <list> --topic <name> [--stream ID] [--from T1] [--to T2]
              [--force] [--json] <out.mp4>
              a time range of a stream to MP4 (H.264 copied, JPEG encoded)
  kvs topics --bootstrap <list> [--json]
  kvs streams <topic> --bootstrap <list> [--per-partition N] [--json]
              the streams a topic carries: ids, names, partitions, formats
  kvs topics create <name> --bootstrap <list> [--partitions N]
  kvs topics delete <name> --bootstrap <list>
  kvs serve [--host 127.0.0.1] [--port N] [--open-path]
              the app in a browser: prints http://127.0.0.1:PORT/?token=… (Ctrl-C stops it)
  kvs setup --host <ip> --user <name> [--ssh-port 22] [--key <file>|--password-stdin]
              [--sudo-password-stdin] [--mode kraft|zookeeper] [--kafka-version V]
              [--kafka-tarball <file>|--kafka-url <mirror>] [--advertise <ip>]
              [--zookeeper auto|zookeeperd|bundled] [--install-dir /opt/kafka]
              [--accept-new-host-key|--host-key SHA256:…]
              [--known-hosts <file>] [--dry-run] [--json]
              install Kafka on a server over SSH (passwords: stdin lines, SSH first)
  kvs setup-cluster --hosts <ip>,<ip>,<ip> --user <name> [login options as for setup]
              [--kafka-version V] [--kafka-tarball <file>|--kafka-url <mirror>]
              [--advertise <ip>,<ip>,<ip>] [--dry-run] [--json]
              install a KRaft cluster of 3 or 5 servers, then check it from here
  kvs server start|stop|status|uninstall --host <ip> --user <name> [login options]
              [--install-dir /opt/kafka] [--remove-data] [--json]

  kvs doctor --bootstrap <list> [--topic <name> --frame-bytes N] [--json]
              why a broker cannot be used from here, and the exact fix (exit 2: problems found)

--bootstrap is the broker address from its advertised.listeners, e.g. 10.0.0.5:9092.
kvs <command> --help lists one command's options.
`;

// ---- the commands' options (their --help is generated from these) -----------------------------------

export const TOPICS = {
  usage: 'kvs topics [create <name> | delete <name>] --bootstrap <list>',
  summary: 'List the topics (partitions, messages, time range), or create or delete one.',
  maxPositionals: 2,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ...SECURITY_OPTIONS,
    partitions: { type: 'string', value: 'N', help: 'partitions of a topic to create (default 1)' },
    internal: {
      type: 'boolean',
      help: "also list Kafka's internal topics (__consumer_offsets, …)",
    },
    json: { type: 'boolean', help: 'print JSON' },
  },
  notes: SECURITY_NOTES,
} as const satisfies CommandSpec<DocumentedOptions>;

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    switch (command) {
      case 'produce':
        return await produceCommand(rest, io, controller.signal);
      case 'consume':
        return await consumeCommand(rest, io, controller.signal);
      case 'export':
        return await exportCommand(rest, io, controller.signal);
      case 'topics':
        return await topicsCommand(rest, io);
      case 'streams':
        return await streamsCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io, controller.signal);
      case 'setup':
        return await setupCommand(rest, io, controller.signal);
      case 'server':
        return await serverCommand(rest, io, controller.signal);
      case 'setup-cluster':
        return await setupClusterCommand(rest, io, controller.signal);
      case 'doctor':
        return await doctorCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.err(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new KvsError('INVALID_ARGUMENT', `Unknown command "${command}". Try: kvs help`);
    }
  } catch (e) {
    if (e instanceof HelpRequested) {
      for (const line of e.text.trimEnd().split('\n')) io.out(line);
      return 0;
    }
    const err = toKvsError(e);
    io.err(`kvs: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (process.env.KVS_DEBUG && err.detail) io.err(`${err.detail}\n`);
    return err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function topicsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(TOPICS, argv);
  requireBootstrapOrConfig(values);
  const handle = await kafkaFromOptions(values, io);
  const bootstrap = handle.bootstrap;
  const [action, name] = positionals;
  if (action === 'create' || action === 'delete') {
    if (!name)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `Name the topic to ${action}, e.g. kvs topics ${action} demo --bootstrap ${bootstrap}.`,
      );
    if (action === 'create')
      await createTopic(handle, name, {
        partitions: intOption(values.partitions, 'partitions', 1, 1000) ?? 1,
      });
    else await deleteTopic(handle, name);
    io.err(`Topic "${name}" ${action === 'create' ? 'created' : 'deleted'}.\n`);
    if (values.json) io.out(JSON.stringify({ topic: name, action }));
    return 0;
  }
  if (action !== undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Unknown topics action "${action}": use create or delete, or nothing to list.`,
    );
  const topics = await listTopics(handle, { includeInternal: values.internal === true });
  if (values.json) {
    io.out(JSON.stringify({ topics }));
    return 0;
  }
  if (topics.length === 0) io.out(`No topics on ${handle.bootstrap}.`);
  const fmt = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());
  for (const t of topics)
    io.out(
      `${t.name}\tpartitions=${t.partitions}\tmessages=${t.messages}\tfrom=${fmt(t.firstTimestamp)}\tto=${fmt(t.lastTimestamp)}`,
    );
  return 0;
}
