/**
 * Starts one real Kafka broker (KRaft) for the e2e run, builds nothing (npm test
 * builds the renderer first), and makes a test video with the real ffmpeg.
 * KVS_E2E_BOOTSTRAP may name a broker that is already running instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTestVideo } from '../scripts/test-support/test-video.js';
import { electronBinary } from '../scripts/electron-binary.js';
import { freePort, startBroker, stopBroker } from '../scripts/local-kafka/index.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const electron = electronBinary();
  if ('missing' in electron)
    process.stdout.write(
      `e2e: the [electron] project is SKIPPED on this machine: ${electron.missing}. The same specs run in Chromium against kvs serve ([browser]).\n`,
    );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-'));
  process.env.KVS_E2E_VIDEO = await makeTestVideo({
    dir,
    name: 'e2e clip.mp4',
    seconds: 3,
    width: 640,
    height: 360,
    fps: 30,
  });
  const removeVideo = (): Promise<void> => rm(dir, { recursive: true, force: true });
  if (process.env.KVS_E2E_BOOTSTRAP) return removeVideo;
  const name = `e2e-${process.pid}`;
  const result = await startBroker({ name, mode: 'kraft', port: await freePort(), fresh: true });
  process.env.KVS_E2E_BOOTSTRAP = result.bootstrap;
  return async () => {
    await stopBroker({ name, removeData: true });
    await removeVideo();
  };
}
