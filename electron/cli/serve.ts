/**
 * `kvs serve`: parse the options, start the browser transport (electron/browser) with this
 * computer's user-data folder, print the address, wait for Ctrl-C, stop.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvsError } from '../shared/errors.js';
import { isLoopbackHost } from '../browser/access.js';
import { startServer } from '../browser/browser-server.js';
import { NOT_BUILT_MESSAGE } from '../browser/static-files.js';
import { userDataDir } from '../services/user-data-dir.js';
import { intOption, parseCommand, type CommandSpec, type DocumentedOptions } from './args.js';
import type { CliIo } from './cli-io.js';

/**
 * The built page of this checkout: `<project>/out/renderer`, found from this module's own place
 * (the source, or the built CLI in out/cli/) by walking up to the project's package.json.
 */
export function defaultStaticDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (
          (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name ===
          'kafka-video-studio'
        )
          return path.join(dir, 'out', 'renderer');
      } catch {
        // not ours: keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve('out', 'renderer');
    dir = up;
  }
}

export const SERVE = {
  usage: 'kvs serve',
  summary: 'The app in a browser: prints http://127.0.0.1:PORT/?token=… to open (Ctrl-C stops it).',
  maxPositionals: 0,
  options: {
    host: {
      type: 'string',
      value: '<ip>',
      help: 'the address to listen on (default 127.0.0.1: this computer only)',
    },
    port: { type: 'string', value: 'N', help: 'the port (default: a free one)' },
    'open-path': {
      type: 'boolean',
      help: 'let the page open video files on this computer by path',
    },
  },
} as const satisfies CommandSpec<DocumentedOptions>;

export async function serveCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
  opts: { staticDir?: string } = {},
): Promise<number> {
  const { values } = parseCommand(SERVE, argv);
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0 && host !== 'localhost')
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--host must be an IP address such as 127.0.0.1 (or 0.0.0.0 for every interface), got "${host}".`,
    );
  const port = intOption(values.port, 'port', 0, 65535) ?? 0;
  const staticDir = opts.staticDir ?? defaultStaticDir();
  if (!existsSync(path.join(staticDir, 'index.html')))
    throw new KvsError('FILE_NOT_FOUND', NOT_BUILT_MESSAGE);
  const dataDir = userDataDir();
  const server = await startServer({
    host,
    port,
    staticDir,
    userDataDir: dataDir,
    allowOpenPath: values['open-path'] === true,
  });
  io.out(server.url);
  io.err(
    `Kafka Video Studio is running: open the address above in a browser. It carries an access token; don't share it. Press Ctrl-C to stop.\n`,
  );
  if (!isLoopbackHost(host))
    io.err(
      `Warning: listening on ${host}, not only on this computer. Anyone on your network who has the address with its token can use ` +
        `the app: read and delete your topics, upload files${values['open-path'] ? ' and stream any video file this account can read' : ''}. ` +
        `The connection is plain HTTP (not encrypted). Use --host 127.0.0.1 unless you need this.\n`,
    );
  if (values['open-path'])
    io.err('--open-path: the page may open video files on this computer by path.\n');
  if (!signal.aborted)
    await new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  io.err('Stopping…\n');
  await server.close();
  return 0;
}
