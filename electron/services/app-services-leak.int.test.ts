/**
 * Leaks, on a real broker (the first of kafkaModes()) with real ffmpeg: the app services' buffers are
 * bounded and everything a viewer or a produce job sets up is gone once it is stopped.
 *
 * (a) A live viewer and a looping produce job, started and stopped 15 times on one app-services instance: no
 *     viewer or job is left (no stats/progress events, no frames after stop, and the full
 *     MAX_VIEWERS / MAX_JOBS can be started again), no ffmpeg child is left, and process
 *     listeners and active handles are back to the baseline.
 * (b) A looped max-rate 720p produce + live watch with a page that acks every frame, 45 s:
 *     heapUsed (after a forced GC) and external memory in the last third of the run are within a
 *     bound of the first third. A memory assertion, not a timing one.
 * The long version is `npm run soak` (scripts/soak), 10 minutes of real-time 720p.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVideo } from '../../scripts/bench/videos.js';
import {
  ffmpegChildrenRss,
  mb,
  readMemory,
  type MemoryReading,
} from '../../scripts/soak/memory.js';
import { attachPage, type SimulatedPage } from '../../scripts/soak/page.js';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import {
  createAppServices,
  MAX_JOBS,
  MAX_VIEWERS,
  STATS_INTERVAL_MS,
  type AppServices,
} from './app-services.js';
import { call, EventLog, until } from '../../scripts/test-support/service-calls.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';

const CYCLES = 15;
/** Part (b): sample every 3 s for 45 s (16 samples: thirds of 5). */
const SAMPLE_EVERY_MS = 3_000;
const SAMPLES = 16;
/** How much higher the last third may be than the first (mean of each), per figure. */
const MAX_HEAP_GROWTH_MB = 30;
const MAX_EXTERNAL_GROWTH_MB = 30;
/** Process events whose listeners are counted before and after the cycles. */
const PROCESS_EVENTS = [
  'exit',
  'beforeExit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'uncaughtException',
  'unhandledRejection',
  'warning',
  'message',
] as const;

const target = kafkaModes()[0];
const topicName = (what: string): string => `leak-${what}-${randomBytes(3).toString('hex')}`;

function listenerCounts(): Record<string, number> {
  return Object.fromEntries(PROCESS_EVENTS.map((e) => [e, process.listenerCount(e)]));
}

/** process.getActiveResourcesInfo() counted by type (TCPWRAP, Timeout, ProcessWrap, …). */
function activeResources(): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) out.set(r, (out.get(r) ?? 0) + 1);
  return out;
}

function total(m: ReadonlyMap<string, number>): number {
  return [...m.values()].reduce((a, b) => a + b, 0);
}

/** Types whose count is above the baseline by more than `tolerance`. */
function grownBeyond(
  now: ReadonlyMap<string, number>,
  base: ReadonlyMap<string, number>,
  tolerance: number,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [type, n] of now) {
    const b = base.get(type) ?? 0;
    if (n > b + tolerance) out[type] = `${b} → ${n}`;
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
}

