/**
 * Seek to the first frame drawn: for points spread over a long H.264 topic (seek-topic.ts), open
 * the page at `#bootstrap=…&watch=<topic>&watchFrom=<ms>&bench=1` (the first viewer starts at
 * that time by itself) and time the first drawn frame of the target — the first frame drawn whose
 * message time is at or after the time asked (catch-up frames from the keyframe before it are
 * decoded, not drawn). Two clocks, both Date.now() in the page:
 *   fromStart       the page sends `watch:start` (recorded by wrapping WebSocket.send) → drawn
 *   fromNavigation  performance.timeOrigin (navigation start) → drawn: page load, connecting
 *                   to Kafka and the seek
 */
import type { Page } from 'playwright';
import type { BenchContext, Sample } from './browser-runs.js';
import { firstTargetFrame, seekPoints, type SeekPoint } from './seek-points.js';
import type { StampedTopic } from './seek-topic.js';
import { percentile } from './stats.js';

/** Times of the first viewer's start as the page's WebSocket saw them (Date.now()). */
interface StartTimes {
  /** The `watch:start` call was sent. */
  startAt?: number;
  /** Its reply came (the service's viewer has its start offsets and runs). */
  replyAt?: number;
  /** The first frame packet came (a catch-up frame, usually). */
  firstPacketAt?: number;
}

declare global {
  interface Window {
    __kvsSeekTimes?: StartTimes;
  }
}

export interface SeekTry extends SeekPoint {
  /** ms from the `watch:start` call leaving the page to the target's first frame drawn. */
  readonly fromStartMs: number | null;
  /** ms from navigation start to the same. */
  readonly fromNavigationMs: number | null;
  /** Where fromStartMs goes: watch:start → its reply → the first frame packet → drawn. */
  readonly split: {
    readonly startToReplyMs: number | null;
    readonly startToFirstPacketMs: number | null;
  };
  /** The drawn frame is exactly the target's frame (its seq). */
  readonly exact: boolean;
  /** Frames drawn before it (catch-up frames; should be 0). */
  readonly drawnBefore: number;
}

export interface Seek {
  readonly topic: string;
  readonly topicSeconds: number;
  readonly keyframeIntervalFrames: number;
  readonly tries: SeekTry[];
  readonly fromStartMs: { readonly median: number | null; readonly max: number | null };
  readonly fromNavigationMs: { readonly median: number | null; readonly max: number | null };
}

/**
 * Runs in the page before its scripts: note when the first `watch:start` call leaves, when its
 * reply comes and when the first frame packet (a binary message) comes. Observes only.
 */
function recordWatchStart(): void {
  const times: StartTimes = {};
  window.__kvsSeekTimes = times;
  let startId: number | null = null;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    if (startId === null && typeof data === 'string' && data.includes('"watch:start"')) {
      const msg = JSON.parse(data) as { id?: unknown };
      if (typeof msg.id === 'number') {
        startId = msg.id;
        times.startAt = Date.now();
        this.addEventListener('message', (e: MessageEvent) => {
          const now = Date.now();
          if (typeof e.data !== 'string') times.firstPacketAt ??= now;
          else if (times.replyAt === undefined && e.data.includes('"reply"')) {
            const reply = JSON.parse(e.data) as { id?: unknown };
            if (reply.id === startId) times.replyAt = now;
          }
        });
      }
    }
    send.call(this, data);
  };
}

async function seekOnce(ctx: BenchContext, topic: string, point: SeekPoint): Promise<SeekTry> {
  const page: Page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => ctx.log(`page error: ${e.message}`));
  try {
    await page.addInitScript(recordWatchStart);
    const hash = new URLSearchParams({
      bootstrap: ctx.bootstrap,
      watch: topic,
      watchFrom: String(Math.round(point.targetMs)),
      bench: '1',
    });
    await page.goto(`${ctx.server.url}#${hash.toString()}`);
    try {
      await page.waitForFunction(
        (target) => (window.__kvsBench ?? []).some((s) => (s.capturedAt ?? 0) >= target),
        point.targetMs,
        { timeout: 30_000, polling: 5 },
      );
    } catch (e) {
      // say what the page showed instead
      const text = async (id: string): Promise<string> =>
        (await page
          .getByTestId(id)
          .first()
          .textContent({ timeout: 1000 })
          .catch(() => null)) ?? '(none)';
      const drawn = await page.evaluate(() => window.__kvsBench?.length ?? null).catch(() => null);
      throw new Error(
        `No frame at or after ${new Date(point.targetMs).toISOString()} was drawn within 30 s (${drawn ?? 'no hook:'} frames drawn; watch status "${await text('watch-status')}", watch error "${await text('watch-error')}", connection "${await text('connection-status')}"; ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
      );
    }
    const got = await page.evaluate(() => ({
      samples: (window.__kvsBench ?? []).map((s) => ({ ...s })),
      origin: performance.timeOrigin,
      times: { ...window.__kvsSeekTimes },
    }));
    const { startAt, replyAt, firstPacketAt } = got.times;
    const since = (t: number | undefined): number | null =>
      t === undefined || startAt === undefined ? null : t - startAt;
    const samples: Sample[] = got.samples;
    const { sample, drawnBefore } = firstTargetFrame(samples, point.targetMs);
    return {
      ...point,
      fromStartMs: sample ? since(sample.drawnAt) : null,
      fromNavigationMs: sample ? Math.round(sample.drawnAt - got.origin) : null,
      exact: sample?.seq === point.frame,
      drawnBefore,
      split: { startToReplyMs: since(replyAt), startToFirstPacketMs: since(firstPacketAt) },
    };
  } finally {
    await page.close().catch(() => undefined);
  }
}

const medianMax = (v: number[]): { median: number | null; max: number | null } => ({
  median: percentile(v, 50),
  max: v.length > 0 ? Math.max(...v) : null,
});

export async function runSeek(ctx: BenchContext, t: StampedTopic, count: number): Promise<Seek> {
  const tries: SeekTry[] = [];
  for (const point of seekPoints(t.baseMs, t.frames, t.fps, t.gop, count)) {
    if (ctx.signal.aborted) break;
    const r = await seekOnce(ctx, t.topic, point);
    ctx.log(
      `seek to frame ${r.frame} (${(r.frame / t.fps).toFixed(2)} s, ${r.intoGop} after a keyframe): ${r.fromStartMs ?? '—'} ms from watch:start (reply ${r.split.startToReplyMs ?? '—'}, first packet ${r.split.startToFirstPacketMs ?? '—'}), ${r.fromNavigationMs ?? '—'} ms from navigation${r.exact ? '' : ' (NOT the target frame)'}`,
    );
    tries.push(r);
  }
  const ok = (pick: (x: SeekTry) => number | null): number[] =>
    tries.flatMap((x) => {
      const v = pick(x);
      return v === null ? [] : [v];
    });
  return {
    topic: t.topic,
    topicSeconds: Math.round(t.frames / t.fps),
    keyframeIntervalFrames: t.gop,
    tries,
    fromStartMs: medianMax(ok((x) => x.fromStartMs)),
    fromNavigationMs: medianMax(ok((x) => x.fromNavigationMs)),
  };
}
