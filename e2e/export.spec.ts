/**
 * Export to MP4 from the watch panel (issue 14, item 5), against the test broker and real ffmpeg:
 * an H.264 stream exported whole (remuxed) and checked with ffprobe (frame count, duration),
 * Cancel mid-way leaves no file, and an empty topic says EXPORT_EMPTY. In the browser the file
 * comes as a download (GET /exports/<id>, once); in the desktop app the save dialog says where
 * (the stand-in answers it, or leaves it cancelled: a quiet note, nothing exported).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { createKafka } from '../electron/core/kafka/client.js';
import { locateFfmpeg } from '../electron/core/ffmpeg/locate-ffmpeg.js';
import { encodeFrameMessage } from '../electron/core/kafka/wire-format.js';
import {
  createTopic,
  makeH264Clip,
  makeJpegFrames,
  putH264Topic,
  sendMessages,
} from '../scripts/test-support/h264-topic.js';
import { e2eBootstrap } from './broker-page.js';
import { expect, test, type AppUnderTest } from './fixtures.js';

const bootstrap = e2eBootstrap;

async function probe(file: string): Promise<{ codec: string; frames: number; duration: number }> {
  const { ffprobePath } = await locateFfmpeg();
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      ffprobePath,
      [
        ...['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-of', 'json'],
        ...['-show_entries', 'stream=codec_name,nb_read_frames:format=duration', file],
      ],
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
  const j = JSON.parse(out) as {
    streams: Array<{ codec_name: string; nb_read_frames: string }>;
    format: { duration: string };
  };
  return {
    codec: j.streams[0]?.codec_name ?? '',
    frames: Number(j.streams[0]?.nb_read_frames),
    duration: Number(j.format.duration),
  };
}

async function connectAndWatch(page: Page, topic: string): Promise<void> {
  await page.getByTestId('bootstrap-input').fill(bootstrap());
  await page.getByTestId('connect-button').click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');
  await page.getByTestId('watch-topic-input').first().fill(topic);
  await page.getByTestId('watch-from-beginning').first().check();
  await page.getByTestId('watch-start-button').first().click();
}

/** Desktop: the next save dialog answers this path (a fresh folder). */
async function answerSave(app: AppUnderTest, dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  await app.standin?.answerNextSaveDialog(file);
  return file;
}

