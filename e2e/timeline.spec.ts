/**
 * A viewer's timeline (issue 14): a real x264 stream on a topic of the test broker, its messages
 * 100 ms apart in message time, played in Chromium. Seeking lands on the exact frame (the one at
 * or after the time clicked, decoded from the keyframe before it), steps move one frame, the keys
 * work, and a live viewer that pauses becomes a replay until "Go live".
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { createTopic, h264Message, sendMessages } from '../scripts/test-support/h264-topic.js';
import { createKafka } from '../electron/core/kafka/client.js';
import { distinctColours } from './canvas-colours.js';
import { connectToBroker, e2eBootstrap, testClip } from './broker-page.js';
import { expect, test } from './fixtures.js';

const bootstrap = e2eBootstrap;
const theClip = testClip;
const connect = connectToBroker;

const STEP_MS = 100;

/** Frames [from, to) of the clip, frame n at message time t0 + n × 100 ms. */
async function sendFrames(topic: string, t0: number, from: number, to: number): Promise<void> {
  const c = await theClip();
  const handle = createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-timeline' });
  const messages = [];
  for (let seq = from; seq < to; seq++)
    messages.push({ ...h264Message(c, seq), timestamp: String(t0 + seq * STEP_MS) });
  await sendMessages(handle, topic, messages);
}

async function newTopic(what: string): Promise<string> {
  const topic = `e2e-timeline-${what}-${randomBytes(3).toString('hex')}`;
  await createTopic(createKafka({ bootstrap: bootstrap(), clientId: 'kvs-e2e-timeline' }), topic);
  return topic;
}

const position = (page: Page) => page.getByTestId('watch-position').first();

/** The service has answered the timeline's last seek (it knows where live begins). */
async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('watch-timeline').first()).toHaveAttribute('aria-busy', 'false');
}

/** Click the scrub bar at message time `ms`. */
async function clickAt(page: Page, ms: number): Promise<void> {
  const scrub = page.getByTestId('watch-scrub').first();
  const first = Number(await scrub.getAttribute('data-first'));
  const last = Number(await scrub.getAttribute('data-last'));
  const box = await scrub.boundingBox();
  if (box === null) throw new Error('the scrub bar is not on screen');
  const x = ((ms - first) / (last - first)) * box.width;
  await scrub.click({ position: { x, y: box.height / 2 } });
}

test('a seek lands on the exact frame, decoded from its keyframe; steps and keys move one frame', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const topic = await newTopic('seek');
  const t0 = Date.now() - 60_000;
  await sendFrames(topic, t0, 0, 90);

  await connect(page);
  await page.getByTestId('watch-topic-input').first().fill(topic);
  await page.getByTestId('watch-from-beginning').first().check();
  // at recorded pace (pts: 3 s), so every frame is drawn
  await expect(page.getByTestId('watch-pace').first()).toBeChecked();
  await page.getByTestId('watch-start-button').first().click();
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('90');
  await expect(position(page)).toHaveAttribute('data-seq', '89');
  const scrub = page.getByTestId('watch-scrub').first();
  await expect(scrub).toHaveAttribute('data-first', String(t0));
  await expect(scrub).toHaveAttribute('data-last', String(t0 + 89 * STEP_MS));

  await page.getByTestId('watch-pause-button').first().click();
  await expect(page.getByTestId('watch-status').first()).toContainText('Paused');

  // the time under the pointer
  const box = await scrub.boundingBox();
  if (box === null) throw new Error('the scrub bar is not on screen');
  await scrub.hover({ position: { x: box.width / 2, y: box.height / 2 } });
  await expect(page.getByTestId('watch-scrub-time').first()).toHaveText(/^\d\d:\d\d:\d\d\.\d{3}$/);

  // between frames 46 and 47: the frame at or after it is 47, a delta frame (keyframe 30)
  await clickAt(page, t0 + 46.5 * STEP_MS);
  await expect(position(page)).toHaveAttribute('data-seq', '47');
  await expect(position(page)).toHaveAttribute('data-ms', String(t0 + 47 * STEP_MS));
  await expect(page.getByTestId('watch-decode-errors').first()).toHaveText('0');
  expect(await distinctColours(page)).toBeGreaterThan(8);
  // paused: it stays on that frame
  await page.waitForTimeout(500);
  await expect(position(page)).toHaveAttribute('data-seq', '47');

  await page.getByTestId('watch-step-forward').first().click();
  await expect(position(page)).toHaveAttribute('data-seq', '48');
  await page.getByTestId('watch-step-back').first().click();
  await expect(position(page)).toHaveAttribute('data-seq', '47');
  // across a keyframe: 30 back to 29 (decoded from keyframe 0)
  await clickAt(page, t0 + 30 * STEP_MS);
  await expect(position(page)).toHaveAttribute('data-seq', '30');
  await page.getByTestId('watch-step-back').first().click();
  await expect(position(page)).toHaveAttribute('data-seq', '29');

  // keys, from the scrub bar
  await scrub.focus();
  await page.keyboard.press('ArrowRight');
  await expect(position(page)).toHaveAttribute('data-seq', '30');
  await page.keyboard.press('ArrowLeft');
  await expect(position(page)).toHaveAttribute('data-seq', '29');
  await page.keyboard.press('Home');
  await expect(position(page)).toHaveAttribute('data-seq', '0');

  // a range for the export: in at 0, out at 10
  await page.getByTestId('watch-mark-in').first().click();
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('ArrowRight');
    await expect(position(page)).toHaveAttribute('data-seq', String(i + 1));
  }
  await page.getByTestId('watch-mark-out').first().click();
  await expect(page.getByTestId('watch-marked-range').first()).toBeVisible();
  await scrub.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
  await page
    .getByTestId('watch-panel')
    .first()
    .screenshot({ path: testInfo.outputPath(`timeline-${testInfo.project.name}.png`) });

  // Play (space; on a focused button space presses the button) goes on from the frame on screen
  await scrub.focus();
  await page.keyboard.press(' ');
  await expect(position(page)).toHaveAttribute('data-seq', '89');
  await expect(page.getByTestId('watch-error').first()).toHaveText('');
});

