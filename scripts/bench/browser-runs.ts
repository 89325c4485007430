/**
 * The runs that go through the whole app: `kvs serve` (startServer, in this process) and headless
 * Chromium. The page is opened with `#bootstrap=…&watch=…&bench=1`: it connects and watches live
 * by itself, and records every drawn frame in `window.__kvsBench`
 * (renderer/src/features/watch/bench-hook.ts).
 */
import type { Browser, Page } from 'playwright';
import type { RunningServer } from '../../electron/browser/browser-server.js';
import type { KafkaHandle } from '../../electron/core/kafka/client.js';
import { createTopic } from '../../electron/core/kafka/topics.js';
import type { VideoCodec } from '../../electron/core/ffmpeg/frame-source.js';
import { produceFile } from '../../electron/core/produce-file.js';
import { cpuPercent, sampleChromiumByType, startCpuWindow, type ProcessGroup } from './proc.js';
import { mbitPerSec, percentile, percentiles, rateOver, round, type Percentiles } from './stats.js';
import { abortableSleep as sleep } from '../../electron/core/kafka/send-budget.js';

export interface Sample {
  readonly seq: number | null;
  readonly capturedAt: number | null;
  readonly receivedAt: number;
  readonly drawnAt: number;
}

export interface Realtime {
  readonly topic: string;
  /** What the producer sent: one JPEG or one H.264 access unit per message. */
  readonly codec: VideoCodec;
  readonly fps: number | null;
  readonly droppedPct: number | null;
  readonly latencyMs: Percentiles;
  /** Where the latency goes: ffmpeg → the app services' consumer (Kafka), and services → drawn (services, socket, page). */
  readonly latencySplitMs: {
    readonly toServices: Percentiles;
    readonly servicesToScreen: Percentiles;
  };
  readonly cpuPct: Record<ProcessGroup, number | null>;
  readonly bytesPerSec: number | null;
  /** The same on the topic, in Mbit/s (10^6 bits). */
  readonly mbitPerSec: number | null;
  /** The largest message value handed to Kafka (a keyframe, for H.264). */
  readonly largestMessageBytes: number;
  /** H.264: a rate step the producer took to fit the topic's limit (null: none). */
  readonly rateLowered: string | null;
  readonly produced: number;
  readonly drawn: number;
  readonly windowMs: number;
  /** The page's own counts: frames the app services dropped for it and frames it replaced before drawing. */
  readonly servicesDropped: number | null;
  readonly pageDropped: number | null;
  readonly meanFrameBytes: number | null;
  /**
   * A profile of the page during the window: CPU (% of one core) of each Chromium process type,
   * and the renderer main thread's busy time (% of wall time) split as Chromium's
   * Performance.getMetrics reports it (script, layout, style; the rest of TaskDuration is
   * painting, compositing setup, image decode scheduling and other main-thread tasks).
   */
  readonly pageProfile: {
    readonly chromiumCpuPct: Record<string, number>;
    readonly mainThreadPct: {
      readonly task: number;
      readonly script: number;
      readonly layout: number;
      readonly style: number;
    } | null;
  };
}