describe.skipIf(!hasKafka())(
  `app services memory and resources (${target?.mode ?? 'none'})`,
  () => {
    const bootstrap = target?.bootstrap ?? '';
    let dir: string;
    let services: AppServices;
    let events: EventLog;
    let page: SimulatedPage;
    let videoId: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-services-leak-'));
      const ff = await locateFfmpeg();
      const video = await testVideo(1280, 720, 2); // cached with the benchmark's videos
      services = createAppServices({
        userDataDir: path.join(dir, 'user'),
        allowOpenPath: true,
        ffmpeg: ff,
      });
      events = new EventLog(services);
      page = attachPage(services, { ack: true });
      await call(services, 'connection:connect', { bootstrap });
      videoId = (await call(services, 'video:open-path', { path: video })).videoId;
    });

    afterAll(async () => {
      page?.off();
      await services?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /**
     * One live viewer + one looping real-time job, then both stopped. `untilFrames`: stop once frames
     * reach the page (ffmpeg, producer and consumer all running); else stop as soon as both calls
     * answered (the job is still probing / connecting, the viewer still joining its group).
     */
    async function cycle(topic: string, untilFrames: boolean): Promise<void> {
      const [{ viewerId }, { jobId }] = await Promise.all([
        call(services, 'watch:start', {
          viewerId: newViewerId(),
          topic,
          from: { kind: 'live' },
          pace: false,
        }),
        call(services, 'produce:start', {
          videoId,
          topic,
          realtime: true,
          loop: true,
          format: 'kvs',
        }),
      ]);
      if (untilFrames)
        await until(() => page.of(viewerId).frames >= 2, `frames for viewer ${viewerId}`, 30_000);
      await Promise.all([
        call(services, 'produce:stop', { jobId }),
        call(services, 'watch:stop', { viewerId }),
      ]);
      // both replies come after the end: the job's ended event and the viewer's last stats are out
      expect(events.of('produce:ended').find((e) => e.jobId === jobId)).toMatchObject({
        cancelled: true,
        error: null,
      });
      expect(
        events
          .of('watch:stats')
          .filter((s) => s.viewerId === viewerId)
          .at(-1)?.state,
      ).toBe('stopped');
      expect(page.of(viewerId).bad).toBe(0);
    }

    /** Wait until no ffmpeg is left and the handle count is back (sockets close asynchronously). */
    async function settle(base: ReadonlyMap<string, number> | null): Promise<void> {
      await until(() => ffmpegChildrenRss().count === 0, 'ffmpeg children to exit', 10_000);
      if (base !== null)
        await until(
          () => total(activeResources()) <= total(base) + 2,
          'handles to close',
          10_000,
        ).catch(
          () => undefined, // the assertion below says what is left
        );
      await sleep(2 * STATS_INTERVAL_MS);
    }

    it(
      `${CYCLES} start/stop cycles of a live viewer and a looping job leave nothing behind`,
      { timeout: 120_000 },
      async () => {
        const topic = topicName('cycles');
        await call(services, 'topics:create', { topic });
        const t0 = performance.now();
        await cycle(topic, true); // warm-up: lazy one-time setup (ffmpeg capabilities, kafkajs, zod) is not a leak
        await settle(null);
        const baseListeners = listenerCounts();
        const baseResources = activeResources();
        const baseHeap = readMemory({ gc: true });
        const viewersBefore = new Set(events.of('watch:stats').map((s) => s.viewerId));

        // two of three cycles run until frames flow; every third stops at once (other teardown paths)
        for (let i = 0; i < CYCLES; i++) await cycle(topic, i % 3 !== 2);
        await settle(baseResources);

        // no viewer or job is still running: their events stop and no frame comes any more
        const statsCount = events.of('watch:stats').length;
        const progressCount = events.of('produce:progress').length;
        const framesCount = page.total.frames;
        await sleep(4 * STATS_INTERVAL_MS);
        expect(events.of('watch:stats').length).toBe(statsCount);
        expect(events.of('produce:progress').length).toBe(progressCount);
        expect(page.total.frames).toBe(framesCount);
        const viewerIds = new Set(events.of('watch:stats').map((s) => s.viewerId));
        expect(viewerIds.size - viewersBefore.size).toBe(CYCLES);
        expect(events.of('produce:ended')).toHaveLength(CYCLES + 1);

        // no ffmpeg child, the same process listeners, and handles back to the baseline
        expect(ffmpegChildrenRss().count).toBe(0);
        const listeners = listenerCounts();
        for (const e of PROCESS_EVENTS)
          expect(listeners[e], `process listeners for "${e}"`).toBeLessThanOrEqual(
            (baseListeners[e] ?? 0) + 1,
          );
        const resources = activeResources();
        expect(grownBeyond(resources, baseResources, 2)).toEqual({});
        expect(total(resources)).toBeLessThanOrEqual(total(baseResources) + 3);
        const heap = readMemory({ gc: true });
        console.log(
          `[leak] ${CYCLES} cycles in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
            `listeners ${JSON.stringify(baseListeners)} → ${JSON.stringify(listeners)}; ` +
            `resources ${total(baseResources)} ${JSON.stringify(Object.fromEntries(baseResources))} → ` +
            `${total(resources)} ${JSON.stringify(Object.fromEntries(resources))}; ` +
            `heapUsed ${mb(baseHeap.heapUsed)} → ${mb(heap.heapUsed)} MB, ` +
            `external ${mb(baseHeap.external)} → ${mb(heap.external)} MB`,
        );
        expect(mb(heap.heapUsed - baseHeap.heapUsed)).toBeLessThan(MAX_HEAP_GROWTH_MB);

        // the app services' maps are empty: exactly MAX_VIEWERS viewers and MAX_JOBS jobs can start again
        // (each call registers its entry before its first await, so the 17th sees 16 and is refused)
        const missing = topicName('missing');
        const watchReplies = await Promise.all(
          Array.from({ length: MAX_VIEWERS + 1 }, () =>
            services.handle('watch:start', {
              viewerId: newViewerId(),
              topic: missing,
              from: { kind: 'live' },
              pace: false,
            }),
          ),
        );
        const watchErrors = watchReplies.map((r) => (r.ok ? 'ok' : r.error.code));
        expect(watchErrors.filter((c) => c === 'TOPIC_NOT_FOUND')).toHaveLength(MAX_VIEWERS);
        const refused = watchReplies[MAX_VIEWERS];
        expect(refused?.ok === false && refused.error.message).toMatch(/At most 16 viewers/);

        const jobReplies = await Promise.all(
          Array.from({ length: MAX_JOBS + 1 }, () =>
            services.handle('produce:start', {
              videoId,
              topic,
              realtime: true,
              loop: true,
              format: 'kvs',
            }),
          ),
        );
        const jobIds = jobReplies.flatMap((r) => {
          if (!r.ok) return [];
          const { jobId } = r.result as { jobId: string };
          return [jobId];
        });
        expect(jobIds).toHaveLength(MAX_JOBS);
        const refusedJob = jobReplies[MAX_JOBS];
        expect(refusedJob?.ok === false && refusedJob.error.message).toMatch(/At most 16 videos/);
        await Promise.all(jobIds.map((jobId) => call(services, 'produce:stop', { jobId })));
        await until(() => ffmpegChildrenRss().count === 0, 'ffmpeg children to exit', 10_000);
        await call(services, 'topics:delete', { topic });
      },
    );

    it(
      'a looped max-rate 720p stream watched live with page acks keeps the heap bounded',
      { timeout: 120_000 },
      async () => {
        const topic = topicName('maxrate');
        await call(services, 'topics:create', { topic });
        const { viewerId } = await call(services, 'watch:start', {
          viewerId: newViewerId(),
          topic,
          from: { kind: 'live' },
          pace: false,
        });
        await events.waitFor(
          'watch:stats',
          (s) => s.viewerId === viewerId && s.state === 'playing',
        );
        const { jobId } = await call(services, 'produce:start', {
          videoId,
          topic,
          realtime: false,
          loop: true,
          format: 'kvs',
        });
        await until(() => page.of(viewerId).frames > 0, 'the first frame', 30_000);

        const samples: Array<MemoryReading & { t: number; frames: number }> = [];
        const t0 = performance.now();
        for (let i = 0; i < SAMPLES; i++) {
          await sleep(Math.max(0, t0 + i * SAMPLE_EVERY_MS - performance.now()));
          const m = readMemory({ gc: true });
          samples.push({
            ...m,
            t: (performance.now() - t0) / 1000,
            frames: page.of(viewerId).frames,
          });
        }
        await call(services, 'produce:stop', { jobId });
        await call(services, 'watch:stop', { viewerId });
        const ended = events.of('produce:ended').find((e) => e.jobId === jobId);
        expect(ended).toMatchObject({ cancelled: true, error: null });

        const third = Math.floor(samples.length / 3);
        const first = samples.slice(0, third);
        const last = samples.slice(-third);
        const growth = (pick: (s: MemoryReading) => number): number =>
          mb(mean(last.map(pick)) - mean(first.map(pick)));
        const heapGrowth = growth((s) => s.heapUsed);
        const externalGrowth = growth((s) => s.external);
        const rssGrowth = growth((s) => s.rss);
        const frames = page.of(viewerId).frames;
        console.log(
          `[leak] max-rate 720p loop: ${frames} frames on the page (${ended?.acked ?? 0} acked by Kafka) in ` +
            `${samples.at(-1)?.t.toFixed(0)} s; heapUsed MB ${samples.map((s) => mb(s.heapUsed)).join(' ')}; ` +
            `external MB ${samples.map((s) => mb(s.external)).join(' ')}; ` +
            `rss MB ${samples.map((s) => mb(s.rss)).join(' ')}; ` +
            `last third − first third: heap ${heapGrowth}, external ${externalGrowth}, rss ${rssGrowth} MB`,
        );
        // frames kept flowing in the last third (or a flat heap would prove nothing)
        const lastFirst = last[0];
        const lastLast = last.at(-1);
        expect(lastFirst && lastLast && lastLast.frames > lastFirst.frames).toBe(true);
        expect(page.of(viewerId).bad).toBe(0);
        expect(heapGrowth).toBeLessThan(MAX_HEAP_GROWTH_MB);
        expect(externalGrowth).toBeLessThan(MAX_EXTERNAL_GROWTH_MB);
        await call(services, 'topics:delete', { topic });
      },
    );
  },
);