test('a live viewer that pauses becomes a replay; Go live and End return to the newest frames', async ({
  app,
}) => {
  const { page } = app;
  const topic = await newTopic('live');
  const t0 = Date.now() - 30_000;
  await sendFrames(topic, t0, 0, 40);

  await connect(page);
  await page.getByTestId('watch-topic-input').first().fill(topic);
  await page.getByTestId('watch-start-button').first().click();
  await expect(page.getByTestId('watch-live-badge').first()).toBeVisible();
  await expect(page.getByTestId('watch-speed').first()).toBeDisabled();
  // one at a time: a burst would let the newest frame win
  for (let seq = 40; seq < 43; seq++) {
    await sendFrames(topic, t0, seq, seq + 1);
    await expect(position(page)).toHaveAttribute('data-seq', String(seq));
  }

  await page.getByTestId('watch-pause-button').first().click();
  await expect(page.getByTestId('watch-status').first()).toContainText('Paused');
  await settled(page);
  await sendFrames(topic, t0, 43, 50);
  await page.waitForTimeout(500);
  await expect(position(page)).toHaveAttribute('data-seq', '42');

  // Play: from the frame on screen, every frame, as a replay at the chosen speed
  await page.getByTestId('watch-pause-button').first().click();
  await expect(position(page)).toHaveAttribute('data-seq', '49');
  await expect(page.getByTestId('watch-live-badge')).toHaveCount(0);
  await expect(page.getByTestId('watch-go-live').first()).toBeVisible();
  await expect(page.getByTestId('watch-speed').first()).toBeEnabled();
  await page.getByTestId('watch-speed').first().selectOption('2');
  await expect(page.getByTestId('watch-status').first()).toContainText('replay at 2×');

  // back in time, then Go live: the newest frames again
  await clickAt(page, t0 + 10 * STEP_MS);
  await expect(page.getByTestId('watch-status').first()).toContainText('replay');
  await page.getByTestId('watch-go-live').first().click();
  await expect(page.getByTestId('watch-live-badge').first()).toBeVisible();
  await settled(page);
  await sendFrames(topic, t0, 50, 51);
  await expect(position(page)).toHaveAttribute('data-seq', '50');

  // End from a replay: live again
  await clickAt(page, t0 + 5 * STEP_MS);
  await expect(page.getByTestId('watch-go-live').first()).toBeVisible();
  await page.getByTestId('watch-scrub').first().focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('watch-live-badge').first()).toBeVisible();
  await settled(page);
  await sendFrames(topic, t0, 51, 52);
  await expect(position(page)).toHaveAttribute('data-seq', '51');
  await expect(page.getByTestId('watch-error').first()).toHaveText('');
});

test('an H.264 replay as fast as it arrives still draws every frame (none skipped to a keyframe)', async ({
  app,
}) => {
  const { page } = app;
  const topic = await newTopic('fast');
  await sendFrames(topic, Date.now() - 60_000, 0, 90);

  await connect(page);
  await page.getByTestId('watch-topic-input').first().fill(topic);
  await page.getByTestId('watch-from-beginning').first().check();
  await page.getByTestId('watch-pace').first().uncheck();
  await page.getByTestId('watch-start-button').first().click();
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText('90');
  await expect(page.getByTestId('watch-keyframe-skipped').first()).toHaveText('0');
  await expect(page.getByTestId('watch-status').first()).toContainText('as fast as it arrives');
});
