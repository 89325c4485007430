/**
 * export:start / export:cancel through the app services on a real broker with real ffmpeg:
 * the browser's way (the file waits in userDataDir/exports, GET /exports/<id> of `kvs serve`
 * downloads it once, behind the token) and the desktop's (the save dialog's path, replaced;
 * a closed dialog exports nothing). ffprobe checks the files.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import {
  makeH264Clip,
  putH264Topic,
  type H264Clip,
} from '../../scripts/test-support/h264-topic.js';
import { call, callError, EventLog } from '../../scripts/test-support/service-calls.js';
import { TOKEN_HEADER } from '../shared/ws-protocol.js';
import { locateFfmpeg, type FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { startServer, type RunningServer } from '../browser/browser-server.js';
import { createAppServices, type AppServices } from './app-services.js';

const target = kafkaModes()[0];

async function probe(ffprobe: string, file: string): Promise<{ frames: number; duration: number }> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      ffprobe,
      [
        ...['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-of', 'json'],
        ...['-show_entries', 'stream=nb_read_frames:format=duration', file],
      ],
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
  const j = JSON.parse(out) as {
    streams: Array<{ nb_read_frames: string }>;
    format: { duration: string };
  };
  return { frames: Number(j.streams[0]?.nb_read_frames), duration: Number(j.format.duration) };
}

describe.skipIf(!hasKafka())(`export jobs on a real broker (${target?.mode ?? 'none'})`, () => {
  const bootstrap = target?.bootstrap ?? '';
  let dir: string;
  let ff: FfmpegPaths;
  let clip: H264Clip;
  let topic: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-export-jobs-int-'));
    ff = await locateFfmpeg();
    clip = await makeH264Clip({ seconds: 2, width: 320, height: 180, fps: 30, gop: 30 });
    topic = `services-export-${randomBytes(3).toString('hex')}`;
    expect(await putH264Topic(bootstrap, topic, clip, { streamId: 'cam' })).toEqual({
      sent: 60,
      keyframes: 2,
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  describe('browser: kvs serve keeps the file for one download', () => {
    let server: RunningServer;
    let services: AppServices;
    let events: EventLog;
    const userDataDir = (): string => path.join(dir, 'browser-user');

    beforeAll(async () => {
      const staticDir = path.join(dir, 'static');
      await mkdir(staticDir, { recursive: true });
      await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
      server = await startServer({ staticDir, userDataDir: userDataDir(), ffmpeg: ff });
      services = server.service;
      events = new EventLog(services);
      await call(services, 'connection:connect', { bootstrap });
    });
    afterAll(() => server?.close());

    it('exports the stream: progress, then ended with a download that serves the MP4 once', async () => {
      const { exportId } = await call(services, 'export:start', { topic, streamId: 'cam' });
      const ended = await events.waitFor('export:ended', (e) => e.exportId === exportId);
      expect(ended).toMatchObject({
        ok: true,
        cancelled: false,
        frames: 60,
        durationMs: 2000,
        error: null,
        download: `/exports/${exportId}`,
      });
      expect(ended.fileName).toMatch(new RegExp(`^${topic}-.*\\.mp4$`));
      const progress = events.of('export:progress').filter((p) => p.exportId === exportId);
      expect(progress.at(-1)).toEqual({ exportId, frames: 60, share: 1 });

      const url = `${server.origin}${ended.download ?? ''}`;
      // behind the token like everything else
      expect((await fetch(url)).status).toBe(403);
      // and a request naming another site is refused
      const cross = await fetch(url, {
        headers: { [TOKEN_HEADER]: server.token, Origin: 'http://evil.example' },
      });
      expect(cross.status).toBe(403);

      const r = await fetch(url, { headers: { [TOKEN_HEADER]: server.token } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('video/mp4');
      expect(r.headers.get('content-disposition')).toBe(
        `attachment; filename="${ended.fileName ?? ''}"`,
      );
      const body = Buffer.from(await r.arrayBuffer());
      expect(body.length).toBe(ended.bytes);
      const saved = path.join(dir, 'downloaded.mp4');
      await writeFile(saved, body);
      const p = await probe(ff.ffprobePath, saved);
      expect(p.frames).toBe(60);
      expect(Math.abs(p.duration - 2)).toBeLessThanOrEqual(1 / 30);

      // once: removed after the download
      await expect.poll(() => readdir(path.join(userDataDir(), 'exports'))).toEqual([]);
      const again = await fetch(url, { headers: { [TOKEN_HEADER]: server.token } });
      expect(again.status).toBe(404);
      expect(await again.text()).toMatch(/export it again/);
    });

    it('a range with no frames ends with EXPORT_EMPTY and leaves nothing', async () => {
      const { exportId } = await call(services, 'export:start', {
        topic,
        fromMs: 1000,
        toMs: 2000,
      });
      const ended = await events.waitFor('export:ended', (e) => e.exportId === exportId);
      expect(ended).toMatchObject({ ok: false, cancelled: false, download: null, fileName: null });
      expect(ended.error?.code).toBe('EXPORT_EMPTY');
      expect(await readdir(path.join(userDataDir(), 'exports'))).toEqual([]);
    });

    it('refuses a backwards range before starting anything', async () => {
      const e = await callError(services, 'export:start', { topic, fromMs: 2000, toMs: 1000 });
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/after its start/);
    });
  });

  describe('desktop: the save dialog says where', () => {
    let services: AppServices;
    let events: EventLog;
    const answers: Array<string | null> = [];

    beforeAll(async () => {
      services = createAppServices({
        userDataDir: path.join(dir, 'desktop-user'),
        allowOpenPath: false,
        ffmpeg: ff,
        chooseExportFile: () => Promise.resolve(answers.shift() ?? null),
      });
      events = new EventLog(services);
      await call(services, 'connection:connect', { bootstrap });
    });
    afterAll(() => services?.dispose());

    it('a closed dialog: CANCELLED, nothing exported', async () => {
      const e = await callError(services, 'export:start', { topic });
      expect(e.code).toBe('CANCELLED');
      expect(events.of('export:ended')).toEqual([]);
    });

    it('the chosen file is written (replacing what was there: the dialog asked)', async () => {
      const file = path.join(dir, 'chosen.mp4');
      await writeFile(file, 'an older file');
      answers.push(file);
      const { exportId } = await call(services, 'export:start', { topic, streamId: null });
      const ended = await events.waitFor('export:ended', (e) => e.exportId === exportId);
      expect(ended).toMatchObject({ ok: true, fileName: 'chosen.mp4', download: null, frames: 60 });
      expect((await stat(file)).size).toBe(ended.bytes);
      expect((await probe(ff.ffprobePath, file)).frames).toBe(60);
      expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    });
  });
});