test.describe('export to MP4', () => {
  let dir = '';
  test.beforeEach(async ({ app }) => {
    test.skip(
      app.runner === 'electron',
      'The save dialog of a real Electron is not answered here; browser and electron-standin run this.',
    );
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-export-'));
  });
  // (a skipped test — the electron project without its binary — never made one)
  test.afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  test('an H.264 stream exported whole: the MP4 has every frame and the right duration', async ({
    app,
  }, testInfo) => {
    const { page } = app;
    const clip = await makeH264Clip({ seconds: 3, width: 320, height: 180, fps: 30, gop: 30 });
    const topic = `e2e-export-${randomBytes(3).toString('hex')}`;
    expect(await putH264Topic(bootstrap(), topic, clip)).toEqual({ sent: 90, keyframes: 3 });
    await connectAndWatch(page, topic);
    await expect(page.getByTestId('watch-frame-count').first()).toHaveText('90');

    const panel = page.getByTestId('export-panel').first();
    await expect(panel.getByTestId('export-range')).toContainText('whole topic');
    const saved = await answerSave(app, dir, 'clip.mp4');
    // keyboard: the button takes focus and Enter presses it
    await panel.getByTestId('export-button').focus();
    await page.keyboard.press('Enter');
    const result = panel.getByTestId('export-result');
    await expect(result).toContainText('90 frames, 3 s');
    await expect(panel.getByTestId('export-error')).toHaveCount(0);

    let file: string;
    if (app.transport === 'browser') {
      await expect(result).toContainText(`${topic}-`);
      const link = panel.getByTestId('export-download');
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^${topic}-.*\\.mp4$`));
      file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      // once: the server removed it after the download
      const again = await page.request.get(
        new URL(String(await link.getAttribute('href')), page.url()).href,
      );
      expect(again.status()).toBe(404);
    } else {
      await expect(result).toContainText('clip.mp4');
      file = saved;
    }
    const p = await probe(file);
    expect(p.codec).toBe('h264');
    expect(p.frames).toBe(90);
    expect(Math.abs(p.duration - 3)).toBeLessThanOrEqual(1 / 30);
    await page.screenshot({
      path: testInfo.outputPath(`export-done-${testInfo.project.name}.png`),
      fullPage: true,
    });
  });

  test('Cancel during an export: progress shown, then cancelled, and no file left', async ({
    app,
  }) => {
    const { page } = app;
    // 720p JPEG frames are encoded to H.264: slow enough to watch the progress and cancel
    const topic = `e2e-export-cancel-${randomBytes(3).toString('hex')}`;
    const handle = createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-export' });
    await createTopic(handle, topic);
    const jpegs = await makeJpegFrames(400, { width: 1280, height: 720 });
    const messages = jpegs.map((j, seq) =>
      encodeFrameMessage(j, {
        streamId: 'big',
        seq,
        ptsMs: seq * 40,
        fps: 25,
        width: 1280,
        height: 720,
        capturedAt: 0,
      }),
    );
    // a few at a time: 50 720p frames are more than the broker takes in one request
    for (let i = 0; i < messages.length; i += 5)
      await sendMessages(handle, topic, messages.slice(i, i + 5));
    await connectAndWatch(page, topic);
    await expect(page.getByTestId('watch-frame-count').first()).not.toHaveText('0');

    const panel = page.getByTestId('export-panel').first();
    const saved = await answerSave(app, dir, 'cancelled.mp4');
    await panel.getByTestId('export-button').click();
    const progress = panel.getByTestId('export-progress');
    await expect(progress).toBeVisible();
    await expect(panel.getByTestId('export-frames')).toContainText(/\d+ frames/);
    const exportId = await panel.locator('[data-export-id]').getAttribute('data-export-id');
    await panel.getByTestId('export-cancel').click();
    await expect(panel.getByTestId('export-cancelled')).toContainText('no file was written');
    await expect(progress).toHaveCount(0);
    await expect(panel.getByTestId('export-result')).toHaveCount(0);
    if (app.transport === 'browser') {
      // nothing waits for download under that export's address
      const r = await page.request.get(new URL(`/exports/${exportId ?? ''}`, page.url()).href);
      expect(r.status()).toBe(404);
    } else {
      expect(await readdir(path.dirname(saved))).toEqual([]); // no file, no .part
    }
    // the button works again
    await expect(panel.getByTestId('export-button')).toBeEnabled();
  });

  test('an empty topic: EXPORT_EMPTY with its message, and no file', async ({ app }) => {
    const { page } = app;
    const topic = `e2e-export-empty-${randomBytes(3).toString('hex')}`;
    await createTopic(createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-export' }), topic);
    await connectAndWatch(page, topic);
    const panel = page.getByTestId('export-panel').first();
    await answerSave(app, dir, 'empty.mp4');
    await panel.getByTestId('export-button').click();
    const error = panel.getByTestId('export-error');
    await expect(error).toContainText('EXPORT_EMPTY');
    await expect(error).toContainText('Nothing to export');
    await expect(panel.getByTestId('export-result')).toHaveCount(0);
    expect(await readdir(dir)).toEqual([]);
  });

  test('desktop: a closed save dialog exports nothing and says so quietly', async ({ app }) => {
    test.skip(app.transport !== 'electron', 'The browser has no save dialog (it downloads).');
    const { page } = app;
    const clip = await makeH264Clip({ seconds: 1, width: 320, height: 180, fps: 30, gop: 30 });
    const topic = `e2e-export-nodialog-${randomBytes(3).toString('hex')}`;
    await putH264Topic(bootstrap(), topic, clip);
    await connectAndWatch(page, topic);
    const panel = page.getByTestId('export-panel').first();
    // nothing queued: the stand-in's dialog comes back cancelled
    await panel.getByTestId('export-button').click();
    await expect(panel.getByTestId('export-not-chosen')).toContainText('No file chosen');
    await expect(panel.getByTestId('export-error')).toHaveCount(0);
    await expect(panel.getByTestId('export-button')).toBeEnabled();
  });
});
