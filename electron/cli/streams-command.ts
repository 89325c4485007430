/**
 * `kvs streams <topic>`: the streams a topic carries (the CLI twin of the viewer's stream list):
 * id, name, partition, format, size, fps, frames among the newest messages, the newest frame's
 * time, ended or not (core/kafka/stream-list.ts).
 */
import { KvsError } from '../shared/errors.js';
import { listTopicStreams, STREAM_LIST_PER_PARTITION } from '../core/kafka/stream-list.js';
import {
  BOOTSTRAP_OPTION,
  intOption,
  parseCommand,
  type CommandSpec,
  type DocumentedOptions,
} from './args.js';
import type { CliIo } from './cli-io.js';
import {
  kafkaFromOptions,
  requireBootstrapOrConfig,
  SECURITY_NOTES,
  SECURITY_OPTIONS,
} from './security-options.js';

export const STREAMS = {
  usage: 'kvs streams <topic> --bootstrap <list>',
  summary:
    'List the streams a topic carries (ids, names, partitions, formats), from its newest messages.',
  maxPositionals: 1,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ...SECURITY_OPTIONS,
    'per-partition': {
      type: 'string',
      value: 'N',
      help: `messages read back from the end of each partition (default ${STREAM_LIST_PER_PARTITION})`,
    },
    json: { type: 'boolean', help: 'print one JSON line' },
  },
  notes: [
    'A stream that sent nothing among the newest messages of its partition is not listed.',
    ...SECURITY_NOTES,
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

export async function streamsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(STREAMS, argv);
  const [topic] = positionals;
  if (topic === undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Name the topic, e.g. kvs streams demo --bootstrap 127.0.0.1:9092.',
    );
  requireBootstrapOrConfig(values);
  const perPartition = intOption(values['per-partition'], 'per-partition', 1, 100_000);
  const handle = await kafkaFromOptions(values, io);
  const list = await listTopicStreams(
    handle,
    topic,
    perPartition === undefined ? {} : { perPartition },
  );
  if (values.json) {
    io.out(JSON.stringify(list));
    return 0;
  }
  const partitions = `${list.partitions} partition${list.partitions === 1 ? '' : 's'}`;
  if (list.streams.length === 0)
    io.out(
      `No video streams among the newest ${list.scanned} messages of "${list.topic}" (${partitions}).`,
    );
  for (const s of list.streams) {
    const format = s.type === 'video/h264' ? (s.codec ?? 'h264') : s.type;
    const size = s.width !== null && s.height !== null ? `${s.width}x${s.height}` : '-';
    io.out(
      [
        s.id ?? '(no id: plain images)',
        `name=${s.name === null ? '-' : JSON.stringify(s.name)}`,
        `partition=${s.partition}`,
        format,
        size,
        `fps=${s.fps ?? '-'}`,
        `frames=${s.frames}`,
        `last=${new Date(s.lastFrameAt).toISOString()}`,
        s.ended ? 'ended' : 'live',
      ].join('\t'),
    );
  }
  if (list.skipped > 0)
    io.err(`${list.skipped} of ${list.scanned} messages read were not frames (skipped).\n`);
  if (!list.complete)
    io.err('Not every partition was read to its end in time: the list may be short.\n');
  return 0;
}
