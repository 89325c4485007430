/**
 * Live sources through the app services (produce:start with `source`, produce:progress with
 * `live`, devices:list) on a real broker with real ffmpeg and sources on 127.0.0.1 made by the
 * test: the contract's refusals, every bad input as a produce:ended error with its own code, and
 * MJPEG over HTTP with a login that stalls and comes back (stalled → reconnecting → reading, frames
 * in order in the topic). The password of a URL never crosses to the page.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameOrder, rawFrameSeqs } from '../../scripts/test-support/frame-order.js';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { startLiveServers, type LiveServers } from '../../scripts/test-support/live-servers.js';
import { call, callError, EventLog } from '../../scripts/test-support/service-calls.js';
import type { ProduceRequest } from '../shared/contract.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { createKafka } from '../core/kafka/client.js';
import { createAppServices, type AppServices } from './app-services.js';

const target = kafkaModes()[0];
const bootstrap = target?.bootstrap ?? '';
const wrong = { user: 'someone', password: 'not-the-pass-456' };

describe.skipIf(!hasKafka())('live sources through the app services', () => {
  let servers: LiveServers;
  let services: AppServices;
  let events: EventLog;
  let dir: string;

  const request = (
    source: NonNullable<ProduceRequest['source']>,
    topic = `svc-live-${randomBytes(3).toString('hex')}`,
  ) => ({
    source,
    topic,
    realtime: true,
    loop: false,
    format: 'kvs' as const,
    codec: 'jpeg' as const,
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-live-services-'));
    servers = await startLiveServers({ hls: false, rtsp: false });
    services = createAppServices({
      userDataDir: path.join(dir, 'user'),
      allowOpenPath: false,
      ffmpeg: await locateFfmpeg(),
      liveOptions: { timeoutMs: 2_000, stallMs: 1_000, backoffMs: [200, 400] },
    });
    events = new EventLog(services);
    await call(services, 'connection:connect', { bootstrap });
  });

  afterAll(async () => {
    await services?.dispose();
    await servers?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the contract takes exactly one source, an allowed scheme, no loop for a live one; a device is a camera only', async () => {
    const both = { ...request({ kind: 'url', url: servers.mjpegUrl }), videoId: 'abc' };
    expect(await callError(services, 'produce:start', both)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('Choose one source'),
    });
    const ftp = request({ kind: 'url', url: 'ftp://bob:pw-secret-1@127.0.0.1/x' });
    const refused = await callError(services, 'produce:start', ftp);
    expect(refused.message).toContain('"ftp://" is not a stream address');
    expect(JSON.stringify(refused)).not.toContain('pw-secret-1');
    const loop = { ...request({ kind: 'device', device: '/dev/video0' }), loop: true };
    expect((await callError(services, 'produce:start', loop)).message).toContain(
      'Looping is for files',
    );    // a page gets the platform's own camera input only: no file read through another demuxer
    const file = request({ kind: 'device', device: 'movie=/etc/hostname', inputFormat: 'lavfi' });
    expect(await callError(services, 'produce:start', file)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('with v4l2 only'),
    });
    const path = request({ kind: 'device', device: '/etc/hostname' });
    expect((await callError(services, 'produce:start', path)).message).toContain('video device');
  });

  it('ends each bad input with its own error, without the password', async () => {
    const cases: [NonNullable<ProduceRequest['source']>, string][] = [
      [{ kind: 'device', device: '/dev/video99' }, 'DEVICE_NOT_FOUND'],
      [{ kind: 'url', url: servers.silentUrl }, 'SOURCE_TIMEOUT'],
      [{ kind: 'url', url: servers.refusedUrl }, 'SOURCE_UNREACHABLE'],
      [{ kind: 'url', url: servers.privateUrl(wrong) }, 'SOURCE_UNAUTHORIZED'],
    ];
    const ended = await Promise.all(
      cases.map(async ([source]) => {
        const { jobId } = await call(services, 'produce:start', request(source));
        return events.waitFor('produce:ended', (e) => e.jobId === jobId, 30_000);
      }),
    );
    expect(ended.map((e) => e.error?.code)).toEqual(cases.map(([, code]) => code));
    expect(ended.every((e) => !e.ok && e.acked === 0)).toBe(true);
    expect(ended[3]?.error?.message).toMatch(
      /^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private\/mjpeg needs a user name/,
    );
    expect(JSON.stringify(events.all)).not.toContain(wrong.password);
  });

  it('a stream that stalls says so, reconnects and goes on; frames in order; stop', async () => {
    const topic = `svc-live-stall-${randomBytes(3).toString('hex')}`;
    const { jobId } = await call(
      services,
      'produce:start',
      request({ kind: 'url', url: servers.privateUrl(servers.login) }, topic),
    );
    const progress = () => events.of('produce:progress').filter((p) => p.jobId === jobId);
    await events.waitFor('produce:progress', (p) => p.jobId === jobId && p.acked >= 5);
    servers.mjpeg.set('stall');
    const stalled = await events.waitFor(
      'produce:progress',
      (p) => p.jobId === jobId && p.live?.state === 'stalled',
    );
    servers.mjpeg.set('up');
    expect(stalled.live?.error?.code).toBe('SOURCE_TIMEOUT');
    expect(stalled.live?.error?.message).toMatch(
      /^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private\/mjpeg sent no frame/,
    );
    const again = await events.waitFor(
      'produce:progress',
      (p) =>
        p.jobId === jobId &&
        p.live?.state === 'reading' &&
        p.live.reconnects >= 1 &&
        p.acked >= stalled.acked + 5,
    );
    expect(again.live?.lastFrameAt).toEqual(expect.any(Number));
    expect(progress().some((p) => p.live?.state === 'reconnecting')).toBe(true);
    expect(progress().every((p) => p.total === null && p.live !== undefined)).toBe(true);
    await call(services, 'produce:stop', { jobId });
    const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId);
    expect(ended).toMatchObject({ ok: true, cancelled: true, failed: 0 });
    expect(JSON.stringify(events.all)).not.toContain(servers.login.password);

    const order = frameOrder(await rawFrameSeqs(createKafka({ bootstrap }), topic));
    expect(order.problem).toBeNull();
    expect(order.firsts).toEqual(Array.from({ length: ended.acked }, (_, i) => i));
  });

  it('devices:list lists the cameras of the host (none here)', async () => {
    expect(await call(services, 'devices:list', {})).toMatchObject({
      format: 'v4l2',
      devices: expect.any(Array),
    });
  });
});
