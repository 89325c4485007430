/**
 * `npm run demo`: the whole product in one command on this machine.
 * 1. starts the local Kafka (KRaft, 127.0.0.1:9092, instance "demo");
 * 2. makes a sample video (720p testsrc2 with a moving clock, generated with ffmpeg, cached);
 * 3. streams it in real time, in a loop, to topic `demo`;
 * 4. opens the app watching it: the desktop app where Electron is installed, otherwise
 *    `kvs serve` and the URL to open in a browser (it connects and starts watching by itself).
 * Ctrl-C stops the stream, the page server and the broker.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toKvsError } from '../electron/shared/errors.js';
import { makeTestVideo } from './test-support/test-video.js';
import { createKafka } from '../electron/core/kafka/client.js';
import { produceFile } from '../electron/core/produce-file.js';
import { startServer } from '../electron/browser/browser-server.js';
import { userDataDir } from '../electron/services/user-data-dir.js';
import { electronBinary } from './electron-binary.js';
import { startBroker, stopBroker } from './local-kafka/index.js';

const TOPIC = 'demo';
const root = path.resolve(import.meta.dirname, '..');

async function main(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`demo: ${line}\n`);
  log('starting the local Kafka broker…');
  const broker = await startBroker({ name: 'demo', mode: 'kraft' });
  const bootstrap = broker.bootstrap;
  log(`Kafka is up at ${bootstrap}`);

  const cache = path.join(
    process.env.KVS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'kafka-video-studio'),
    'demo',
  );
  await mkdir(cache, { recursive: true });
  const sample = path.join(cache, 'sample-720p.mp4');
  if (!existsSync(sample)) {
    log('making the sample video (first run only)…');
    await makeTestVideo({
      dir: cache,
      name: 'sample-720p.mp4',
      seconds: 20,
      width: 1280,
      height: 720,
      fps: 30,
    });
  }

  const stop = new AbortController();
  const handle = createKafka({ bootstrap });
  log(`streaming ${path.basename(sample)} to topic "${TOPIC}" in real time, looping`);
  const producing = produceFile(handle, sample, {
    topic: TOPIC,
    realtime: true,
    loop: true,
    signal: stop.signal,
    onWarning: (w) => log(w.message),
  });
  // a stream that ends by itself (an error) ends the demo, saying why
  void producing.catch(() => undefined).finally(() => stop.abort());

  const bin = electronBinary();
  let closeUi: () => Promise<void> = async () => undefined;
  const params = new URLSearchParams({ bootstrap, watch: TOPIC });
  if ('path' in bin && existsSync(path.join(root, 'out/main/index.js'))) {
    log('opening the desktop app…');
    // the project folder, as `electron .`: app.name (and so the user-data folder Electron
    // would pick) comes from package.json's productName, not "Electron"
    const child = spawn(bin.path, [root], {
      stdio: 'inherit',
      env: { ...process.env, KVS_AUTOSTART: params.toString() },
    });
    child.on('exit', () => stop.abort());
    closeUi = async () => void child.kill();
  } else {
    const staticDir = path.join(root, 'out/renderer');
    if (!existsSync(path.join(staticDir, 'index.html')))
      throw new Error('The page is not built: run `npm run build` first.');
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      staticDir,
      userDataDir: userDataDir(),
    });
    const url = `${server.url}#${params.toString()}`;
    log('no desktop app here (Electron is not installed), so the app runs in your browser:');
    process.stdout.write(`${url}\n`);
    closeUi = () => server.close();
  }

  const shutdown = (): void => stop.abort();
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await new Promise<void>((resolve) =>
    stop.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  log('stopping…');
  const result = await producing.catch((e: unknown) => {
    log(toKvsError(e).message);
    return null;
  });
  if (result) log(`sent ${result.acked} frames (${result.failed} failed)`);
  await closeUi();
  await stopBroker({ name: 'demo' });
}

main().catch((e: unknown) => {
  process.stderr.write(`demo: ${toKvsError(e).message}\n`);
  process.exitCode = 1;
});
