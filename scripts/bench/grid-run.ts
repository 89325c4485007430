/**
 * The grid bench (issue 17's targets): four 720p30 H.264 streams produced live (core produceFile,
 * real time, one stream id each) into one topic with 4 partitions, drawn in the page's 2×2 grid
 * (each tile on its own stream, the stream filter applied by the app services) in headless
 * Chromium. Once every tile draws, it measures a window: per-tile drawn fps and capture → drawn
 * p95 latency (the page's bench hook, each sample tagged with its tile), and CPU per process
 * (encode = ffmpeg, broker = java, page = Chromium's processes by type, host = this node process)
 * from /proc, to say which process bounds a CPU-bound run. Optionally saves a screenshot of the
 * playing grid (README's picture).
 */
import type { Locator, Page } from 'playwright';
import { createTopic } from '../../electron/core/kafka/topics.js';
import { produceFile } from '../../electron/core/produce-file.js';
import { sleep, type BenchContext } from './browser-runs.js';
import { readFileSync } from 'node:fs';
import {
  cpuBound,
  machineBusyPct,
  parseCpuTotals,
  tileFigures,
  type Bound,
  type TileFigures,
} from './grid-stats.js';
import { cpuPercent, sampleChromiumByType, startCpuWindow, type ProcessGroup } from './proc.js';

export const GRID_TILES = 4;

export interface GridRun {
  readonly topic: string;
  readonly streams: readonly string[];
  readonly windowMs: number;
  readonly tiles: readonly TileFigures[];
  /** The worst tile: lowest fps, highest p95. */
  readonly minFps: number | null;
  readonly maxP95Ms: number | null;
  /** Frames each producer had acknowledged at the end. */
  readonly produced: readonly number[];
  readonly cpuPct: Record<ProcessGroup, number | null>;
  readonly chromiumCpuPct: Record<string, number>;
  readonly bound: Bound;
  readonly screenshot: string | null;
}

export interface GridRunOptions {
  /** A 720p30 video at least warm-up + window + a few seconds long. */
  readonly video: string;
  readonly windowSeconds: number;
  readonly cores: number;
  /** Save a PNG of the page playing the four streams here. */
  readonly screenshot?: string | null;
}

/** The page's tile i (the grid's cells, in order). */
const tileOf = (page: Page, i: number): Locator => page.getByTestId('watch-panel').nth(i);

/** Point tile i at `topic`, stream `streamId`, live; press Start. */
async function startTile(page: Page, i: number, topic: string, streamId: string): Promise<void> {
  const tile = tileOf(page, i);
  await tile.getByTestId('watch-topic-input').fill(topic);
  await chooseStream(tile, streamId);
  await tile.getByTestId('watch-start-button').click();
}

/** Choose one stream of the tile's topic in its stream picker (listing the topic again until it shows). */
async function chooseStream(tile: Locator, streamId: string): Promise<void> {
  const picker = tile.getByTestId('stream-picker');
  const option = picker.locator(`option[value="${streamId}"]`);
  for (let i = 0; i < 10 && (await option.count()) === 0; i++) {
    await picker
      .getByTestId('stream-picker-refresh')
      .click({ timeout: 5000 })
      .catch(() => undefined);
    await option.waitFor({ state: 'attached', timeout: 2000 }).catch(() => undefined);
  }
  await picker.getByTestId('stream-picker-select').selectOption(streamId);
}

