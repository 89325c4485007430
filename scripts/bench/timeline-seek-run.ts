/**
 * The timeline's seek, as a person feels it: one page watches the seek topic (seek-topic.ts) as a
 * replay; for each point (seek-points.ts: the same spread points as the "new viewer at a time"
 * run, none on a keyframe) the harness clicks the scrub bar (`watch-scrub`, x mapped linearly to
 * time over `data-first`…`data-last`) and times, from the click, the first drawn frame of the
 * target — the first frame drawn whose message time is at or after the time the click asked
 * (catch-up frames are decoded, not drawn; the bench hook records drawn frames only). The same
 * viewer on the service seeks (watch:control op `seek`: no new consumer group). Twice: while
 * playing, then paused (a paused seek shows exactly that one frame and stays).
 *
 * Where the time goes, all Date.now() in the page, from the pointerup that ends the click (the
 * timeline seeks on pointerup):
 *   send         the page sends `watch:control` (seek)
 *   reply        its reply comes (the service planned the seek: offsets for the time, the
 *                keyframe before it, consumer.seek)
 *   firstPacket  the first frame packet of the seek (its `epoch`; a catch-up frame, usually)
 *   targetPacket the target's frame packet (after the catch-up frames)
 *   drawn        the target drawn (bench hook)
 */
import type { Page } from 'playwright';
import type { BenchContext, Sample } from './browser-runs.js';
import {
  firstTargetFrame,
  frameAtOrAfter,
  messageTime,
  scrubX,
  seekPoints,
  type SeekPoint,
} from './seek-points.js';
import type { StampedTopic } from './seek-topic.js';
import { percentile } from './stats.js';

/** One frame packet as the page's WebSocket got it (header fields only). */
interface PacketSeen {
  readonly at: number;
  readonly epoch: number;
  readonly catchUp: boolean;
  readonly capturedAt: number | null;
  readonly seq: number | null;
  /** When the service handed it on (header receivedAt; for catch-up frames, the hand-over). */
  readonly receivedAt: number | null;
}

/** What the page saw of one seek (armed by the harness before the click). */
interface Probe {
  armed: boolean;
  downAt?: number;
  upAt?: number;
  sendAt?: number;
  id?: number;
  askedMs?: number;
  replyAt?: number;
  replyEpoch?: number;
  packets: PacketSeen[];
  /** When the page sent frame acks (flow control: the service's gate waits for them). */
  acks: number[];
}

declare global {
  interface Window {
    __kvsSeekProbe?: Probe;
  }
}

export type SeekMode = 'playing' | 'paused';

export interface TimelineSeekTry {
  readonly mode: SeekMode;
  /** The time aimed at (the point's targetMs) and the time the click asked (pixel rounding). */
  readonly aimedMs: number;
  readonly askedMs: number | null;
  /** The frame at or after the time asked, and how far it is from its keyframe. */
  readonly frame: number | null;
  readonly intoGop: number | null;
  /** ms from the click (pointerup) to the target's first frame drawn. */
  readonly clickToDrawnMs: number | null;
  /** Where it goes, ms from the click: see the file's comment. */
  readonly split: {
    readonly sendMs: number | null;
    readonly replyMs: number | null;
    readonly firstPacketMs: number | null;
    readonly targetPacketMs: number | null;
  };
  /** Catch-up frame packets of the seek before the target's (decoded, not drawn). */
  readonly catchUpPackets: number;
  /** The drawn frame is exactly the target's frame (its seq). */
  readonly exact: boolean;
  /** Frames drawn after the click before it (should be 0). */
  readonly drawnBefore: number;
  /** Paused: frames drawn in the 500 ms after it (should be 0: it stays on that frame). */
  readonly drawnAfter: number | null;
  /**
   * The seek's frame packets up to the target's, ms from the click: when each came to the page
   * and when the service handed it on (receivedAt); and the page's frame acks meanwhile.
   */
  readonly trace: {
    readonly arrivedMs: number[];
    readonly handedMs: (number | null)[];
    readonly acksMs: number[];
  };
  readonly error: string | null;
}

export interface MedianMax {
  readonly median: number | null;
  readonly max: number | null;
}

export interface TimelineSeekMode {
  readonly tries: TimelineSeekTry[];
  readonly clickToDrawnMs: MedianMax;
  readonly replyMs: MedianMax;
  readonly firstPacketMs: MedianMax;
  readonly targetPacketMs: MedianMax;
}

