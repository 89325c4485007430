/**
 * H.264 streams in the page (issue 14): a real x264 stream on a topic of the test broker
 * (scripts/test-support/h264-topic.ts), decoded with WebCodecs in Chromium and drawn on the
 * viewer's canvas; and a stream that starts between keyframes, which waits for one and says so.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import {
  createTopic,
  h264Message,
  makeJpegFrames,
  putH264Topic,
  sendH264,
  sendMessages,
  type H264Clip,
} from '../scripts/test-support/h264-topic.js';
import { createKafka } from '../electron/core/kafka/client.js';
import { NAL, nalUnits } from '../electron/core/h264/annexb.js';
import { encodeFrameMessage, type OutgoingMessage } from '../electron/core/kafka/wire-format.js';
import { distinctColours } from './canvas-colours.js';
import { connectToBroker, e2eBootstrap, testClip } from './broker-page.js';
import { expect, test } from './fixtures.js';

const bootstrap = e2eBootstrap;
const theClip = testClip;
const connect = connectToBroker;

async function watchFromBeginning(page: Page, topic: string): Promise<void> {
  await page.getByTestId('watch-topic-input').first().fill(topic);
  await page.getByTestId('watch-from-beginning').first().check();
  await page.getByTestId('watch-start-button').first().click();
}

test('plays an H.264 stream from the beginning with WebCodecs: every frame drawn, a picture on the canvas', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const c = await theClip();
  const topic = `e2e-h264-${randomBytes(3).toString('hex')}`;
  const { sent, keyframes } = await putH264Topic(bootstrap(), topic, c);
  expect([sent, keyframes]).toEqual([90, 3]);

  await connect(page);
  await watchFromBeginning(page, topic);
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('90');
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('0');
  await expect(page.getByTestId('watch-decode-errors').first()).toHaveText('0');
  await expect(page.getByTestId('watch-codec-note')).toHaveCount(0);
  await expect(page.getByTestId('watch-keyframe-note')).toHaveCount(0);
  expect(await distinctColours(page)).toBeGreaterThan(8);
  const canvasSize = await page
    .getByTestId('watch-canvas')
    .first()
    .evaluate((el) => [(el as HTMLCanvasElement).width, (el as HTMLCanvasElement).height]);
  expect(canvasSize).toEqual([640, 360]);

  const decodeMs = await page.getByTestId('watch-decode-ms').first().getAttribute('data-ms');
  testInfo.annotations.push({
    type: 'h264 decode',
    description: `${decodeMs ?? '?'} ms per frame (mean, decode() to drawn, 640×360, ${c.codec})`,
  });
  process.stdout.write(`[${testInfo.project.name}] H.264 decode ${decodeMs ?? '?'} ms/frame\n`);
  await page.screenshot({
    path: testInfo.outputPath(`h264-playing-${testInfo.project.name}.png`),
    fullPage: true,
  });
});

test('a stream that starts between keyframes waits for one, says so, then plays from it', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const c = await theClip();
  const topic = `e2e-h264-late-${randomBytes(3).toString('hex')}`;
  const handle = createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-h264' });
  await createTopic(handle, topic);
  // frames 40–59: delta frames only (the keyframes are 0, 30 and 60)
  expect(await sendH264(handle, topic, c, { from: 40, to: 60 })).toEqual({
    sent: 20,
    keyframes: 0,
  });

  await connect(page);
  await watchFromBeginning(page, topic);
  const note = page.getByTestId('watch-keyframe-note').first();
  await expect(note).toContainText('Waiting for a keyframe');
  await expect(note).toHaveAttribute('data-reason', 'start');
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('20');
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('0');
  await page.screenshot({
    path: testInfo.outputPath(`h264-waiting-${testInfo.project.name}.png`),
    fullPage: true,
  });

  // the rest of the stream, from the keyframe at 60
  expect(await sendH264(handle, topic, c, { from: 60 })).toEqual({ sent: 30, keyframes: 1 });
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('30');
  await expect(page.getByTestId('watch-keyframe-note')).toHaveCount(0);
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('20');
  expect(await distinctColours(page)).toBeGreaterThan(8);
});

test('watching live starts at the last keyframe: the first new frame is drawn at once, none skipped', async ({
  app,
}) => {
  const { page } = app;
  const c = await theClip();
  const topic = `e2e-h264-live-${randomBytes(3).toString('hex')}`;
  const handle = createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-h264' });
  await createTopic(handle, topic);
  // frames 0–44 are there before the viewer starts: the last keyframe is 30
  expect(await sendH264(handle, topic, c, { from: 0, to: 45 })).toEqual({ sent: 45, keyframes: 2 });

  await connect(page);
  await page.getByTestId('watch-topic-input').first().fill(topic);
  await expect(page.getByTestId('watch-from-beginning').first()).not.toBeChecked();
  await page.getByTestId('watch-start-button').first().click();
  await expect(page.getByTestId('watch-status').first()).toContainText(/Waiting for frames/i);

  // 45 is a delta frame: it can be drawn at once only because the viewer began at keyframe 30
  // (30–44 were decoded, not drawn); without that the page would wait for keyframe 60
  expect(await sendH264(handle, topic, c, { from: 45, to: 46 })).toEqual({ sent: 1, keyframes: 0 });
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('1');
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('0');
  await expect(page.getByTestId('watch-dropped').first()).toHaveText(/^0\b/);
  await expect(page.getByTestId('watch-keyframe-note')).toHaveCount(0);
  expect(await distinctColours(page)).toBeGreaterThan(8);
});

test('a damaged access unit: the decoder error is counted and the picture comes back at the next keyframe', async ({
  app,
}) => {
  const { page } = app;
  const c = await theClip();
  const topic = `e2e-h264-bad-${randomBytes(3).toString('hex')}`;
  // frame 40 (a delta frame) damaged; the next keyframe is 60
  await putH264Topic(bootstrap(), topic, c, { corrupt: [40] });

  await connect(page);
  await watchFromBeginning(page, topic);
  // 0–39, then 60–89; 40–59 are not drawn (the damaged one, and the deltas that need it)
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('70');
  await expect(page.getByTestId('watch-decode-errors').first()).toHaveText('1');
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('20');
  await expect(page.getByTestId('watch-keyframe-note')).toHaveCount(0);
  expect(await distinctColours(page)).toBeGreaterThan(8);
});

test('a topic that mixes a JPEG stream and an H.264 stream plays both', async ({ app }) => {
  const { page } = app;
  const c = await theClip();
  const jpegs = await makeJpegFrames(30);
  const topic = `e2e-h264-mixed-${randomBytes(3).toString('hex')}`;
  const handle = createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-h264' });
  await createTopic(handle, topic);
  // in pts order: 90 H.264 frames at 30 fps, 30 JPEG frames at 10 fps (one after every third)
  const messages: OutgoingMessage[] = [];
  for (let i = 0; i < c.units.length; i++) {
    messages.push(h264Message(c, i, { streamId: 'cam-h264' }));
    const j = i / 3;
    const jpeg = jpegs[j];
    if (Number.isInteger(j) && jpeg !== undefined)
      messages.push(
        encodeFrameMessage(jpeg, {
          streamId: 'cam-jpeg',
          seq: j,
          ptsMs: j * 100,
          fps: 10,
          width: 320,
          height: 180,
          capturedAt: Date.now(),
        }),
      );
  }
  await sendMessages(handle, topic, messages);

  await connect(page);
  await watchFromBeginning(page, topic);
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('120');
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('0');
  await expect(page.getByTestId('watch-decode-errors').first()).toHaveText('0');
  expect(await distinctColours(page)).toBeGreaterThan(8);
});

test('a codec this browser cannot decode is decoded on the service: a visible note, and the picture from its JPEGs', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const c = await theClip();
  // profile_idc 138 (Multiview Depth High) in every SPS: the stream says it is avc1.8A001E,
  // which Chromium's isConfigSupported refuses, while ffmpeg decodes it as the High stream it is
  const units = c.units.map((u) => {
    const out = Buffer.from(u);
    for (const n of nalUnits(out)) if (n.type === NAL.sps) out[n.start + 1] = 138;
    return out;
  });
  const odd: H264Clip = { ...c, units, codec: 'avc1.8A001E' };
  const topic = `e2e-h264-odd-${randomBytes(3).toString('hex')}`;
  const handle = createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-h264' });
  await createTopic(handle, topic);
  // frames 0–44 (keyframes 0 and 30)
  expect(await sendH264(handle, topic, odd, { from: 0, to: 45 })).toEqual({
    sent: 45,
    keyframes: 2,
  });

  await connect(page);
  await watchFromBeginning(page, topic);
  const note = page.getByTestId('watch-codec-note').first();
  await expect(note).toContainText('cannot decode');
  await expect(note).toHaveAttribute('data-codec', 'avc1.8A001E');
  // the page asked the service (watch:fallback), which decodes from the stream's next keyframe
  await expect(note).toHaveAttribute('data-service', /^(on|drawing)$/);

  // the rest of the stream: its keyframe at 60 at the latest starts the JPEGs
  expect(await sendH264(handle, topic, odd, { from: 45 })).toEqual({ sent: 45, keyframes: 1 });
  await expect(note).toHaveAttribute('data-service', 'drawing');
  await expect(note).toContainText('Decoded on the service');
  await expect(note).toContainText('this page cannot decode avc1.8A001E');
  await expect
    .poll(async () => Number(await page.getByTestId('watch-frame-count').first().textContent()))
    .toBeGreaterThanOrEqual(30);
  await expect(page.getByTestId('watch-keyframe-note')).toHaveCount(0);
  expect(await distinctColours(page)).toBeGreaterThan(8);
  await page.screenshot({
    path: testInfo.outputPath(`h264-decoded-on-service-${testInfo.project.name}.png`),
    fullPage: true,
  });
});
