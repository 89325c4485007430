/** `kvs devices`: the cameras `kvs produce --device` can read, as ffmpeg lists them. */
import { listDevices } from '../core/ffmpeg/list-devices.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { parseCommand, type CommandSpec, type DocumentedOptions } from './args.js';
import type { CliIo } from './cli-io.js';

export const DEVICES = {
  usage: 'kvs devices [--json]',
  summary:
    'List the cameras kvs produce --device can read (v4l2 on Linux, avfoundation on macOS, dshow on Windows).',
  maxPositionals: 0,
  options: { json: { type: 'boolean', help: 'print JSON' } },
  notes: ['Linux also lists /dev/video* nodes that ffmpeg does not name.'],
} as const satisfies CommandSpec<DocumentedOptions>;

export async function devicesCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(DEVICES, argv);
  const ff = await locateFfmpeg();
  const list = await listDevices({ ffmpegPath: ff.ffmpegPath });
  if (values.json) {
    io.out(JSON.stringify(list));
    return 0;
  }
  for (const d of list.devices)
    io.out(
      `${d.id}\t${d.name === d.id ? '' : d.name}\t(${d.format}: kvs produce --device "${d.id}")`,
    );
  for (const n of list.notes) io.err(`${n}\n`);
  return 0;
}
