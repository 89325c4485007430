/**
 * The video producer: frames in, one Kafka message per frame out, in order,
 * every frame acknowledged by all in-sync replicas (acks -1) or counted as failed.
 * A frame is a JPEG or an H.264 access unit (`frame.codec` set): the same path for both, except
 * for one over the topic's size limit — a JPEG is shrunk on its own, an H.264 stream is encoded
 * again from that frame at a lower rate (an access unit cannot be shrunk alone).
 */
import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { CompressionTypes } from './kafkajs.js';
import { KvsError, toKvsError } from '../../shared/errors.js';
import type { Frame } from '../frame.js';
import {
  LeaderMovedError,
  assertTopicName,
  isLeaderMoveError,
  isRetriableKafkaError,
  translateKafkaError,
  withTimeout,
  type KafkaHandle,
} from './client.js';
import { startLeaderWatch, type LeaderInfo } from './leader-watch.js';
import { OrderedSender, messageBytes } from './ordered-sender.js';
import { SendBudget, type BrokerLinkState } from './send-budget.js';
import { partitionForKey } from './stream-partition.js';
import { createTopicWith, partitionOffsets, topicExists, topicMaxMessageBytes, withAdmin } from './topics.js';
import {
  RECORD_BATCH_OVERHEAD,
  encodeEndOfStream,
  encodeFrameMessage,
  type OutgoingMessage,
} from './wire-format.js';

export type WireFormat = 'kvs' | 'raw';

export interface ProduceOptions {
  readonly topic: string;
  /** Stream id (message key); default: a short random id. */
  readonly streamId?: string;
  /** The stream's name, sent in every frame's `kvs-stream-name` header (absent: none). */
  readonly streamName?: string;
  /** Create the topic when it is missing (default true). */
  readonly createTopic?: boolean;
  /**
   * 'kvs' (default): key + headers + end-of-stream marker.
   * 'raw': value only, exactly what the tutorial's Python producer sends.
   */
  readonly format?: WireFormat;
  /**
   * Frames over the topic's size limit: shrink them (default; H.264: lower the stream's rate) or
   * stop with FRAME_TOO_LARGE.
   */
  readonly oversize?: 'shrink' | 'refuse';
  readonly fps: number;
  readonly signal?: AbortSignal;
  /** Called at most every progressIntervalMs, and once at the end. */
  readonly onProgress?: (p: ProduceProgress) => void;
  readonly progressIntervalMs?: number;
  /** Non-fatal problems (a batch failed, a frame was shrunk). */
  readonly onWarning?: (w: KvsError) => void;
  /**
   * How long the broker may be gone (a restart, a dropped network) before waiting frames are
   * counted as not delivered; default 20 s. See send-budget.ts.
   */
  readonly retryBudgetMs?: number;
  /** The link to the broker changed: reconnecting (retrying within the budget), down, connected. */
  readonly onBrokerState?: (state: BrokerLinkState, error: KvsError | null) => void;
}

export interface ProduceDeps {
  /** Re-encode a JPEG smaller so it fits maxBytes; null when it cannot. */
  readonly shrinkJpeg?: (jpeg: Buffer, maxBytes: number) => Promise<{ data: Buffer; width: number; height: number } | null>;
  /**
   * H.264: encode the stream again from the frame just read, one rate step lower (that frame
   * comes again); what was lowered, or null when no step is left. See FrameSource.lowerRate.
   */
  readonly lowerRate?: () => string | null;
  readonly now?: () => number;
}

export interface ProduceProgress {
  readonly frames: number;
  readonly acked: number;
  readonly failed: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly fps: number;
  readonly bytesPerSec: number;
  readonly shrunk: number;
  readonly brokerState: BrokerLinkState;
  /** The leader of the partition the stream goes to, and its last move (leader-watch.ts); null until known. */
  readonly leader: LeaderInfo | null;
}

/**
 * A send waiting this long makes the leader watch read every second, and a leader move seen
 * meanwhile ends the wait (see produceFrames). A healthy acks=all send takes milliseconds.
 */
export const HURRY_AFTER_MS = 2_000;

