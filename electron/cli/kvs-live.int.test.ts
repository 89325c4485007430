/**
 * `kvs produce` from live sources, as a user runs it: the built CLI (bin/kvs.mjs → out/cli), a
 * real broker, real ffmpeg, and sources on 127.0.0.1 made by the test (scripts/test-support/
 * live-servers.ts): a live HLS playlist, RTSP with a login, MJPEG over HTTP with a login that
 * drops mid-stream and comes back (frames in order in the topic, one stream), and every bad input
 * with its own message — the password of a URL never printed. Also `kvs devices`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameOrder, rawFrameSeqs } from '../../scripts/test-support/frame-order.js';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { startLiveServers, type LiveServers } from '../../scripts/test-support/live-servers.js';
import { readTopic } from '../../scripts/test-support/topic-messages.js';
import { createKafka } from '../core/kafka/client.js';

const bin = path.resolve(import.meta.dirname, '../../bin/kvs.mjs');
const target = kafkaModes()[0];
const bootstrap = target?.bootstrap ?? '';

interface Run {
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
  stderr(): string;
}

function kvs(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 55_000);
  return {
    done: new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr });
      }),
    ),
    stderr: () => stderr,
  };
}

const produce = (source: string[], extra: string[] = []): Run =>
  kvs([
    'produce',
    ...source,
    '--bootstrap',
    bootstrap,
    '--topic',
    `live-${randomBytes(3).toString('hex')}`,
    ...extra,
  ]);

const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let servers: LiveServers;
beforeAll(async () => {
  servers = await startLiveServers();
});
afterAll(() => servers?.close());

describe.skipIf(!hasKafka())('kvs produce from live sources', () => {
  it('says what is wrong with each bad input (exit 1), never the password', async () => {
    const wrong = { user: 'someone', password: 'not-the-pass-123' };
    const cases: [string[], RegExp][] = [
      [
        ['--device', '/dev/video99'],
        /There is no camera "\/dev\/video99"\. List the cameras with kvs devices/,
      ],
      [[servers.silentUrl, '--source-timeout', '2'], /did not answer within 2 s/],
      [[servers.refusedUrl], /cannot be reached: nothing answers there/],
      [[servers.privateUrl()], /needs a user name and password/],
      [
        [servers.privateUrl(wrong)],
        /http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private\/mjpeg needs a user name and password/,
      ],
      [[servers.pageUrl], /answered, but not with a video/],
      [[servers.notFoundUrl], /no stream at that path \(404/],
    ];
    if (servers.rtsp)
      cases.push([
        [servers.rtsp.url(wrong)],
        /rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/cam needs a user name and password/,
      ]);
    const runs = await Promise.all(cases.map(([src]) => produce(src).done));
    runs.forEach((r, i) => {
      const [src, message] = cases[i] ?? [[], /never/];
      expect(r.code, `${src.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr + r.stdout).not.toContain(wrong.password);
    });
    expect(servers.rtsp, 'an RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0)').not.toBeNull();
  });

  it('produces a live HLS playlist and RTSP with a login, a set number of frames', async () => {
    const hls = produce([servers.hlsUrl], ['--frames', '8', '--json']);
    const rtsp = servers.rtsp
      ? produce([servers.rtsp.url(servers.login)], ['--frames', '8', '--codec', 'jpeg', '--json'])
      : null;
    for (const r of [await hls.done, ...(rtsp ? [await rtsp.done] : [])]) {
      expect(r.code, r.stderr).toBe(0);
      expect(lastJson(r.stdout)).toMatchObject({ frames: 8, acked: 8, failed: 0, live: true });
      expect(r.stderr).toMatch(/Done: 8 of 8 frames acknowledged/);
      expect(r.stderr + r.stdout).not.toContain(servers.login.password);
    }
  });

  it('a source that drops mid-stream: says so, reconnects, goes on; frames in order in one stream', async () => {
    const topic = `live-drop-${randomBytes(3).toString('hex')}`;
    const before = servers.mjpeg.framesSent;
    const run = kvs([
      'produce',
      servers.privateUrl(servers.login),
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--codec',
      'jpeg',
      '--frames',
      '30',
      '--stall-timeout',
      '1',
      '--json',
    ]);
    await until(() => servers.mjpeg.framesSent - before >= 10, 'ten frames sent');
    servers.mjpeg.set('down');
    await until(() => /connecting again/.test(run.stderr()), 'the drop to be said');
    servers.mjpeg.set('up');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private\/mjpeg .*connecting again/,
    );
    expect(r.stderr).toMatch(/The source is sending again \(after \d+ reconnects?\)/);
    const json = lastJson(r.stdout);
    expect(json).toMatchObject({ frames: 30, acked: 30, failed: 0, live: true });
    expect(json.reconnects).toEqual(expect.any(Number));
    expect(r.stderr + r.stdout).not.toContain(servers.login.password);

    const handle = createKafka({ bootstrap });
    const order = frameOrder(await rawFrameSeqs(handle, topic));
    expect(order.problem).toBeNull();
    expect(order.firsts).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const keys = new Set((await readTopic(handle, topic)).map((m) => m.key));
    expect([...keys]).toEqual([json.streamId]);
  });

  it('kvs devices lists the cameras (none here) as JSON', async () => {
    const r = await kvs(['devices', '--json']).done;
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ format: 'v4l2', devices: expect.any(Array) });
  });
});
