/**
 * A camera in the app (issue 17): Chromium's fake camera (`--use-fake-device-for-media-stream`,
 * its prompt answered by `--use-fake-ui-for-media-stream`), captured and encoded in the page,
 * produced by the app services into a topic, and seen on a viewer of that topic; then stopped.
 * In the electron-standin project the page's getUserMedia is put to the built main bundle's
 * permission handler first (scripts/test-support/electron-standin/media-permission.js).
 * And a camera permission denied: a clear message, nothing crashes, the app goes on working.
 */
import { randomBytes } from 'node:crypto';
import { createKafka } from '../electron/core/kafka/client.js';
import { NAL, nalUnits } from '../electron/core/h264/annexb.js';
import { readTopic } from '../scripts/test-support/topic-messages.js';
import { connectToBroker, e2eBootstrap } from './broker-page.js';
import { expect, test } from './fixtures.js';

test.describe('camera allowed', () => {
  test.use({ camera: 'allow' });

  test('streams the camera into a topic, a viewer of the topic shows it, Stop ends the stream', async ({
    app,
  }, testInfo) => {
    const { page } = app;
    const topic = `e2e-camera-${randomBytes(3).toString('hex')}`;
    await connectToBroker(page);
    await page.getByTestId('produce-source-camera').check();
    await page.getByTestId('camera-topic-input').fill(topic);
    await page.getByTestId('camera-resolution-select').selectOption('320x240');
    await page.getByTestId('camera-fps-input').fill('15');
    await page.getByTestId('camera-stream-name-input').fill('Front door ☂');
    await page.getByTestId('camera-start-button').click();

    const state = page.getByTestId('camera-state');
    await expect(state).toHaveAttribute('data-phase', 'streaming');
    await expect(page.getByTestId('camera-preview')).toBeVisible();
    await expect(state).toContainText(/[1-9]\d* frames sent/);
    const codec = (await state.textContent())?.includes('JPEG') ? 'jpeg' : 'h264';

    // a viewer of that topic, live
    await page.getByTestId('watch-topic-input').first().fill(topic);
    await page.getByTestId('watch-start-button').first().click();
    await expect
      .poll(async () => Number(await page.getByTestId('watch-frame-count').first().textContent()), {
        timeout: 30_000,
      })
      .toBeGreaterThan(10);
    await page.screenshot({
      path: testInfo.outputPath(`camera-${testInfo.project.name}.png`),
      fullPage: true,
    });
    if (app.standin)
      expect(app.standin.mediaRequests).toEqual([
        { mediaTypes: ['video'], requestingUrl: expect.stringMatching(/^file:/), granted: true },
      ]);

    await page.getByTestId('camera-stop-button').click();
    await expect(state).toHaveAttribute('data-phase', 'idle');
    await expect(page.getByTestId('camera-error')).toHaveText('');
    await expect(page.getByTestId('produce-status')).toContainText(/Acked/);
    await expect(page.getByTestId('camera-preview')).toBeHidden();

    // the topic, read raw: frames in order, an end-of-stream marker, H.264 keyframes with SPS+PPS
    const handle = createKafka({ bootstrap: e2eBootstrap(), clientId: 'kvs-e2e-camera' });
    const messages = await readTopic(handle, topic);
    const frames = messages.filter((m) => (m.value?.length ?? 0) > 0);
    expect(frames.length).toBeGreaterThan(10);
    const seqs = frames.map((m) => Number(m.headers['kvs-seq']?.toString()));
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(messages.at(-1)?.headers['kvs-eos']?.toString()).toBe('1');
    const first = frames[0]!;
    // the stream's name, percent-encoded UTF-8 in every frame (wire-format.ts)
    expect(decodeURIComponent(first.headers['kvs-stream-name']?.toString() ?? '')).toBe(
      'Front door ☂',
    );
    if (codec === 'h264') {
      expect(first.headers['content-type']?.toString()).toBe('video/h264');
      expect(first.headers['kvs-keyframe']?.toString()).toBe('1');
      expect(first.headers['kvs-codec']?.toString()).toMatch(/^avc1\.[0-9A-F]{6}$/);
      const types = nalUnits(first.value!).map((n) => n.type);
      expect(types).toContain(NAL.sps);
      expect(types).toContain(NAL.pps);
      expect(types).toContain(NAL.idr);
    } else {
      expect(first.headers['content-type']?.toString()).toBe('image/jpeg');
      expect([...first.value!.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    }
    process.stdout.write(
      `[${testInfo.project.name}] camera: ${frames.length} frames of ${codec} (${first.headers['kvs-codec']?.toString() ?? 'jpeg'})\n`,
    );
  });

  test('where the page cannot encode H.264 (VideoEncoder.isConfigSupported says no), sends JPEG frames the viewer shows', async ({
    app,
  }) => {
    test.skip(app.runner !== 'browser', 'the same page code; once is enough');
    const { page } = app;
    // this page's WebCodecs says no to every H.264 configuration
    await page.addInitScript(() => {
      const real = VideoEncoder.isConfigSupported.bind(VideoEncoder);
      VideoEncoder.isConfigSupported = (config: VideoEncoderConfig) =>
        config.codec.startsWith('avc1')
          ? Promise.resolve({ supported: false, config })
          : real(config);
    });
    await page.reload();
    const topic = `e2e-camera-jpeg-${randomBytes(3).toString('hex')}`;
    await connectToBroker(page);
    await page.getByTestId('produce-source-camera').check();
    await page.getByTestId('camera-topic-input').fill(topic);
    await page.getByTestId('camera-resolution-select').selectOption('320x240');
    await page.getByTestId('camera-fps-input').fill('10');
    await page.getByTestId('camera-start-button').click();
    const state = page.getByTestId('camera-state');
    await expect(state).toContainText(/Streaming JPEG · [1-9]\d* frames sent/);
    await page.getByTestId('watch-topic-input').first().fill(topic);
    await page.getByTestId('watch-start-button').first().click();
    await expect
      .poll(async () => Number(await page.getByTestId('watch-frame-count').first().textContent()), {
        timeout: 30_000,
      })
      .toBeGreaterThan(5);
    await page.getByTestId('camera-stop-button').click();
    await expect(state).toHaveAttribute('data-phase', 'idle');
    const messages = await readTopic(
      createKafka({ bootstrap: e2eBootstrap(), clientId: 'kvs-e2e-camera' }),
      topic,
    );
    const frames = messages.filter((m) => (m.value?.length ?? 0) > 0);
    expect(frames.length).toBeGreaterThan(5);
    for (const m of frames) {
      expect(m.headers['content-type']?.toString()).toBe('image/jpeg');
      expect([...m.value!.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    }
  });
});

test.describe('camera denied', () => {
  test.use({ camera: 'deny' });

  test('a camera permission denied: a clear message, no stream, the app goes on', async ({
    app,
  }) => {
    const { page } = app;
    await connectToBroker(page);
    await page.getByTestId('produce-source-camera').check();
    await page
      .getByTestId('camera-topic-input')
      .fill(`e2e-camera-denied-${randomBytes(3).toString('hex')}`);
    await page.getByTestId('camera-start-button').click();
    await expect(page.getByTestId('camera-error')).toContainText(
      'Permission to use the camera was denied',
    );
    await expect(page.getByTestId('camera-state')).toHaveAttribute('data-phase', 'idle');
    await expect(page.getByTestId('camera-start-button')).toBeEnabled();
    await expect(page.getByTestId('camera-preview')).toBeHidden();
    // the app still works: back to File, its controls are there
    await page.getByTestId('produce-source-file').check();
    await expect(page.getByTestId('produce-start-button')).toBeVisible();
    await expect(page.getByTestId('connection-status')).toContainText('Connected');
  });
});
