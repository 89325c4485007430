/**
 * The watch grid (issue 17, "A grid"): four streams in one topic with 4 partitions, produced by
 * the built `kvs produce` (real time, one stream id and name each), played in a 2×2 grid — each
 * tile on its own stream (the stream filter of watch:start): each tile draws its own stream's
 * frames; a click or Enter focuses a tile (Escape back); the grid's one timeline seeks every tile
 * to the same moment; a tile whose stream stopped says when it last had a frame.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { createKafka } from '../electron/core/kafka/client.js';
import { createTopic } from '../electron/core/kafka/topics.js';
import { makeTestVideo } from '../scripts/test-support/test-video.js';
import { connectToBroker, e2eBootstrap } from './broker-page.js';
import { expect, test } from './fixtures.js';

const root = path.resolve(import.meta.dirname, '..');
const kvsBin = path.join(root, 'bin/kvs.mjs');

/** 4 s at 10 fps: 40 frames; four sizes, so the tiles' pictures differ too. */
const SECONDS = 4;
const FPS = 10;
const FRAMES = SECONDS * FPS;
const SIZES = [
  [320, 180],
  [384, 216],
  [448, 252],
  [512, 288],
] as const;

function kvs(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [kvsBin, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`kvs ${args.join(' ')}: ${err.message}\n${String(stderr)}`))
        : resolve(String(stdout)),
    ),
  );
}

/** Viewers with members on the broker (each viewer of the app services is a consumer group of its own). */
async function activeViewers(): Promise<number> {
  const admin = createKafka({ bootstrap: e2eBootstrap(), clientId: 'kvs-e2e-grid' }).kafka.admin();
  await admin.connect();
  try {
    const ids = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith('kvs-viewer-'));
    if (ids.length === 0) return 0;
    const { groups } = await admin.describeGroups(ids);
    return groups.filter((g) => g.members.length > 0).length;
  } finally {
    await admin.disconnect();
  }
}

const tile = (page: Page, i: number): Locator => page.getByTestId('watch-panel').nth(i);
const stats = (page: Page, i: number): Locator => tile(page, i).getByTestId('tile-stats');

/** Pick one stream of the tile's topic in its stream picker (which lists the four, by name). */
async function chooseStream(t: Locator, streamId: string, name: string): Promise<void> {
  const picker = t.getByTestId('stream-picker');
  await expect(picker.getByTestId('stream-picker-status')).toHaveText(/^4 streams/);
  const select = picker.getByTestId('stream-picker-select');
  await expect(select.locator(`option[value="${streamId}"]`)).toContainText(
    `${name} (${streamId})`,
  );
  await select.selectOption(streamId);
}

