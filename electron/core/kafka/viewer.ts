/**
 * A viewer: consumes a video topic and hands each frame to `onFrame`.
 *
 * - Every viewer has its own consumer group (`kvs-viewer-<random>`), never
 *   commits, so two viewers each see every frame.
 * - Starts at live, the beginning, or a timestamp. Live shows new messages only and a timestamp
 *   the messages from that time on, except that an H.264 stream begins at its last keyframe
 *   before that point (keyframe-start.ts), handed over as catch-up, so its first frame shows at once.
 * - Checks order by sequence number; counts gaps and repeats, and shows a repeated frame once.
 * - Survives broker restarts: kafkajs restarts a crashed consumer; on every rejoin the viewer
 *   seeks to just after the last message it handled, so nothing is skipped or shown twice.
 * - Skips and counts anything that is not an image (the loop never throws).
 * - Memory is bounded: kafkajs fetches at most `maxBytes` at a time and the
 *   next fetch waits until `onFrame` has finished with this batch.
 * - Fetch sizes fit the largest frame the topic accepts.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { KvsError, toKvsError } from '../../shared/errors.js';
import { assertTopicName, translateKafkaError, withTimeout, type KafkaHandle } from './client.js';
import { Pacer, realClock, type PacerClock } from './pacer.js';
import { SequenceTracker } from './sequence-tracker.js';
import { partitionOffsets, topicExists, topicMaxMessageBytes, withAdmin } from './topics.js';
import { KeyframeStart, SEEK_LOOKBACK_MS } from './keyframe-start.js';
import {
  decodeMessage,
  type DecodedMessage,
  type MediaType,
  type SkipReason,
} from './wire-format.js';

/** No fetch for this long while playing: the viewer says it is reconnecting. */
const STALL_MS = 3000;

export type StartFrom =
  | { readonly kind: 'live' }
  | { readonly kind: 'beginning' }
  | { readonly kind: 'timestamp'; readonly ms: number };

export interface ViewerFrame {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Kafka message timestamp (ms since epoch). */
  readonly timestamp: number;
  readonly type: MediaType;
  /** The image, or the H.264 access unit. */
  readonly image: Buffer;
  /** Decodable on its own (every image; an H.264 access unit with an IDR slice). */
  readonly keyframe: boolean;
  /** H.264: the stream's codec string, when known. */
  readonly codec: string | null;
  readonly streamId: string | null;
  readonly seq: number | null;
  readonly ptsMs: number | null;
  readonly fps: number | null;
  readonly width: number | null;
  readonly height: number | null;
  /** When the frame left ffmpeg at the producer (ms since epoch), if the producer said. */
  readonly capturedAt: number | null;
  /** When this viewer received it (ms since epoch). */
  readonly receivedAt: number;
  /** Frames missing just before this one in its stream. */
  readonly missingBefore: number;
  /**
   * From before where the viewer was asked to start (live, or a time), handed over so that an
   * H.264 stream can start at its last keyframe: to be decoded, not shown (keyframe-start.ts).
   */
  readonly catchUp: boolean;
}

/** A message from before where the viewer starts showing, held by KeyframeStart until then. */
interface HeldMessage {
  readonly decoded: DecodedMessage;
  readonly offset: string;
  readonly timestamp: number;
}

export interface ViewerStats {
  frames: number;
  bytes: number;
  skipped: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  gaps: number;
  repeats: number;
  endOfStreams: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Errors the consumer recovered from (broker restarts, rebalances). */
  recoveredErrors: number;
}

export type ViewerState = 'connecting' | 'playing' | 'reconnecting' | 'stopped' | 'failed';

export interface ViewerOptions {
  readonly topic: string;
  readonly from: StartFrom;
  /** Play at recorded pace (by pts, else message timestamps); default false = as fast as they come. */
  readonly pace?: boolean;
  /** Pace for headerless streams with no usable timestamps. */
  readonly defaultFps?: number;
  readonly onFrame: (frame: ViewerFrame) => void | Promise<void>;
  readonly onSkip?: (reason: SkipReason, where: { partition: number; offset: string }) => void;
  readonly onEndOfStream?: (streamId: string | null, totalFrames: number | null) => void;
  readonly onState?: (state: ViewerState, error?: KvsError) => void;
  /** Stop once every partition has reached the end offsets it had when the viewer started. */
  readonly untilCaughtUp?: boolean;
  readonly clock?: PacerClock;
}