export interface BenchContext {
  readonly handle: KafkaHandle;
  readonly server: RunningServer;
  readonly browser: Browser;
  readonly bootstrap: string;
  readonly brokerPid: number | null;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

export { sleep };

function uniqueTopic(kind: string): string {
  return `bench-${kind}-${Date.now().toString(36)}`;
}

async function openWatching(ctx: BenchContext, topic: string): Promise<Page> {
  const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => ctx.log(`page error: ${e.message}`));
  const hash = new URLSearchParams({ bootstrap: ctx.bootstrap, watch: topic, bench: '1' });
  await page.goto(`${ctx.server.url}#${hash.toString()}`);
  const hooked = await page.evaluate(() => Array.isArray(window.__kvsBench));
  if (!hooked)
    throw new Error(
      'The built page has no bench hook (window.__kvsBench): rebuild it with `npx electron-vite build`.',
    );
  // the viewer has joined its group and is waiting at the live end
  try {
    await page
      .getByTestId('watch-status')
      .filter({ hasText: /Waiting for frames on|Playing/ })
      .waitFor({ timeout: 60_000 });
  } catch (e) {
    // say what the page showed instead
    const text = async (id: string): Promise<string> =>
      (await page
        .getByTestId(id)
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => null)) ?? '(none)';
    throw new Error(
      `The page's viewer on "${topic}" did not start within 60 s: watch status "${await text('watch-status')}", watch error "${await text('watch-error')}", connection "${await text('connection-status')}" (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    );
  }
  return page;
}

async function samples(page: Page): Promise<Sample[]> {
  return page.evaluate(() => (window.__kvsBench ?? []).map((s) => ({ ...s })));
}

export interface RealtimeOptions {
  /** false: untick the page's "Recorded speed" first (default true, as the page opens). */
  readonly pace?: boolean;
  /** What the producer sends (default 'jpeg'; core produceFile's own default). */
  readonly codec?: VideoCodec;
  /** The run's name in topics and progress lines (default rt720 / rt720-unpaced). */
  readonly kind?: string;
}

/**
 * A video in real time: produce with core produceFile (realtime) while the page draws it live.
 * `pace: true` is the page as it opens (the "Recorded speed" box is ticked by default);
 * `pace: false` unticks it and restarts the live viewer before producing.
 */
export async function runRealtime(
  ctx: BenchContext,
  video: string,
  opts: RealtimeOptions = {},
): Promise<Realtime> {
  const pace = opts.pace ?? true;
  const codec = opts.codec ?? 'jpeg';
  const kind = opts.kind ?? (pace ? 'rt720' : 'rt720-unpaced');
  const topic = uniqueTopic(kind);
  await createTopic(ctx.handle, topic);
  const page = await openWatching(ctx, topic);
  try {
    if (!pace) {
      await page.getByTestId('watch-stop-button').click();
      await page.getByTestId('watch-pace').uncheck();
      await page.getByTestId('watch-start-button').click();
      await page
        .getByTestId('watch-status')
        .filter({ hasText: /Waiting for frames on/ })
        .waitFor({ timeout: 60_000 });
      await page.evaluate(() => (window.__kvsBench = []));
    }
    // let the live consumer fix its start offset (its first fetch) before the first frame
    await sleep(1000, ctx.signal);
    ctx.log(`${kind}: producing ${video} (${codec}) in real time to ${topic}…`);
    const cpu = startCpuWindow(ctx.brokerPid);
    const byType0 = sampleChromiumByType();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Map<string, number>> =>
      new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const m0 = await metrics();
    const t0 = performance.now();
    const result = await produceFile(ctx.handle, video, {
      topic,
      codec,
      realtime: true,
      signal: ctx.signal,
      onWarning: (w) => ctx.log(w.message),
    });
    const windowMs = performance.now() - t0;
    const cpuPct = cpu.stop();
    const m1 = await metrics().catch(() => null);
    const byType1 = sampleChromiumByType();
    const chromiumCpuPct: Record<string, number> = {};
    for (const [type, ticks] of byType1) {
      const v = cpuPercent(ticks - (byType0.get(type) ?? 0), windowMs);
      if (v !== null && v >= 0.5) chromiumCpuPct[type] = Math.round(v * 10) / 10;
    }
    const busy = (name: string): number =>
      m1 === null
        ? 0
        : Math.round((((m1.get(name) ?? 0) - (m0.get(name) ?? 0)) * 1000 * 1000) / windowMs) / 10;
    const pageProfile = {
      chromiumCpuPct,
      mainThreadPct:
        m1 === null
          ? null
          : {
              task: busy('TaskDuration'),
              script: busy('ScriptDuration'),
              layout: busy('LayoutDuration'),
              style: busy('RecalcStyleDuration'),
            },
    };
    // let the last frames reach the screen
    let last = -1;
    for (let i = 0; i < 20; i++) {
      const n = await page.evaluate(() => window.__kvsBench?.length ?? 0);
      if (n === last || n >= result.acked) break;
      last = n;
      await sleep(250, ctx.signal);
    }
    const all = await samples(page);
    const droppedTitle = await page
      .getByTestId('watch-dropped')
      .getAttribute('title')
      .catch(() => null);
    const m = /(\d+) by the service, (\d+) on this page/.exec(droppedTitle ?? '');
    const seqs = new Set(all.map((s) => s.seq).filter((s): s is number => s !== null));
    const latencies = all.flatMap((s) => (s.capturedAt === null ? [] : [s.drawnAt - s.capturedAt]));
    const produced = result.acked;
    const bytesPerSec =
      result.durationMs > 0 ? Math.round((result.bytes * 1000) / result.durationMs) : null;
    return {
      topic,
      codec,
      fps: round(rateOver(all.map((s) => s.drawnAt)), 2),
      droppedPct:
        produced > 0 ? round((Math.max(produced - seqs.size, 0) * 100) / produced, 2) : null,
      latencyMs: percentiles(latencies),
      latencySplitMs: {
        toServices: percentiles(
          all.flatMap((s) => (s.capturedAt === null ? [] : [s.receivedAt - s.capturedAt])),
        ),
        servicesToScreen: percentiles(all.map((s) => s.drawnAt - s.receivedAt)),
      },
      cpuPct,
      bytesPerSec,
      mbitPerSec: mbitPerSec(bytesPerSec),
      largestMessageBytes: result.largestFrameBytes,
      rateLowered: result.rateLowered,
      produced,
      drawn: seqs.size,
      windowMs: Math.round(windowMs),
      servicesDropped: m ? Number(m[1]) : null,
      pageDropped: m ? Number(m[2]) : null,
      meanFrameBytes: produced > 0 ? Math.round(result.bytes / produced) : null,
      pageProfile,
    };
  } finally {
    await page.close().catch(() => undefined);
  }
}

export interface FirstFrame {
  /** Median of the tries. */
  readonly ms: number | null;
  readonly tries: number[];
}

/**
 * Time to first frame: on a topic that already holds frames, press Start with "From the
 * beginning" and time the click to the first frame drawn (both Date.now() in the page).
 * Each press starts a new viewer: a new consumer group, joined before the first fetch.
 */
export async function runFirstFrame(
  ctx: BenchContext,
  topic: string,
  tries = 3,
): Promise<FirstFrame> {
  const page = await openWatching(ctx, topic);
  try {
    await page.getByTestId('watch-stop-button').click();
    await page.getByTestId('watch-from-beginning').check();
    const out: number[] = [];
    for (let i = 0; i < tries && !ctx.signal.aborted; i++) {
      const t0 = await page.evaluate(() => {
        window.__kvsBench = [];
        const start = Date.now();
        (document.querySelector('[data-testid="watch-start-button"]') as HTMLButtonElement).click();
        return start;
      });
      await page.waitForFunction(() => (window.__kvsBench?.length ?? 0) > 0, undefined, {
        timeout: 30_000,
        polling: 5,
      });
      const first = await page.evaluate(() => window.__kvsBench?.[0]?.drawnAt ?? null);
      if (first !== null) out.push(first - t0);
      await page.getByTestId('watch-stop-button').click();
      await sleep(300, ctx.signal);
    }
    return { ms: percentile(out, 50), tries: out };
  } finally {
    await page.close().catch(() => undefined);
  }
}