export interface TimelineSeek {
  readonly topic: string;
  readonly topicSeconds: number;
  readonly keyframeIntervalFrames: number;
  readonly playing: TimelineSeekMode;
  readonly paused: TimelineSeekMode;
}

/** Runs in the page before its scripts: observes clicks, the seek call and frame packets. */
function recordTimelineSeeks(): void {
  const probe = (): Probe | undefined => {
    const p = window.__kvsSeekProbe;
    return p?.armed ? p : undefined;
  };
  const onScrub = (e: Event): boolean =>
    e.target instanceof Element && e.target.closest('[data-testid="watch-scrub"]') !== null;
  window.addEventListener(
    'pointerdown',
    (e) => {
      const p = probe();
      if (p && p.downAt === undefined && onScrub(e)) p.downAt = Date.now();
    },
    true,
  );
  window.addEventListener(
    'pointerup',
    (e) => {
      const p = probe();
      if (p && p.upAt === undefined && onScrub(e)) p.upAt = Date.now();
    },
    true,
  );
  const decoder = new TextDecoder();
  const onMessage = (e: MessageEvent): void => {
    const p = probe();
    if (!p || p.sendAt === undefined) return;
    const now = Date.now();
    if (typeof e.data === 'string') {
      if (p.replyAt === undefined && e.data.includes('"reply"')) {
        const r = JSON.parse(e.data) as { id?: unknown; result?: { epoch?: unknown } };
        if (r.id === p.id) {
          p.replyAt = now;
          if (typeof r.result?.epoch === 'number') p.replyEpoch = r.result.epoch;
        }
      }
      return;
    }
    if (!(e.data instanceof ArrayBuffer) || e.data.byteLength < 8 || p.packets.length >= 400)
      return;
    const len = new DataView(e.data).getUint32(4, false);
    try {
      const h = JSON.parse(decoder.decode(new Uint8Array(e.data, 8, len))) as {
        epoch?: number;
        catchUp?: boolean;
        capturedAt?: number | null;
        seq?: number | null;
        receivedAt?: number;
      };
      p.packets.push({
        at: now,
        epoch: h.epoch ?? 0,
        catchUp: h.catchUp === true,
        capturedAt: h.capturedAt ?? null,
        seq: h.seq ?? null,
        receivedAt: h.receivedAt ?? null,
      });
    } catch {
      // not a frame packet
    }
  };
  const hooked = new WeakSet<WebSocket>();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    const p = probe();
    if (p && typeof data === 'string' && data.includes('"frame-ack"') && p.acks.length < 400)
      p.acks.push(Date.now());
    if (p && p.id === undefined && typeof data === 'string' && data.includes('"watch:control"')) {
      const msg = JSON.parse(data) as {
        id?: unknown;
        args?: { op?: unknown; from?: { ms?: unknown } };
      };
      if (msg.args?.op === 'seek' && typeof msg.id === 'number') {
        p.id = msg.id;
        p.sendAt = Date.now();
        if (typeof msg.args.from?.ms === 'number') p.askedMs = msg.args.from.ms;
      }
    }
    if (!hooked.has(this)) {
      hooked.add(this);
      this.addEventListener('message', onMessage);
    }
    send.call(this, data);
  };
}

const medianMax = (v: readonly (number | null)[]): MedianMax => {
  const ok = v.filter((x): x is number => x !== null);
  return { median: percentile(ok, 50), max: ok.length > 0 ? Math.max(...ok) : null };
};

async function text(page: Page, id: string): Promise<string> {
  return (
    (await page
      .getByTestId(id)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null)) ?? '(none)'
  );
}

async function notBusy(page: Page): Promise<void> {
  await page
    .locator('[data-testid="watch-timeline"][aria-busy="false"]')
    .first()
    .waitFor({ timeout: 30_000 });
}