export interface Viewer {
  readonly stats: Readonly<ViewerStats>;
  readonly state: ViewerState;
  /** Resolves when the viewer has stopped (by stop(), caught up, or a fatal error). */
  readonly done: Promise<ViewerStats>;
  /** Resolves once the viewer has joined and completed its first fetch (its start offsets are fixed). */
  readonly ready: Promise<void>;
  stop(): Promise<ViewerStats>;
}

export async function startViewer(handle: KafkaHandle, opts: ViewerOptions): Promise<Viewer> {
  const topic = assertTopicName(opts.topic);
  const ctx = { bootstrap: handle.bootstrap, topic };
  const pre = await withAdmin(
    handle,
    async (admin) => {
      if (!(await topicExists(admin, topic)))
        throw new KvsError(
          'TOPIC_NOT_FOUND',
          `Topic "${topic}" does not exist on ${handle.bootstrap}. Produce to it first, or pick a topic from the list.`,
        );
      const maxMessageBytes = await topicMaxMessageBytes(admin, topic);
      const ends = await partitionOffsets(admin, topic);
      let seekTo: Array<{ partition: number; offset: string }> = [];
      if (opts.from.kind === 'timestamp') {
        const found = await withTimeout(
          admin.fetchTopicOffsetsByTimestamp(topic, opts.from.ms),
          10_000,
          'Finding the offset for that time',
        );
        seekTo = found.map((f) => {
          const end = ends.find((e) => e.partition === f.partition);
          // -1: no message at or after that time — start at the end (live)
          return {
            partition: f.partition,
            offset: Number(f.offset) < 0 ? String(end?.high ?? 0) : String(f.offset),
          };
        });
      }
      let lookback: Array<{ partition: number; offset: string }> = [];
      if (opts.from.kind === 'timestamp') {
        const earlier = await withTimeout(
          admin.fetchTopicOffsetsByTimestamp(topic, Math.max(0, opts.from.ms - SEEK_LOOKBACK_MS)),
          10_000,
          'Finding the offset for that time',
        );
        lookback = earlier.map((f) => ({ partition: f.partition, offset: f.offset }));
      }
      return { maxMessageBytes, ends, seekTo, lookback };
    },
    topic,
  );

  const stats: ViewerStats = {
    frames: 0,
    bytes: 0,
    skipped: 0,
    skippedByReason: {},
    gaps: 0,
    repeats: 0,
    endOfStreams: 0,
    firstSeq: null,
    lastSeq: null,
    recoveredErrors: 0,
  };
  const tracker = new SequenceTracker();
  const keyframeStart =
    opts.from.kind === 'live'
      ? KeyframeStart.forLive<HeldMessage>(pre.ends)
      : opts.from.kind === 'timestamp'
        ? KeyframeStart.forTime<HeldMessage>(
            pre.seekTo.map((s) => {
              const before = Number(
                pre.lookback.find((l) => l.partition === s.partition)?.offset ?? -1,
              );
              // -1: nothing at or after that earlier time either: nothing to look back at
              return {
                partition: s.partition,
                at: Number(s.offset),
                before: before < 0 ? Number(s.offset) : before,
              };
            }),
          )
        : null;
  const seekTo = keyframeStart === null ? pre.seekTo : keyframeStart.starts;
  const clock = opts.clock ?? realClock;
  const pacer = new Pacer(clock, opts.defaultFps ?? 30);
  const fetchPerPartition = Math.max(pre.maxMessageBytes + 64 * 1024, 1024 * 1024);
  const consumer: Consumer = handle.kafka.consumer({
    groupId: `kvs-viewer-${randomUUID()}`,
    maxBytesPerPartition: fetchPerPartition,
    maxBytes: Math.max(fetchPerPartition * 2, 10 * 1024 * 1024),
    maxWaitTimeInMs: 100,
    minBytes: 1,
    // After a broker restart the coordinator still remembers this viewer's old member (kafkajs
    // rejoins under a new id when it restarted the consumer); the rejoin waits until that member's
    // session expires, so a short session keeps the pause after a restart short.
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 2_000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
  });

  let state: ViewerState = 'connecting';
  const stopCtl = new AbortController();
  let resolveDone: (s: ViewerStats) => void = () => undefined;
  const done = new Promise<ViewerStats>((resolve) => (resolveDone = resolve));
  const setState = (s: ViewerState, err?: KvsError): void => {
    if (state === s && !err) return;
    state = s;
    try {
      opts.onState?.(s, err);
    } catch {
      // a listener's failure never stops the viewer
    }
  };

  const remaining = new Map<number, number>();
  if (opts.untilCaughtUp && opts.from.kind !== 'live')
    for (const e of pre.ends) {
      const seek = pre.seekTo.find((s) => s.partition === e.partition);
      const start = seek ? Number(seek.offset) : e.low;
      if (e.high > start) remaining.set(e.partition, e.high);
    }
  const checkCaughtUp = (partition: number, nextOffset: number): void => {
    const target = remaining.get(partition);
    if (target !== undefined && nextOffset >= target) remaining.delete(partition);
    if (opts.untilCaughtUp && remaining.size === 0) void stop();
  };

  // Where to go on after the consumer rejoins (kafkajs restarts it after a broker outage with a
  // fresh group state; the viewer never commits, so without this a live viewer would jump to the
  // newest message and skip what arrived meanwhile).
  // It starts as where the viewer was asked to start, so the first join seeks there too.
  const resumeAt = new Map<number, string>(seekTo.map((s) => [s.partition, s.offset]));
  const markDone = (partition: number, offset: string): void => {
    resumeAt.set(partition, String(Number(offset) + 1));
  };

  /** The last sign of life from the broker: a fetch, a join, a message handled. */
  let lastSign = performance.now();
  let handling = false;
  const handleBatch = async (payload: EachBatchPayload): Promise<void> => {
    handling = true;
    try {
      await handleMessages(payload);
    } finally {
      handling = false;
      lastSign = performance.now();
    }
  };
  const handleMessages = async ({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> => {
    let lastBeat = clock.now();
    for (const m of batch.messages) {
      lastSign = performance.now();
      if (!isRunning() || isStale() || stopCtl.signal.aborted) return;
      const offset = Number(m.offset);
      const timestamp = Number(m.timestamp);
      try {
        const decoded = decodeMessage(m.value, m.headers);
        if (keyframeStart?.isHistory(batch.partition, offset))
          keyframeStart.hold(batch.partition, decoded, { decoded, offset: m.offset, timestamp });
        else await handleOne(batch.topic, batch.partition, m.offset, timestamp, decoded, false);
        for (const h of keyframeStart?.reached(batch.partition, offset + 1) ?? []) {
          if (stopCtl.signal.aborted) return;
          await handleOne(batch.topic, batch.partition, h.offset, h.timestamp, h.decoded, true);
        }
      } catch (e) {
        // a failing onFrame (e.g. a closed window) must not kill the consumer
        setState(state, toKvsError(e));
      }
      markDone(batch.partition, m.offset);
      resolveOffset(m.offset);
      checkCaughtUp(batch.partition, offset + 1);
      if (clock.now() - lastBeat > 2000) {
        lastBeat = clock.now();
        await heartbeat().catch(() => undefined);
      }
    }
  };

  /** One message: a skip, an end of stream or a frame (checked for order, paced, handed on). */
  const handleOne = async (
    msgTopic: string,
    partition: number,
    offset: string,
    timestamp: number,
    decoded: DecodedMessage,
    catchUp: boolean,
  ): Promise<void> => {
    if (decoded.kind === 'skip') {
      stats.skipped++;
      stats.skippedByReason[decoded.reason] = (stats.skippedByReason[decoded.reason] ?? 0) + 1;
      opts.onSkip?.(decoded.reason, { partition, offset });
      return;
    }
    if (decoded.kind === 'eos') {
      stats.endOfStreams++;
      if (decoded.streamId !== null) tracker.end(decoded.streamId);
      opts.onEndOfStream?.(decoded.streamId, decoded.totalFrames);
      return;
    }
    const meta = decoded.meta;
    let missingBefore = 0;
    let repeat = false;
    if (meta.seq !== null) {
      const v = tracker.observe(meta.streamId ?? '', meta.seq);
      missingBefore = v.missing;
      repeat = v.repeat;
      stats.gaps = tracker.gaps;
      stats.repeats = tracker.repeats;
      stats.firstSeq ??= meta.seq;
      if (!repeat) stats.lastSeq = meta.seq;
    }
    // A frame seen already (a send retried after a broker restart wrote it twice, or the
    // viewer re-read it after rejoining) is counted as a repeat and shown once.
    if (repeat) return;
    if (opts.pace && !catchUp)
      await pacer.wait(
        { ptsMs: meta.ptsMs, timestampMs: timestamp, streamId: meta.streamId },
        stopCtl.signal,
      );
    if (stopCtl.signal.aborted) return;
    stats.frames++;
    stats.bytes += decoded.image.length;
    await opts.onFrame({
      topic: msgTopic,
      partition,
      offset,
      timestamp,
      type: decoded.type,
      image: decoded.image,
      keyframe: decoded.keyframe,
      codec: meta.codec ?? null,
      streamId: meta.streamId,
      seq: meta.seq,
      ptsMs: meta.ptsMs ?? null,
      fps: meta.fps ?? null,
      width: meta.width ?? null,
      height: meta.height ?? null,
      capturedAt: meta.capturedAt ?? null,
      receivedAt: Date.now(),
      missingBefore,
      catchUp,
    });
  };

  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  void done.then(() => resolveReady());
  const { GROUP_JOIN, FETCH, CRASH, DISCONNECT } = consumer.events;
  consumer.on(GROUP_JOIN, () => {
    lastSign = performance.now();
    for (const [partition, offset] of resumeAt) consumer.seek({ topic, partition, offset });
    setState('playing');
  });
  consumer.on(FETCH, () => {
    lastSign = performance.now();
    resolveReady();
    if (state === 'reconnecting') setState('playing');
  });
  // kafkajs retries a lost broker quietly for a while before it reports anything; a healthy
  // consumer completes a fetch at least every maxWaitTime (100 ms), so silence means trouble.
  const watchdog = setInterval(() => {
    const silentMs = performance.now() - lastSign;
    // (not while a batch is being handled: a paced replay or a slow page waits in our own code)
    if (state === 'playing' && !handling && silentMs > STALL_MS)
      setState(
        'reconnecting',
        new KvsError(
          'BROKER_UNREACHABLE',
          `No answer from Kafka at ${handle.bootstrap} for ${Math.round(silentMs / 1000)} s; reconnecting…`,
        ),
      );
  }, 1000);
  watchdog.unref?.();
  consumer.on(DISCONNECT, () => {
    if (!stopCtl.signal.aborted) setState('reconnecting');
  });
  consumer.on(CRASH, (event) => {
    const err = translateKafkaError(event.payload.error, ctx);
    if (event.payload.restart) {
      stats.recoveredErrors++;
      setState('reconnecting', err);
    } else {
      setState('failed', err);
      void finish();
    }
  });

  let finished = false;
  async function finish(): Promise<ViewerStats> {
    if (!finished) {
      finished = true;
      clearInterval(watchdog);
      stopCtl.abort();
      await consumer.disconnect().catch(() => undefined);
      if (state !== 'failed') setState('stopped');
      resolveDone(stats);
    }
    return done;
  }
  async function stop(): Promise<ViewerStats> {
    return finish();
  }

  try {
    await withTimeout(consumer.connect(), 10_000, `Connecting the viewer to ${handle.bootstrap}`);
    await consumer.subscribe({ topics: [topic], fromBeginning: opts.from.kind === 'beginning' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: handleBatch,
    });
    for (const s of seekTo) {
      try {
        consumer.seek({ topic, partition: s.partition, offset: s.offset });
      } catch {
        // kafkajs throws when its consumer group is not up yet (a first join that failed and is
        // being retried): the join handler seeks there (resumeAt) once it is
      }
    }
  } catch (e) {
    clearInterval(watchdog);
    await consumer.disconnect().catch(() => undefined);
    throw translateKafkaError(e, ctx);
  }
  if (opts.untilCaughtUp && remaining.size === 0) void stop();

  return {
    get stats() {
      return stats;
    },
    get state() {
      return state;
    },
    done,
    ready,
    stop,
  };
}