export interface ProduceResult {
  readonly topic: string;
  readonly streamId: string;
  /** Frames read from the source and handed to Kafka. */
  readonly frames: number;
  readonly acked: number;
  readonly failed: number;
  /** Bytes of acknowledged frame values. */
  readonly bytes: number;
  readonly durationMs: number;
  readonly shrunk: number;
  readonly maxMessageBytes: number;
  readonly cancelled: boolean;
  readonly createdTopic: boolean;
  /** The first send failure, when any frame failed. */
  readonly firstError: KvsError | null;
  /** The longest time the broker was gone during the run (0 when it never was). */
  readonly longestOutageMs: number;
  /** H.264: the stream's codec string (`avc1.PPCCLL`); null for JPEG. */
  readonly codec: string | null;
  /** Keyframes handed to Kafka (every JPEG is one). */
  readonly keyframes: number;
  /** The largest frame value handed to Kafka, in bytes. */
  readonly largestFrameBytes: number;
  /** H.264: what was lowered to fit the topic's limit ("the bitrate from … to …"); null when nothing was. */
  readonly rateLowered: string | null;
  /** The partition's leader at the end, and its last move during the run (null: never read). */
  readonly leader: LeaderInfo | null;
  /**
   * The partition the stream went to: its key's (stream-partition.ts), as the first
   * acknowledgement confirmed; null for the raw format (no key: spread over the partitions).
   */
  readonly partition: number | null;
}

export function defaultStreamId(): string {
  return `kvs-${randomBytes(4).toString('hex')}`;
}

/** Connect, check the topic (create it when allowed) and read its size limit and partition count. */
export async function preflight(
  handle: KafkaHandle,
  topic: string,
  createTopic: boolean,
): Promise<{ maxMessageBytes: number; created: boolean; partitions: number }> {
  assertTopicName(topic);
  return withAdmin(
    handle,
    async (admin) => {
      let created = false;
      if (!(await topicExists(admin, topic))) {
        if (!createTopic)
          throw new KvsError('TOPIC_NOT_FOUND', `Topic "${topic}" does not exist on ${handle.bootstrap}, and creating it was turned off.`);
        created = await createTopicWith(admin, topic);
      }
      const maxMessageBytes = await topicMaxMessageBytes(admin, topic);
      return { maxMessageBytes, created, partitions: (await partitionOffsets(admin, topic)).length };
    },
    topic,
  );
}

