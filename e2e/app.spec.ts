/**
 * The app as a person uses it: connect to a real broker, produce a generated video through
 * the UI, watch it from the beginning on a canvas.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { distinctColours } from './canvas-colours.js';
import { e2eBootstrap } from './broker-page.js';
import { expect, test } from './fixtures.js';

const bootstrap = e2eBootstrap;
const video = (): string => process.env.KVS_E2E_VIDEO ?? '';
const FRAMES = 90; // the global setup's video: 3 s at 30 fps

test('connects to the broker at its advertised address', async ({ app }) => {
  const { page } = app;
  await page.getByTestId('bootstrap-input').fill(bootstrap());
  await page.getByTestId('connect-button').click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');
});

test('explains invalid bootstrap strings precisely', async ({ app }) => {
  const { page } = app;
  const input = page.getByTestId('bootstrap-input');
  const error = page.getByTestId('bootstrap-error');
  await input.fill('PLAINTEXT://10.0.0.5:9092');
  await expect(error).toContainText('host:port');
  await input.fill('10.0.0.256:9092');
  await expect(error).toContainText('0–255');
  await input.fill('10.0.0.5:99999');
  await expect(error).toContainText('out of range');
  await input.fill('127.0.0.1:1');
  await page.getByTestId('connect-button').click();
  // the connect error is the doctor's finding: what is wrong and the fix
  await expect(page.getByTestId('connection-status')).toContainText(
    'Nothing accepts connections at 127.0.0.1:1',
  );
  await expect(page.getByTestId('connection-status')).toContainText('Fix: Start Kafka');
});

test('produces a video through the UI and plays it from the beginning', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const topic = `e2e-${randomBytes(3).toString('hex')}`;
  await page.getByTestId('bootstrap-input').fill(bootstrap());
  await page.getByTestId('connect-button').click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');

  await app.pickVideo(video());
  await page.getByTestId('produce-topic-input').fill(topic);
  await page.getByTestId('produce-start-button').click();
  await expect(page.getByTestId('produce-progress')).toHaveAttribute('aria-valuenow', '100');

  await page.getByTestId('watch-topic-input').first().fill(topic);
  await page.getByTestId('watch-from-beginning').first().check();
  await page.getByTestId('watch-start-button').first().click();
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText(String(FRAMES));

  // the canvas shows a picture, not a blank: testsrc2 is colourful
  expect(await distinctColours(page)).toBeGreaterThan(8);
  await page.screenshot({
    path: testInfo.outputPath(`stream-playing-${app.transport}.png`),
    fullPage: true,
  });
});

test('a file that is not a video gets a plain message, and the app keeps working', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const notVideo = testInfo.outputPath('holiday.mp4');
  await writeFile(notVideo, 'This is a text file that someone renamed to .mp4\n');
  await page.getByTestId('bootstrap-input').fill(bootstrap());
  await page.getByTestId('connect-button').click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');

  await app.pickVideo(notVideo);
  await page.getByTestId('produce-topic-input').fill(`e2e-bad-${randomBytes(3).toString('hex')}`);
  await page.getByTestId('produce-start-button').click();
  await expect(page.getByText(/not a video|isn't a video|is not a video/i).first()).toBeVisible();

  // the rest of the app still works: a real video produces after the bad one
  await app.pickVideo(video());
  await page.getByTestId('produce-start-button').click();
  await expect(page.getByTestId('produce-progress')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('connection-status')).toContainText('Connected');
});

test('an upload stopped by emptying the file input is not left showing as under way', async ({
  app,
}) => {
  test.skip(
    app.transport !== 'browser',
    'the desktop app picks files with its native dialog: no upload',
  );
  const { page } = app;
  // hold the upload on the wire so that it is still under way when the input is emptied
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/upload**', async (route) => {
    await held;
    await route.abort();
  });
  const input = page.getByTestId('produce-file-input');
  await input.setInputFiles(video());
  await expect(page.getByTestId('produce-upload-progress')).toBeVisible();
  await input.setInputFiles([]);
  await expect(page.getByTestId('produce-upload-progress')).toHaveCount(0);
  await expect(page.getByTestId('produce-video-name')).toHaveCount(0);
  release();
});
