/**
 * A viewer: consumes a video topic and hands each frame to `onFrame`.
 *
 * - Every viewer has its own consumer group (`kvs-viewer-<random>`), never
 *   commits, so two viewers each see every frame.
 * - Starts at live, the beginning, a timestamp or one message (viewer-start.ts). Live shows new
 *   messages only and a timestamp the messages from that time on, except that an H.264 stream
 *   begins at its last keyframe before that point (keyframe-start.ts), handed over as catch-up, so
 *   its first frame shows at once.
 * - Plays like a video: `seek` goes anywhere in the topic on the same consumer (no new group to
 *   join; each seek has a number that its frames carry, so a page can tell old frames from new),
 *   `pause`/`play` (paused, the batch being handled waits and heartbeats; nothing more is
 *   fetched), `setSpeed` (0.25–4× of the recorded pace) and `setPace`. A paused seek shows the one
 *   frame at the place, then pauses again (stepping one frame).
 * - Checks order by sequence number; counts gaps and repeats, and shows a repeated frame once.
 * - Survives broker restarts: kafkajs restarts a crashed consumer; on every rejoin the viewer
 *   seeks to just after the last message it handled, so nothing is skipped or shown twice.
 * - Skips and counts anything that is not an image (the loop never throws).
 * - Memory is bounded: kafkajs fetches at most `maxBytes` at a time and the
 *   next fetch waits until `onFrame` has finished with this batch.
 * - Fetch sizes fit the largest frame the topic accepts.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { KvsError, toKvsError } from '../../shared/errors.js';
import { assertTopicName, translateKafkaError, withTimeout, type KafkaHandle } from './client.js';
import { startLeaderWatch, type LeaderInfo, type LeaderWatch } from './leader-watch.js';
import { Pacer, realClock, type PacerClock } from './pacer.js';
import { SequenceTracker } from './sequence-tracker.js';
import { topicExists, topicMaxMessageBytes, withAdmin } from './topics.js';
import type { KeyframeStart } from './keyframe-start.js';
import { planStart, type StartFrom } from './viewer-start.js';
import {
  decodeMessage,
  type DecodedMessage,
  type MediaType,
  type SkipReason,
} from './wire-format.js';

/** No fetch for this long while playing: the viewer says it is reconnecting. */
const STALL_MS = 3000;

export type { StartFrom } from './viewer-start.js';

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
  /** The stream's name (`kvs-stream-name`), when the producer gave one. */
  readonly streamName: string | null;
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
  /** Which seek it belongs to: 0 from the start, then one more per `seek`. */
  readonly epoch: number;
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
  /** With `streamId`: messages of other streams passed over (not frames of this viewer). */
  otherStreams: number;
}

export type ViewerState = 'connecting' | 'playing' | 'reconnecting' | 'stopped' | 'failed';

export interface ViewerOptions {
  readonly topic: string;
  readonly from: StartFrom;
  /** Play at recorded pace (by pts, else message timestamps); default false = as fast as they come. */
  readonly pace?: boolean;
  /** With `pace`: this many times as fast as recorded (default 1). */
  readonly speed?: number;
  /** Pace for headerless streams with no usable timestamps. */
  readonly defaultFps?: number;
  readonly onFrame: (frame: ViewerFrame) => void | Promise<void>;
  readonly onSkip?: (reason: SkipReason, where: { partition: number; offset: string }) => void;
  readonly onEndOfStream?: (streamId: string | null, totalFrames: number | null) => void;
  readonly onState?: (state: ViewerState, error?: KvsError) => void;
  /**
   * The leader of the topic's partitions was read and moved (or was read the first time):
   * information (leader-watch.ts), the consumer follows a move on its own. Not for untilCaughtUp.
   */
  readonly onLeader?: (leader: LeaderInfo | null) => void;
  /** Stop once every partition has reached the end offsets it had when the viewer started. */
  readonly untilCaughtUp?: boolean;
  /**
   * Only this stream (its `kvs-stream-id`): frames and end markers of other streams, and plain
   * images without an id, are passed over as they are read (counted in `otherStreams`; never
   * held for a keyframe start, paced or handed on). Absent: every stream.
   */
  readonly streamId?: string;
  readonly clock?: PacerClock;
}

