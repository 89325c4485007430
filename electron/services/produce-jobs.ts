/**
 * Produce jobs: a video file streamed into a topic (core produceFile), with throttled
 * produce:progress events, the producer's link to the broker reported to the connection, and
 * one produce:ended event. A job belongs to the page that started it (its client).
 */
import type {
  ErrorPayload,
  ProduceEndedEvent,
  ProduceProgressEvent,
  ProduceRequest,
} from '../shared/contract.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { assertTopicName } from '../core/kafka/client.js';
import { undeliveredError, type ProduceProgress } from '../core/kafka/producer.js';
import { produceFile } from '../core/produce-file.js';
import type { ConnectionService } from './connection-service.js';
import { errorPayload } from './error-payload.js';
import type { EventBus } from './event-bus.js';
import type { CallContext } from './app-services.js';
import { MAX_JOBS, STATS_INTERVAL_MS } from './limits.js';
import { newId, type VideoRegistry } from './video-registry.js';

interface JobEntry {
  readonly id: string;
  readonly client: string | null;
  readonly controller: AbortController;
  readonly ended: Promise<void>;
}

export interface ProduceJobsDeps {
  readonly videos: VideoRegistry;
  readonly connection: Pick<ConnectionService, 'require' | 'reportLink'>;
  readonly emit: EventBus['emit'];
  /** Monotonic ms. */
  readonly now: () => number;
  readonly ffmpeg?: FfmpegPaths | undefined;
}

export interface ProduceJobs {
  start(req: ProduceRequest, ctx: CallContext): Promise<{ jobId: string }>;
  stop(args: { readonly jobId: string }): Promise<Record<string, never>>;
  /** Stop the jobs this client started. */
  release(client: string): Promise<void>;
  stopAll(): Promise<void>;
}

export function createProduceJobs(deps: ProduceJobsDeps): ProduceJobs {
  const { videos, emit, now } = deps;
  const requireConnection = deps.connection.require;
  const reportLink = deps.connection.reportLink;
  const jobs = new Map<string, JobEntry>();

  async function produceStart(req: ProduceRequest, ctx: CallContext): Promise<{ jobId: string }> {
    const video = videos.get(req.videoId);
    if (!video)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That video is no longer available. Choose or upload it again.',
      );
    const c = requireConnection();
    assertTopicName(req.topic);
    if (jobs.size >= MAX_JOBS)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_JOBS} videos can be produced at once. Stop one first.`,
      );
    const jobId = newId();
    const controller = new AbortController();
    let last: ProduceProgress = {
      frames: 0,
      acked: 0,
      failed: 0,
      bytes: 0,
      elapsedMs: 0,
      fps: 0,
      bytesPerSec: 0,
      shrunk: 0,
      brokerState: 'connected',
      leader: null,
    };
    let brokerError: ErrorPayload | null = null;
    let lastTotal: number | null = null;
    let lastSent = -Infinity;
    let lastSentKey = '';
    const started = now();
    const sendProgress = (force: boolean): void => {
      const t = now();
      const key = `${last.frames}/${last.acked}/${last.failed}/${last.brokerState}/${last.leader?.nodeId ?? ''}/${last.leader?.movedAt ?? ''}`;
      if (!force && t - lastSent < STATS_INTERVAL_MS) return;
      if (force && key === lastSentKey) return;
      lastSent = t;
      lastSentKey = key;
      const payload: ProduceProgressEvent = {
        jobId,
        ...last,
        total: lastTotal,
        brokerError: last.brokerState === 'connected' ? null : brokerError,
      };
      emit('produce:progress', payload);
    };

    const run = async (): Promise<ProduceEndedEvent> => {
      try {
        const r = await produceFile(
          c.handle,
          video.path,
          {
            topic: req.topic,
            fps: req.fps,
            maxWidth: req.maxWidth,
            maxHeight: req.maxHeight,
            quality: req.quality,
            realtime: req.realtime,
            loop: req.loop,
            format: req.format,
            codec: req.codec,
            bitrateKbps: req.bitrateKbps,
            crf: req.crf,
            keyframeIntervalS: req.keyframeIntervalS,
            ...(req.streamName !== undefined ? { streamName: req.streamName.trim() } : {}),
            signal: controller.signal,
            progressIntervalMs: STATS_INTERVAL_MS,
            onProgress: (p, total) => {
              last = p;
              lastTotal = total;
              sendProgress(false);
            },
            onBrokerState: (state, err) => {
              brokerError = err === null ? null : errorPayload(err);
              reportLink(jobId, state === 'connected' ? null : brokerError);
              last = { ...last, brokerState: state };
              sendProgress(true);
            },
          },
          deps.ffmpeg ? { ffmpeg: deps.ffmpeg } : {},
        );
        last = { ...last, frames: r.frames, acked: r.acked, failed: r.failed, bytes: r.bytes };
        sendProgress(true);
        const error = undeliveredError(r);
        return {
          jobId,
          ok: error === null,
          frames: r.frames,
          acked: r.acked,
          failed: r.failed,
          bytes: r.bytes,
          durationMs: r.durationMs,
          cancelled: r.cancelled,
          error: error === null ? null : errorPayload(error),
        };
      } catch (e) {
        const err = toKvsError(e);
        const cancelled = controller.signal.aborted && err.code === 'CANCELLED';
        return {
          jobId,
          ok: cancelled,
          frames: last.frames,
          acked: last.acked,
          failed: last.failed,
          bytes: last.bytes,
          durationMs: Math.round(now() - started),
          cancelled: controller.signal.aborted,
          error: cancelled ? null : errorPayload(err),
        };
      }
    };
    const ended = run().then((event) => {
      jobs.delete(jobId);
      reportLink(jobId, null);
      emit('produce:ended', event);
    });
    jobs.set(jobId, { id: jobId, client: ctx.client ?? null, controller, ended });
    return { jobId };
  }

  async function produceStop({
    jobId,
  }: {
    readonly jobId: string;
  }): Promise<Record<string, never>> {
    const job = jobs.get(jobId);
    // stopping a job that already ended is not an error: it is stopped
    if (job) {
      job.controller.abort();
      await job.ended;
    }
    return {};
  }

  async function stopJobs(which: JobEntry[]): Promise<void> {
    for (const j of which) j.controller.abort();
    await Promise.all(which.map((j) => j.ended));
  }

  return {
    start: produceStart,
    stop: produceStop,
    release: (client) => stopJobs([...jobs.values()].filter((j) => j.client === client)),
    stopAll: () => stopJobs([...jobs.values()]),
  };
}