/** One click on the scrub bar at `point`, timed to the target's first frame drawn. */
async function seekOnce(
  page: Page,
  t: StampedTopic,
  point: SeekPoint,
  mode: SeekMode,
): Promise<TimelineSeekTry> {
  await notBusy(page);
  const scrub = page.getByTestId('watch-scrub').first();
  const firstMs = Number(await scrub.getAttribute('data-first'));
  const lastMs = Number(await scrub.getAttribute('data-last'));
  const box = await scrub.boundingBox();
  if (box === null || !(lastMs > firstMs)) throw new Error('the scrub bar has no range on screen');
  const x = scrubX({ firstMs, lastMs }, box.width, point.targetMs);
  await page.evaluate(() => {
    window.__kvsBench = [];
    window.__kvsSeekProbe = { armed: true, packets: [], acks: [] };
  });
  await scrub.click({ position: { x, y: box.height / 2 } });
  try {
    await page.waitForFunction(
      () => {
        const p = window.__kvsSeekProbe;
        const asked = p?.askedMs;
        const up = p?.upAt;
        if (asked === undefined || up === undefined) return false;
        return (window.__kvsBench ?? []).some(
          (s) => (s.capturedAt ?? 0) >= asked && s.drawnAt >= up,
        );
      },
      undefined,
      { timeout: 30_000, polling: 5 },
    );
  } catch (e) {
    const probe = await page.evaluate(() => window.__kvsSeekProbe).catch(() => undefined);
    throw new Error(
      `No frame at or after the time clicked was drawn within 30 s (asked ${probe?.askedMs ?? '?'}, reply ${probe?.replyAt !== undefined ? 'came' : 'did not come'}, ${probe?.packets.length ?? '?'} packets; watch status "${await text(page, 'watch-status')}", watch error "${await text(page, 'watch-error')}"; ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    );
  }
  // paused: it must stay on that one frame
  if (mode === 'paused') await page.waitForTimeout(500);
  const got = await page.evaluate(() => ({
    samples: (window.__kvsBench ?? []).map((s) => ({ ...s })),
    probe: window.__kvsSeekProbe ?? { armed: false, packets: [], acks: [] },
  }));
  await page.evaluate(() => {
    if (window.__kvsSeekProbe) window.__kvsSeekProbe.armed = false;
  });
  const p = got.probe;
  const up = p.upAt ?? null;
  const since = (at: number | undefined | null): number | null =>
    at === undefined || at === null || up === null ? null : at - up;
  const asked = p.askedMs ?? null;
  const samples: Sample[] = got.samples.filter((s) => up !== null && s.drawnAt >= up);
  const { sample, drawnBefore } =
    asked === null ? { sample: null, drawnBefore: 0 } : firstTargetFrame(samples, asked);
  const frame = asked === null ? null : frameAtOrAfter(t.baseMs, t.frames, t.fps, asked);
  const epoch =
    p.replyEpoch ?? p.packets.reduce((m, x) => Math.max(m, x.epoch), Number.NEGATIVE_INFINITY);
  const mine = p.packets.filter((x) => x.epoch === epoch);
  const targetPacket = mine.find(
    (x) => !x.catchUp && x.capturedAt !== null && asked !== null && x.capturedAt >= asked,
  );
  const upToTarget =
    targetPacket === undefined ? mine : mine.slice(0, mine.indexOf(targetPacket) + 1);
  return {
    mode,
    aimedMs: point.targetMs,
    askedMs: asked,
    frame,
    intoGop: frame === null ? null : frame % t.gop,
    clickToDrawnMs: sample ? since(sample.drawnAt) : null,
    split: {
      sendMs: since(p.sendAt),
      replyMs: since(p.replyAt),
      firstPacketMs: since(mine[0]?.at),
      targetPacketMs: since(targetPacket?.at),
    },
    catchUpPackets: mine.filter((x) => x.catchUp).length,
    exact: sample !== null && sample.seq === frame,
    drawnBefore,
    drawnAfter:
      mode === 'paused' && sample ? samples.filter((s) => s.drawnAt > sample.drawnAt).length : null,
    trace: {
      arrivedMs: upToTarget.map((x) => x.at - (up ?? 0)),
      handedMs: upToTarget.map((x) => (x.receivedAt === null ? null : x.receivedAt - (up ?? 0))),
      acksMs: p.acks
        .filter((a) => targetPacket === undefined || a <= targetPacket.at + 50)
        .map((a) => a - (up ?? 0)),
    },
    error: null,
  };
}

function failedTry(point: SeekPoint, mode: SeekMode, e: unknown): TimelineSeekTry {
  return {
    mode,
    aimedMs: point.targetMs,
    askedMs: null,
    frame: null,
    intoGop: null,
    clickToDrawnMs: null,
    split: { sendMs: null, replyMs: null, firstPacketMs: null, targetPacketMs: null },
    catchUpPackets: 0,
    exact: false,
    drawnBefore: 0,
    drawnAfter: null,
    trace: { arrivedMs: [], handedMs: [], acksMs: [] },
    error: e instanceof Error ? e.message.split('\n')[0]! : String(e),
  };
}

function summary(tries: TimelineSeekTry[]): TimelineSeekMode {
  return {
    tries,
    clickToDrawnMs: medianMax(tries.map((x) => x.clickToDrawnMs)),
    replyMs: medianMax(tries.map((x) => x.split.replyMs)),
    firstPacketMs: medianMax(tries.map((x) => x.split.firstPacketMs)),
    targetPacketMs: medianMax(tries.map((x) => x.split.targetPacketMs)),
  };
}

export function describeTry(r: TimelineSeekTry): string {
  if (r.error !== null) return `${r.mode} seek failed: ${r.error}`;
  const s = r.split;
  return `${r.mode} seek to frame ${r.frame ?? '—'} (${r.intoGop ?? '—'} after a keyframe${r.askedMs !== null && r.askedMs !== r.aimedMs ? `; asked ${r.askedMs - r.aimedMs} ms from the aim` : ''}): ${r.clickToDrawnMs ?? '—'} ms click → drawn (send ${s.sendMs ?? '—'}, reply ${s.replyMs ?? '—'}, 1st packet ${s.firstPacketMs ?? '—'}, target packet ${s.targetPacketMs ?? '—'} after ${r.catchUpPackets} catch-up)${r.exact ? '' : ' (NOT the target frame)'}${r.drawnBefore > 0 ? ` (${r.drawnBefore} drawn before it)` : ''}${r.drawnAfter ? ` (${r.drawnAfter} drawn after it while paused)` : ''}`;
}

export async function runTimelineSeek(
  ctx: BenchContext,
  t: StampedTopic,
  count: number,
): Promise<TimelineSeek> {
  const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => ctx.log(`page error: ${e.message}`));
  try {
    // tsx (esbuild, keepNames) wraps the named functions inside recordTimelineSeeks in __name():
    // give the page one, or the script stops at its first line
    await page.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
    await page.addInitScript(recordTimelineSeeks);
    // a replay from the topic's first frame, at recorded speed (the page's default)
    const hash = new URLSearchParams({
      bootstrap: ctx.bootstrap,
      watch: t.topic,
      watchFrom: String(t.baseMs),
      bench: '1',
    });
    await page.goto(`${ctx.server.url}#${hash.toString()}`);
    try {
      await page.waitForFunction(() => (window.__kvsBench?.length ?? 0) > 0, undefined, {
        timeout: 60_000,
      });
      // the whole topic's range (topics:range), not yet only the frames seen so far: clicks map
      // onto it
      await page.waitForFunction(
        ([firstMs, lastMs]) => {
          const el = document.querySelector('[data-testid="watch-scrub"]');
          const first = Number(el?.getAttribute('data-first') || Number.NaN);
          const last = Number(el?.getAttribute('data-last') || Number.NaN);
          return first <= firstMs && last >= lastMs;
        },
        [t.baseMs, messageTime(t.baseMs, t.frames - 1, t.fps)] as const,
        { timeout: 30_000 },
      );
    } catch (e) {
      throw new Error(
        `The page's replay of "${t.topic}" did not start: watch status "${await text(page, 'watch-status')}", watch error "${await text(page, 'watch-error')}" (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
      );
    }
    const points = seekPoints(t.baseMs, t.frames, t.fps, t.gop, count);
    const run = async (mode: SeekMode): Promise<TimelineSeekTry[]> => {
      const tries: TimelineSeekTry[] = [];
      for (const point of points) {
        if (ctx.signal.aborted) break;
        let r: TimelineSeekTry;
        try {
          r = await seekOnce(page, t, point, mode);
        } catch (e) {
          r = failedTry(point, mode, e);
        }
        ctx.log(describeTry(r));
        tries.push(r);
        // playing: let it play on for a moment, as a person would watch before the next click
        if (mode === 'playing') await page.waitForTimeout(1000);
      }
      return tries;
    };
    const playing = await run('playing');
    await notBusy(page);
    await page.getByTestId('watch-pause-button').first().click();
    await page.getByTestId('watch-status').first().filter({ hasText: 'Paused' }).waitFor();
    await notBusy(page);
    const paused = await run('paused');
    return {
      topic: t.topic,
      topicSeconds: Math.round(t.frames / t.fps),
      keyframeIntervalFrames: t.gop,
      playing: summary(playing),
      paused: summary(paused),
    };
  } finally {
    await page.close().catch(() => undefined);
  }
}