export interface Viewer {
  readonly stats: Readonly<ViewerStats>;
  readonly state: ViewerState;
  /** The broker leading the topic's partition (of several: the one that moved last); null until read. */
  readonly leader: LeaderInfo | null;
  /** Resolves when the viewer has stopped (by stop(), caught up, or a fatal error). */
  readonly done: Promise<ViewerStats>;
  /** Resolves once the viewer has joined and completed its first fetch (its start offsets are fixed). */
  readonly ready: Promise<void>;
  stop(): Promise<ViewerStats>;
  /**
   * Go to another place in the topic; resolves with the seek's number (its frames carry it) once
   * the consumer is sent there. `paused`: show the first frame there, then pause. Seeks run one
   * at a time in the order asked, and each takes the next number even when it fails (the viewer
   * then goes on where it was).
   */
  seek(from: StartFrom, opts?: { readonly paused?: boolean }): Promise<number>;
  /** Hold the next frame back until `play` (the batch being handled waits; nothing is fetched). */
  pause(): void;
  play(): void;
  readonly paused: boolean;
  /** The seek number now: 0 from the start, one more per seek. */
  readonly epoch: number;
  setSpeed(speed: number): void;
  setPace(pace: boolean): void;
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
      const plan = await planStart<HeldMessage>(admin, topic, opts.from);
      return { maxMessageBytes, plan };
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
    otherStreams: 0,
  };
  const only = opts.streamId;
  /** With `only`: the partition its frames were last read from (its leader is the one reported). */
  let onlyPartition: number | null = null;
  const tracker = new SequenceTracker();
  let keyframeStart: KeyframeStart<HeldMessage> | null = pre.plan.keyframeStart;
  const seekTo = pre.plan.seekTo;
  const clock = opts.clock ?? realClock;
  const pacer = new Pacer(clock, opts.defaultFps ?? 30);
  pacer.setRate(opts.speed ?? 1);
  let pace = opts.pace ?? false;
  // seeks and pauses
  let epoch = 0;
  let paused = false;
  /** A paused seek: pause again after the first frame shown. */
  let pauseAfterShown = false;
  /** Aborted (and replaced) whenever a wait must look again: play, seek, speed, stop. */
  let nudge = new AbortController();
  const nudgeWaits = (): void => {
    nudge.abort();
    nudge = new AbortController();
  };
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
    for (const e of pre.plan.ends) {
      const show = pre.plan.showFrom.find((s) => s.partition === e.partition);
      const start = show ? show.offset : e.low;
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
    const batchEpoch = epoch;
    const beat = async (): Promise<void> => {
      lastBeat = clock.now();
      await heartbeat().catch(() => undefined);
    };
    const moved = (): boolean => stopCtl.signal.aborted || epoch !== batchEpoch;
    for (const m of batch.messages) {
      lastSign = performance.now();
      if (!isRunning() || isStale() || moved()) return;
      const offset = Number(m.offset);
      const timestamp = Number(m.timestamp);
      const ks = keyframeStart;
      try {
        const decoded = decodeMessage(m.value, m.headers);
        const other =
          only !== undefined &&
          ((decoded.kind === 'frame' && decoded.meta.streamId !== only) ||
            (decoded.kind === 'eos' && decoded.streamId !== only));
        if (other) stats.otherStreams++;
        else if (only !== undefined && decoded.kind === 'frame') onlyPartition = batch.partition;
        const one = { topic: batch.topic, partition: batch.partition, epoch: batchEpoch, beat };
        if (other) {
          // another stream's: nothing to hold or show (its partition may still reach its edge)
        } else if (ks?.isHistory(batch.partition, offset))
          ks.hold(batch.partition, decoded, { decoded, offset: m.offset, timestamp });
        else await handleOne(one, m.offset, timestamp, decoded, false);
        for (const h of ks?.reached(batch.partition, offset + 1) ?? []) {
          if (moved()) return;
          await handleOne(one, h.offset, h.timestamp, h.decoded, true);
        }
      } catch (e) {
        // a failing onFrame (e.g. a closed window) must not kill the consumer
        setState(state, toKvsError(e));
      }
      // sent elsewhere meanwhile: where to go on is the seek's business
      if (moved()) return;
      markDone(batch.partition, m.offset);
      resolveOffset(m.offset);
      checkCaughtUp(batch.partition, offset + 1);
      if (clock.now() - lastBeat > 2000) await beat();
    }
  };

  /** Paused: wait for play (or a seek, or stop), heartbeating so the group keeps this viewer. */
  const whilePaused = async (beat: () => Promise<void>, since: number): Promise<void> => {
    while (paused && epoch === since && !stopCtl.signal.aborted) {
      await clock.sleep(2000, AbortSignal.any([stopCtl.signal, nudge.signal]));
      await beat();
    }
  };

  /** One message: a skip, an end of stream or a frame (checked for order, paced, handed on). */
  const handleOne = async (
    at: {
      readonly topic: string;
      readonly partition: number;
      readonly epoch: number;
      readonly beat: () => Promise<void>;
    },
    offset: string,
    timestamp: number,
    decoded: DecodedMessage,
    catchUp: boolean,
  ): Promise<void> => {
    const { partition } = at;
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
    if (!catchUp) {
      if (paused) {
        await whilePaused(at.beat, at.epoch);
        pacer.restart();
      }
      if (pace && epoch === at.epoch)
        await pacer.wait(
          { ptsMs: meta.ptsMs, timestampMs: timestamp, streamId: meta.streamId },
          AbortSignal.any([stopCtl.signal, nudge.signal]),
        );
    }
    if (stopCtl.signal.aborted || epoch !== at.epoch) return;
    stats.frames++;
    stats.bytes += decoded.image.length;
    await opts.onFrame({
      topic: at.topic,
      partition,
      offset,
      timestamp,
      type: decoded.type,
      image: decoded.image,
      keyframe: decoded.keyframe,
      codec: meta.codec ?? null,
      streamId: meta.streamId,
      streamName: meta.streamName ?? null,
      seq: meta.seq,
      ptsMs: meta.ptsMs ?? null,
      fps: meta.fps ?? null,
      width: meta.width ?? null,
      height: meta.height ?? null,
      capturedAt: meta.capturedAt ?? null,
      receivedAt: Date.now(),
      missingBefore,
      catchUp,
      epoch: at.epoch,
    });
    if (!catchUp && pauseAfterShown && epoch === at.epoch) {
      pauseAfterShown = false;
      paused = true;
    }
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

  // A reader to the end (untilCaughtUp) is short-lived and reports nothing: no watch for it.
  let leaderWatch: LeaderWatch | null = null;
  let finished = false;
  async function finish(): Promise<ViewerStats> {
    if (!finished) {
      finished = true;
      clearInterval(watchdog);
      stopCtl.abort();
      await Promise.all([
        consumer.disconnect().catch(() => undefined),
        dropSeekAdmin(),
        leaderWatch?.stop(),
      ]);
      if (state !== 'failed') setState('stopped');
      resolveDone(stats);
    }
    return done;
  }
  async function stop(): Promise<ViewerStats> {
    return finish();
  }

  // Seeks ask their offsets on one admin connection kept for the viewer's life (connecting one
  // per seek cost a round trip or two per seek: the bench's timeline seek).
  let admin: Admin | null = null;
  async function seekAdmin(): Promise<Admin> {
    if (admin !== null) return admin;
    const a = handle.kafka.admin({
      retry: { retries: 2, initialRetryTime: 150, maxRetryTime: 1000 },
    });
    await withTimeout(a.connect(), 10_000, `Connecting to ${handle.bootstrap}`).catch(
      async (e: unknown) => {
        await a.disconnect().catch(() => undefined);
        throw translateKafkaError(e, ctx);
      },
    );
    if (finished) {
      await a.disconnect().catch(() => undefined);
      throw new KvsError('CANCELLED', 'The viewer has stopped.');
    }
    admin = a;
    return a;
  }
  async function dropSeekAdmin(): Promise<void> {
    const a = admin;
    admin = null;
    await a?.disconnect().catch(() => undefined);
  }

  // one seek at a time, in the order asked
  let seeking: Promise<unknown> = Promise.resolve();
  function seek(from: StartFrom, o: { readonly paused?: boolean } = {}): Promise<number> {
    const run = seeking.then(async () => {
      if (finished) throw new KvsError('CANCELLED', 'The viewer has stopped.');
      let plan: Awaited<ReturnType<typeof planStart<HeldMessage>>>;
      try {
        plan = await planStart<HeldMessage>(await seekAdmin(), topic, from).catch(
          async (e: unknown) => {
            // a broken connection is not kept for the next seek
            await dropSeekAdmin();
            throw translateKafkaError(e, ctx);
          },
        );
      } catch (e) {
        // the viewer stays where it was, under the next number all the same: every seek asked
        // is one number, so a page can count them without waiting for the answers
        if (!finished) {
          epoch++;
          nudgeWaits();
        }
        throw e;
      }
      if (finished) throw new KvsError('CANCELLED', 'The viewer has stopped.');
      epoch++;
      keyframeStart = plan.keyframeStart;
      tracker.forgetStreams();
      pacer.restart();
      paused = false;
      pauseAfterShown = o.paused === true;
      for (const s of plan.seekTo) {
        resumeAt.set(s.partition, s.offset);
        try {
          consumer.seek({ topic, partition: s.partition, offset: s.offset });
        } catch {
          // not joined yet: the join handler seeks there (resumeAt)
        }
      }
      nudgeWaits();
      return epoch;
    });
    seeking = run.catch(() => undefined);
    return run;
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
  if (!opts.untilCaughtUp && !finished)
    leaderWatch = startLeaderWatch(handle, topic, {
      onChange: (leader) => {
        try {
          opts.onLeader?.(leader);
        } catch {
          // a listener's failure never stops the viewer
        }
      },
    });

  return {
    get stats() {
      return stats;
    },
    get state() {
      return state;
    },
    get leader() {
      return leaderWatch?.info(onlyPartition) ?? null;
    },
    done,
    ready,
    stop,
    seek,
    pause() {
      paused = true;
      pauseAfterShown = false;
    },
    play() {
      const was = paused;
      paused = false;
      pauseAfterShown = false;
      if (was) nudgeWaits();
    },
    get paused() {
      return paused;
    },
    get epoch() {
      return epoch;
    },
    setSpeed(speed) {
      pacer.setRate(speed);
    },
    setPace(on) {
      pace = on;
      pacer.restart();
    },
  };
}
