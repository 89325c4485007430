/**
 * The broker restarts while the app produces in real time and watches live: the app says so in
 * the produce panel and the viewer, and both carry on by themselves when the broker is back.
 * This spec starts its own broker (the shared one must not go away under the other specs).
 */
import { randomBytes } from 'node:crypto';
import { electronBinary } from '../scripts/electron-binary.js';
import { startBroker, startFreshBroker, stopBroker } from '../scripts/local-kafka/index.js';
import { expect, test } from './fixtures.js';

const name = `e2e-restart-${process.pid}`;
let bootstrap = '';

test.describe('a broker restart mid-stream', () => {
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeAll(async ({}, testInfo) => {
    testInfo.setTimeout(120_000);
    if (testInfo.project.name === 'electron' && 'missing' in electronBinary()) return; // skipped there
    bootstrap = (await startFreshBroker(name)).bootstrap;
  });
  test.afterAll(async () => {
    if (bootstrap) await stopBroker({ name, removeData: true });
  });

  test('producer and viewer show the outage and recover without restarting the app', async ({
    app,
  }, testInfo) => {
    testInfo.setTimeout(180_000);
    const { page } = app;
    const topic = `e2e-restart-${randomBytes(3).toString('hex')}`;
    await page.getByTestId('bootstrap-input').fill(bootstrap);
    await page.getByTestId('connect-button').click();
    await expect(page.getByTestId('connection-status')).toContainText('Connected');

    await app.pickVideo(process.env.KVS_E2E_VIDEO ?? '');
    await page.getByTestId('produce-topic-input').fill(topic);
    await page.getByTestId('produce-loop').check();
    await expect(page.getByTestId('produce-realtime')).toBeChecked();
    await page.getByTestId('produce-start-button').click();
    await expect(page.getByTestId('produce-failed')).toHaveText('0');

    await page.getByTestId('watch-topic-input').first().fill(topic);
    await page.getByTestId('watch-start-button').first().click();
    const frames = page.getByTestId('watch-frame-count').first();
    await expect(async () => expect(Number(await frames.textContent())).toBeGreaterThan(30)).toPass(
      { timeout: 30_000 },
    );

    await stopBroker({ name });
    // both halves say what is going on
    await expect(page.getByTestId('produce-broker')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('produce-broker')).toContainText(/reconnecting|unreachable/i);
    await expect(page.getByTestId('watch-status').first()).toContainText('Reconnecting', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('connection-status')).toContainText(
      'Kafka is not answering right now',
    );
    await page.screenshot({
      path: testInfo.outputPath(`broker-down-${app.transport}.png`),
      fullPage: true,
    });
    const shownWhileDown = Number(await frames.textContent());

    await startBroker({ name, log: () => undefined });
    // back by itself: the notice goes away and new frames are drawn
    await expect(page.getByTestId('produce-broker')).toHaveCount(0, { timeout: 60_000 });
    await expect(page.getByTestId('watch-status').first()).toContainText('Playing', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('connection-status')).not.toContainText('not answering');
    await expect(async () =>
      expect(Number(await frames.textContent())).toBeGreaterThan(shownWhileDown + 30),
    ).toPass({ timeout: 60_000 });

    await page.getByTestId('produce-stop-button').click();
    await expect(page.getByTestId('produce-status')).toContainText(/Stopped/);
  });
});