export async function produceFrames(
  handle: KafkaHandle,
  frames: AsyncIterable<Frame>,
  opts: ProduceOptions,
  deps: ProduceDeps = {},
): Promise<ProduceResult> {
  const now = deps.now ?? (() => performance.now());
  const topic = opts.topic;
  const streamId = opts.streamId ?? defaultStreamId();
  const format = opts.format ?? 'kvs';
  const { maxMessageBytes, created, partitions } = await preflight(handle, topic, opts.createTopic ?? true);
  const streamName = opts.streamName?.trim() || undefined;

  const ctx = { bootstrap: handle.bootstrap, topic };
  /** A connected kafkajs producer, and since when it knows the partition's leader (`now` clock). */
  interface Live {
    readonly producer: Producer;
    since: number;
  }
  /** `seeds`: brokers to start from (the live ones after a leader moved); default the bootstrap list. */
  const connectProducer = async (seeds: readonly string[] | null = null): Promise<Live> => {
    const kafka = seeds !== null && seeds.length > 0 && handle.clientWith ? handle.clientWith(seeds) : handle.kafka;
    const p = kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      idempotent: false,
      // No retries inside kafkajs: the SendBudget below retries and rides out restarts. A kafkajs
      // retry could also send a batch again from a producer given up on (its request hung on a
      // leader that moved, see sendOnce) after newer frames went out: out of order in the topic.
      retry: { retries: 0 },
    });
    const connecting = p.connect();
    await withTimeout(connecting, 10_000, `Connecting the producer to ${handle.bootstrap}`).catch((e: unknown) => {
      void p.disconnect().catch(() => undefined);
      // a connect that timed out may still finish later (kafkajs retries it): close it then too
      void connecting.then(() => p.disconnect().catch(() => undefined), () => undefined);
      throw translateKafkaError(e, ctx);
    });
    return { producer: p, since: now() };
  };
  let live: Live | null = await connectProducer();
  /**
   * Gives a producer up: its hung request is left to time out (kafkajs's disconnect waits for it).
   * `pending`: that send; when it ends kafkajs may connect again to read the metadata (it finds
   * its cluster disconnected), so the producer is disconnected once more after it.
   */
  const retire = (l: Live, pending?: Promise<unknown>): void => {
    if (live === l) live = null;
    void l.producer.disconnect().catch(() => undefined);
    if (pending !== undefined)
      void pending.then(() => undefined, () => undefined).then(() => l.producer.disconnect()).catch(() => undefined);
  };
  /**
   * The partition the stream goes to (all frames share one key): the key's, known before the first
   * send so the leader watch follows it from the start (not partition 0 of a topic of several);
   * the first acknowledgement has the last word (the topic may have grown since preflight).
   * Raw messages have no key (kafkajs spreads them): null, the watch reports the topic's.
   */
  let partition: number | null = format === 'kvs' && partitions > 0 ? partitionForKey(streamId, partitions, topic) : null;
  let partitionConfirmed = false;
  const watch = startLeaderWatch(handle, topic, {
    now,
    onChange: (_info, moves) => {
      // a new leader of this stream's partition: a batch waiting out its back-off goes there now
      if (moves.some((m) => partition === null || m.partition === partition)) budget.nudge();
      progress(true);
    },
  });
  /** The watch reads every second while a send waits long or the link is not connected. */
  let sendWaitingLong = false;
  const updateHurry = (): void => watch.hurry(sendWaitingLong || budget.state !== 'connected');

  /**
   * One try of one batch. kafkajs sends it to the leader it last read from the metadata; when
   * that broker is cut off the network its request hangs until kafkajs's request timeout (15 s),
   * and kafkajs then tries the same broker again without reading the metadata. So: once the send
   * has waited HURRY_AFTER_MS, the leader watch reads every second, and when it sees the
   * partition's leader move (a move this producer has not acted on: after its connect or last
   * acknowledgement) the wait ends — this producer is given up (no retries of its own: it never
   * sends the batch again) and the batch goes again on a fresh one, to the new leader. The batch
   * may then be in the topic twice (it may have reached the old leader and its followers before
   * the cut): the viewer shows a repeated frame once. A broker that restarts keeps its node id, so
   * a single broker's restart never triggers this.
   */
  const sendOnce = async (messages: OutgoingMessage[]): Promise<void> => {
    // A move this producer has not acted on: its metadata may still name the old leader (kafkajs
    // reads it again only after an error, and then perhaps before the move). A fresh producer reads
    // it now, so this try goes to the new leader rather than waiting out another back-off.
    if (live !== null && watch.movedSince(partition, live.since)) retire(live);
    const l = live ?? (live = await connectProducer(watch.liveBrokers()));
    const sending = l.producer.send({ topic, acks: -1, timeout: 30_000, compression: CompressionTypes.None, messages });
    const stopWaiting = new AbortController();
    const moved = new Promise<LeaderInfo>((resolve) => {
      const t = setTimeout(() => {
        sendWaitingLong = true;
        updateHurry();
        void watch.waitMoveSince(partition, l.since, stopWaiting.signal).then(resolve);
      }, HURRY_AFTER_MS);
      stopWaiting.signal.addEventListener('abort', () => clearTimeout(t));
    });
    try {
      const first = await Promise.race([sending.then((md) => ({ md, info: null })), moved.then((info) => ({ md: null, info }))]);
      if (first.info !== null) {
        sending.catch(() => undefined);
        retire(l, sending);
        throw new LeaderMovedError(first.info.previous ?? -1, first.info.nodeId);
      }
      l.since = now();
      if (!partitionConfirmed && format === 'kvs') {
        partitionConfirmed = true;
        partition = first.md?.[0]?.partition ?? partition;
      }
    } finally {
      stopWaiting.abort();
      sendWaitingLong = false;
      updateHurry();
    }
  };

  const started = now();
  let produced = 0;
  let acked = 0;
  let failed = 0;
  let bytes = 0;
  let shrunk = 0;
  let keyframes = 0;
  let largest = 0;
  let codec: string | null = null;
  let lowerSteps = 0;
  let rateLowered: string | null = null;
  let firstError: KvsError | null = null;
  let warnedThisOutage = false;
  const budget = new SendBudget(sendOnce, {
      budgetMs: opts.retryBudgetMs,
      signal: opts.signal,
      now,
      initialBackoffMs: 150,
      isRetriable: isRetriableKafkaError,
      isLeaderMove: isLeaderMoveError,
      onState: (state, error) => {
        if (state === 'connected') warnedThisOutage = false;
        updateHurry();
        opts.onBrokerState?.(state, error === null ? null : translateKafkaError(error, ctx));
        progress(true);
      },
    });
  let lastProgress = -Infinity;
  const interval = opts.progressIntervalMs ?? 250;
  const progress = (force = false): void => {
    const t = now();
    if (!opts.onProgress || (!force && t - lastProgress < interval)) return;
    lastProgress = t;
    const elapsedMs = t - started;
    const secs = Math.max(elapsedMs / 1000, 1e-3);
    opts.onProgress({ frames: produced, acked, failed, bytes, elapsedMs, fps: acked / secs, bytesPerSec: bytes / secs, shrunk, brokerState: budget.state, leader: watch.info(partition) });
  };

  const sender = new OrderedSender(
    budget.sendBatch,
    {
      onAcked: (messages) => {
        for (const m of messages) {
          if (m.value.length === 0) continue; // the end-of-stream marker is not a frame
          acked++;
          bytes += m.value.length;
        }
        progress();
      },
      onFailed: (messages, err) => {
        const frameCount = messages.filter((m) => m.value.length > 0).length;
        failed += frameCount;
        const e = translateKafkaError(err, ctx);
        firstError ??= e;
        // one warning per outage; the failed count says the rest
        if (!warnedThisOutage) opts.onWarning?.(new KvsError(e.code, `${frameCount} frame(s) were not delivered: ${e.message}`, e.detail));
        warnedThisOutage = true;
        progress();
      },
    },
    { maxBatchBytes: Math.min(maxMessageBytes, 8 * 1024 * 1024) },
  );

  const fits = (m: OutgoingMessage): boolean => messageBytes(m) + RECORD_BATCH_OVERHEAD <= maxMessageBytes;
  let seq = 0;
  let cancelled = false;
  let fatal: unknown = null;
  try {
    for await (const frame of frames) {
      if (opts.signal?.aborted) {
        cancelled = true;
        break;
      }
      const h264 = frame.codec !== null;
      if (h264 && format === 'raw') throw rawIsJpegOnly();
      const meta = {
        streamId,
        seq,
        ptsMs: frame.ptsMs,
        fps: opts.fps,
        width: frame.width,
        height: frame.height,
        capturedAt: Date.now() - (now() - frame.producedAt),
        ...(frame.codec === null ? {} : { codec: frame.codec, keyframe: frame.keyframe }),
        ...(streamName === undefined ? {} : { streamName }),
      };
      let msg = toWire(encodeFrameMessage(frame.data, meta, h264 ? 'video/h264' : 'image/jpeg'), format);
      if (!fits(msg) && h264) {
        // an access unit cannot be shrunk alone: encode the stream again from here, lower
        const what = opts.oversize === 'refuse' ? null : (deps.lowerRate?.() ?? null);
        if (what === null) throw accessUnitTooLarge(frame, topic, maxMessageBytes, rateLowered);
        lowerSteps++;
        rateLowered = what;
        if (lowerSteps === 1)
          opts.onWarning?.(
            new KvsError(
              'FRAME_TOO_LARGE',
              `Frame ${frame.index} (${frame.keyframe ? 'a keyframe' : 'a delta frame'}, ${formatBytes(frame.data.length)}) is larger than topic "${topic}" allows per message (${formatBytes(maxMessageBytes)}, max.message.bytes); ` +
                `encoding again from that frame with ${what}. Set a lower --bitrate (or a higher --crf), or raise the topic's max.message.bytes, to avoid this.`,
            ),
          );
        continue; // the same frame comes again, encoded smaller
      }
      if (!fits(msg)) {
        const budget = maxMessageBytes - RECORD_BATCH_OVERHEAD - (messageBytes(msg) - msg.value.length);
        const smaller = opts.oversize === 'refuse' || !deps.shrinkJpeg ? null : await deps.shrinkJpeg(frame.data, budget);
        if (!smaller) {
          throw new KvsError(
            'FRAME_TOO_LARGE',
            `Frame ${frame.index} is ${formatBytes(frame.data.length)}, but topic "${topic}" accepts at most ${formatBytes(maxMessageBytes)} per message (max.message.bytes). ` +
              `Lower the quality or the size (--quality, --width), or raise the topic's max.message.bytes.`,
          );
        }
        shrunk++;
        if (shrunk === 1)
          opts.onWarning?.(
            new KvsError('FRAME_TOO_LARGE', `Frames are larger than topic "${topic}" allows (${formatBytes(maxMessageBytes)}); re-encoding them smaller. Lower the quality or size to avoid this.`),
          );
        msg = toWire(encodeFrameMessage(smaller.data, { ...meta, width: smaller.width, height: smaller.height }), format);
      }
      produced++;
      seq++;
      if (frame.keyframe) keyframes++;
      if (frame.codec !== null) codec = frame.codec;
      largest = Math.max(largest, msg.value.length);
      await sender.enqueue(msg);
      progress();
    }
  } catch (e) {
    fatal = e;
  }
  try {
    await sender.flush();
    if (format === 'kvs' && fatal === null && (acked > 0 || failed > 0)) {
      const endOfStream = async (): Promise<void> => {
        const l = live ?? (live = await connectProducer(watch.liveBrokers()));
        await l.producer.send({ topic, acks: -1, timeout: 10_000, messages: [encodeEndOfStream(streamId, seq, produced)] });
      };
      await endOfStream().catch((e: unknown) => opts.onWarning?.(translateKafkaError(e, ctx)));
    }
  } finally {
    await Promise.all([live?.producer.disconnect().catch(() => undefined), watch.stop()]);
  }
  progress(true);
  if (fatal !== null) throw toKvsError(fatal, 'INTERNAL');
  return {
    topic,
    streamId,
    frames: produced,
    acked,
    failed,
    bytes,
    durationMs: Math.round(now() - started),
    shrunk,
    maxMessageBytes,
    cancelled,
    createdTopic: created,
    firstError,
    longestOutageMs: Math.round(budget.longestOutageMs),
    codec,
    keyframes,
    largestFrameBytes: largest,
    rateLowered,
    leader: watch.info(partition),
    partition,
  };
}