test('a 2×2 grid plays four streams of one topic, one per tile; focus, one timeline, a stopped stream', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-grid-'));
  try {
    const topic = `e2e-grid-${randomBytes(3).toString('hex')}`;
    await createTopic(createKafka({ bootstrap: e2eBootstrap(), clientId: 'kvs-e2e-grid' }), topic, {
      partitions: 4,
    });
    const videos = await Promise.all(
      SIZES.map(([width, height]) =>
        makeTestVideo({ dir, seconds: SECONDS, width, height, fps: FPS }),
      ),
    );
    const ids = SIZES.map((_, i) => `cam-${i + 1}`);
    // the app's own producer, as built; all four at once, in real time (their times overlap)
    await Promise.all(
      videos.map((v, i) =>
        kvs([
          'produce',
          v,
          '--topic',
          topic,
          '--bootstrap',
          e2eBootstrap(),
          '--realtime',
          '--stream-id',
          ids[i] ?? '',
          '--stream-name',
          `Camera ${i + 1}`,
          '--json',
        ]),
      ),
    );

    await connectToBroker(page);
    await page.getByTestId('grid-layout-4').check();
    await expect(page.getByTestId('watch-panel')).toHaveCount(4);
    for (let i = 0; i < 4; i++) {
      const t = tile(page, i);
      await t.getByTestId('watch-topic-input').fill(topic);
      await chooseStream(t, ids[i] ?? '', `Camera ${i + 1}`);
      await t.getByTestId('watch-from-beginning').check();
      await t.getByTestId('watch-start-button').click();
    }
    // each tile draws its own stream, all of it: its id, its size, every frame
    for (let i = 0; i < 4; i++) {
      const [w, h] = SIZES[i] ?? [0, 0];
      await expect(tile(page, i).getByTestId('tile-frames')).toHaveText(String(FRAMES));
      await expect(tile(page, i).getByTestId('tile-stream-id')).toHaveText(ids[i] ?? '');
      await expect(stats(page, i)).toHaveAttribute('data-size', `${w}x${h}`);
      await expect(stats(page, i)).toHaveAttribute('data-seq', String(FRAMES - 1));
    }
    await page
      .getByTestId('watch-area')
      .screenshot({ path: testInfo.outputPath(`grid-${testInfo.project.name}.png`) });

    // the streams ended: each tile says when it last had a frame, and counts on
    const note = tile(page, 0).getByTestId('tile-last-frame');
    await expect(note).toHaveText(/^last frame \d\d:\d\d:\d\d, \d+ s ago$/);
    const first = await note.textContent();
    await expect(note).not.toHaveText(first ?? '');
    for (let i = 1; i < 4; i++)
      await expect(tile(page, i).getByTestId('tile-last-frame')).toBeVisible();

    // focus: a click fills the area with one tile; Escape returns. Enter does the same.
    const grid = page.getByTestId('watch-grid');
    await tile(page, 1).getByTestId('watch-stage').click();
    await expect(grid).not.toHaveAttribute('data-focused', '');
    await expect(tile(page, 0)).toBeHidden();
    await expect(tile(page, 1)).toBeVisible();
    await expect(tile(page, 1).getByTestId('watch-timeline')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(grid).toHaveAttribute('data-focused', '');
    await expect(tile(page, 0)).toBeVisible();
    await tile(page, 2).getByTestId('watch-stage').focus();
    await page.keyboard.press('Enter');
    await expect(tile(page, 3)).toBeHidden();
    await tile(page, 2).getByTestId('tile-back-to-grid').click();
    await expect(tile(page, 3)).toBeVisible();

    // one timeline: pause all, then a seek takes every tile to the same moment
    const gt = page.getByTestId('grid-timeline');
    await expect(gt).toHaveAttribute('data-tiles', '4');
    await gt.getByTestId('watch-pause-button').click();
    for (let i = 0; i < 4; i++)
      await expect(tile(page, i).getByTestId('tile-state')).toHaveAttribute('data-state', 'paused');
    await expect(gt.getByTestId('watch-pause-button')).toHaveText('Play');
    const ends = await Promise.all(
      [0, 1, 2, 3].map(async (i) => Number(await stats(page, i).getAttribute('data-ms'))),
    );
    const frameMs = 1000 / FPS;
    const starts = ends.map((e) => e - (FRAMES - 1) * frameMs);
    const overlapFrom = Math.max(...starts);
    const overlapTo = Math.min(...ends);
    expect(
      overlapTo - overlapFrom,
      'the four streams were produced at the same time',
    ).toBeGreaterThan(5 * frameMs);
    const target = Math.round((overlapFrom + overlapTo) / 2);
    const scrub = gt.getByTestId('watch-scrub');
    const firstMs = Number(await scrub.getAttribute('data-first'));
    const lastMs = Number(await scrub.getAttribute('data-last'));
    const box = await scrub.boundingBox();
    if (box === null) throw new Error('the grid timeline is not on screen');
    const x = ((target - firstMs) / (lastMs - firstMs)) * box.width;
    const clicked = firstMs + (Math.round(x) / box.width) * (lastMs - firstMs);
    await scrub.click({ position: { x: Math.round(x), y: box.height / 2 } });
    // every tile shows the frame at or after that time (one frame apart at most), still its own stream
    for (let i = 0; i < 4; i++) {
      const offset = async (): Promise<number> =>
        Number(await stats(page, i).getAttribute('data-ms')) - clicked;
      await expect
        .poll(
          async () => {
            const d = await offset();
            return d >= -2 && d <= frameMs + 2;
          },
          { message: `tile ${i + 1} shows the frame at or after the time clicked` },
        )
        .toBe(true);
      await expect(tile(page, i).getByTestId('tile-stream-id')).toHaveText(ids[i] ?? '');
    }
    await expect(gt.getByTestId('grid-spread')).toBeVisible();
    // the grid timeline reads the tiles four times a second: its figure follows
    await expect
      .poll(async () => Number(await gt.getByTestId('grid-spread').getAttribute('data-ms')))
      .toBeLessThanOrEqual(frameMs);

    // each tile on its own: the grid timeline goes, every tile shows its own
    await page.getByTestId('grid-timeline-together').uncheck();
    await expect(gt).toHaveCount(0);
    await expect(tile(page, 3).getByTestId('watch-timeline')).toBeVisible();

    // back to one tile: the other three are removed, and their viewers stop on the app services
    // (their consumer groups empty on the broker): no viewer is left behind
    await expect.poll(activeViewers).toBeGreaterThanOrEqual(4);
    const before = await activeViewers();
    await page.getByTestId('grid-layout-1').check();
    await expect(page.getByTestId('watch-panel')).toHaveCount(1);
    await expect.poll(activeViewers, { timeout: 60_000 }).toBe(before - 3);
    await expect(page.getByTestId('watch-error')).toHaveText('');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