function readCpuTotals(): { busy: number; total: number } | null {
  try {
    return parseCpuTotals(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

export async function runGrid(ctx: BenchContext, opts: GridRunOptions): Promise<GridRun> {
  const topic = `bench-grid-${Date.now().toString(36)}`;
  const streams = Array.from({ length: GRID_TILES }, (_, i) => `grid-cam-${i + 1}`);
  await createTopic(ctx.handle, topic, { partitions: GRID_TILES });
  const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => ctx.log(`page error: ${e.message}`));
  const stopProducers = new AbortController();
  const onAbort = (): void => stopProducers.abort();
  ctx.signal.addEventListener('abort', onAbort);
  let producing: Promise<number[]> | null = null;
  try {
    const hash = new URLSearchParams({ bootstrap: ctx.bootstrap, bench: '1' });
    await page.goto(`${ctx.server.url}#${hash.toString()}`);
    await page
      .getByTestId('connection-status')
      .filter({ hasText: 'Connected' })
      .waitFor({ timeout: 60_000 });
    await page.getByTestId('grid-layout-4').check();
    await page
      .getByTestId('watch-panel')
      .nth(GRID_TILES - 1)
      .waitFor();

    ctx.log(`grid: producing 4 × ${opts.video} (H.264, real time) to ${topic}…`);
    producing = Promise.all(
      streams.map((streamId) =>
        produceFile(ctx.handle, opts.video, {
          topic,
          codec: 'h264',
          realtime: true,
          streamId,
          createTopic: false,
          signal: stopProducers.signal,
          onWarning: (w) => ctx.log(`${streamId}: ${w.message}`),
        }).then((r) => r.acked),
      ),
    );
    // the streams exist once their first frames are on the topic: then the tiles can pick them
    await sleep(2000, ctx.signal);
    for (let i = 0; i < GRID_TILES; i++) await startTile(page, i, topic, streams[i] ?? '');
    for (let i = 0; i < GRID_TILES; i++)
      await tileOf(page, i)
        .getByTestId('tile-frames')
        .filter({ hasNotText: /^0$/ })
        .waitFor({ timeout: 60_000 });
    // warm-up: decoders configured, the newest keyframes in
    await sleep(2000, ctx.signal);

    await page.evaluate(() => (window.__kvsBench = []));
    const machine0 = readCpuTotals();
    const cpu = startCpuWindow(ctx.brokerPid);
    const byType0 = sampleChromiumByType();
    const t0 = Date.now();
    const p0 = performance.now();
    await sleep(opts.windowSeconds * 1000, ctx.signal);
    const windowMs = performance.now() - p0;
    const cpuPct = cpu.stop();
    const machine1 = readCpuTotals();
    const machinePct = machine0 && machine1 ? machineBusyPct(machine0, machine1, opts.cores) : null;
    const byType1 = sampleChromiumByType();
    const t1 = Date.now();
    const chromiumCpuPct: Record<string, number> = {};
    for (const [type, ticks] of byType1) {
      const v = cpuPercent(ticks - (byType0.get(type) ?? 0), windowMs);
      if (v !== null && v >= 0.5) chromiumCpuPct[type] = Math.round(v * 10) / 10;
    }
    const samples = await page.evaluate(() => (window.__kvsBench ?? []).map((s) => ({ ...s })));
    const tiles = tileFigures(samples, GRID_TILES, t0, t1);
    let screenshot: string | null = null;
    if (opts.screenshot) {
      await page.getByTestId('watch-area').screenshot({ path: opts.screenshot });
      screenshot = opts.screenshot;
      ctx.log(`grid: screenshot saved to ${screenshot}`);
    }
    stopProducers.abort();
    const produced = await producing;
    producing = null;
    const fpss = tiles.map((t) => t.fps);
    const p95s = tiles.map((t) => t.latencyMs.p95);
    return {
      topic,
      streams,
      windowMs: Math.round(windowMs),
      tiles,
      minFps: fpss.some((f) => f === null) ? null : Math.min(...(fpss as number[])),
      maxP95Ms: p95s.some((f) => f === null) ? null : Math.max(...(p95s as number[])),
      produced,
      cpuPct,
      chromiumCpuPct,
      bound: cpuBound(cpuPct, opts.cores, machinePct),
      screenshot,
    };
  } finally {
    stopProducers.abort();
    ctx.signal.removeEventListener('abort', onAbort);
    await producing?.catch(() => undefined);
    await page.close().catch(() => undefined);
  }
}