/** The tutorial's raw format is a bare image per message: it has no place for H.264. */
export function rawIsJpegOnly(): KvsError {
  return new KvsError(
    'INVALID_ARGUMENT',
    "The tutorial's raw format carries JPEG images only (its consumer reads each message as one picture). Choose the JPEG codec (--codec jpeg) for it, or the Kafka Video Studio format for H.264.",
  );
}

function accessUnitTooLarge(frame: Frame, topic: string, maxMessageBytes: number, lowered: string | null): KvsError {
  return new KvsError(
    'FRAME_TOO_LARGE',
    `Frame ${frame.index} (an H.264 ${frame.keyframe ? 'keyframe' : 'delta frame'}) is ${formatBytes(frame.data.length)}, but topic "${topic}" accepts at most ${formatBytes(maxMessageBytes)} per message (max.message.bytes)` +
      `${lowered === null ? '' : `, even after lowering ${lowered}`}. Lower the bitrate or the size (--bitrate, --width, --height), or raise the topic's max.message.bytes.`,
  );
}

/** The error to report for a run in which frames were not delivered; null when all were. */
export function undeliveredError(r: Pick<ProduceResult, 'failed' | 'frames' | 'firstError' | 'longestOutageMs'>): KvsError | null {
  if (r.failed === 0) return null;
  const outage = r.longestOutageMs >= 1000 ? ` (Kafka was unreachable for up to ${Math.round(r.longestOutageMs / 1000)} s)` : '';
  const cause = r.firstError ?? new KvsError('KAFKA_ERROR', 'the send failed.');
  return new KvsError(cause.code, `${r.failed} of ${r.frames} frames were not delivered${outage}: ${cause.message}`, cause.detail);
}

function toWire(msg: OutgoingMessage, format: WireFormat): OutgoingMessage {
  return format === 'raw' ? { key: null, value: msg.value, headers: {} } : msg;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
