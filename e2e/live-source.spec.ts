/**
 * The produce panel's live sources (issue 17): a network URL with a login (MJPEG over HTTP made
 * by the test from ffmpeg output, scripts/test-support/live-servers.ts) produced through the page;
 * the source stalls, the panel says so and says when it reads again; Stop. A URL with another
 * scheme gets the contract's message; the password is never shown in the page. The device choice
 * lists the host's cameras (none here) and says so. Browser project only: the call path is the
 * same contract in the stand-in (one handler per channel), and the CLI and the app services are
 * tested on the same sources (electron/cli/kvs-live.int.test.ts, services/produce-live.int.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { startLiveServers, type LiveServers } from '../scripts/test-support/live-servers.js';
import { e2eBootstrap } from './broker-page.js';
import { expect, test } from './fixtures.js';

let servers: LiveServers | undefined;
// eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
test.beforeAll(async ({}, testInfo) => {
  if (testInfo.project.name === 'browser')
    servers = await startLiveServers({ hls: false, rtsp: false });
});
test.afterAll(async () => {
  await servers?.close();
});

test('a network URL as a live source: live status, a stall and back, stop', async ({
  app,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'browser', 'one project is enough (see the file comment)');
  test.setTimeout(90_000);
  const { page } = app;
  if (!servers) throw new Error('the live servers did not start');
  const { mjpeg, login } = servers;
  await page.getByTestId('bootstrap-input').fill(e2eBootstrap());
  await page.getByTestId('connect-button').click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');

  await page.getByTestId('produce-source-url-choice').check();
  await page.getByTestId('produce-topic-input').fill(`e2e-live-${randomBytes(3).toString('hex')}`);
  await page.getByTestId('produce-source-url').fill('ftp://someone@127.0.0.1/cam');
  await page.getByTestId('produce-start-button').click();
  await expect(page.getByTestId('produce-error')).toContainText('"ftp://" is not a stream address');

  await page.getByTestId('produce-source-url').fill(servers.privateUrl(login));
  await page.getByTestId('produce-start-button').click();
  const live = page.getByTestId('produce-live');
  await expect(live).toHaveAttribute('data-state', 'reading');
  await expect(page.getByTestId('produce-progress')).toHaveAttribute(
    'aria-valuetext',
    /[1-9]\d* frames acked/,
  );

  mjpeg.set('stall');
  await expect(live).toHaveAttribute('data-state', /stalled|reconnecting/, { timeout: 20_000 });
  await expect(live).toContainText('http://***@127.0.0.1');
  mjpeg.set('up');
  await expect(live).toHaveAttribute('data-state', 'reading', { timeout: 30_000 });
  await expect(live).toHaveAttribute('data-reconnects', /^[1-9]/);
  await expect(page.locator('body')).not.toContainText(login.password);

  await page.getByTestId('produce-stop-button').click();
  await expect(page.getByTestId('produce-status')).toContainText('Stopped');

  await page.getByTestId('produce-source-device-choice').check();
  await expect(page.getByTestId('produce-device-notes')).toContainText('No camera was found.');
});
