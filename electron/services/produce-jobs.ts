/**
 * Produce jobs: a video file (core produceFile) or a live source — a network URL or a camera on
 * the host (core produceLive, with the source's state in every progress event) — streamed into a
 * topic, with throttled
 * produce:progress events, the producer's link to the broker reported to the connection, and
 * one produce:ended event. A job belongs to the page that started it (its client).
 */
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
  ProduceRequest,
} from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { assertTopicName } from '../core/kafka/client.js';
import { undeliveredError } from '../core/kafka/producer.js';
import { produceFile } from '../core/produce-file.js';
import { produceLive, type ProduceLiveOptions } from '../core/produce-live.js';
import type { LiveStatus } from '../core/ffmpeg/live-frame-source.js';
import type { Platform } from '../core/ffmpeg/live-input.js';
import type { BrokerLinkState } from '../core/kafka/send-budget.js';
import { redactUrl } from '../shared/redact-url.js';
import type { ConnectionService } from './connection-service.js';
import type { EventBus } from './event-bus.js';
import type { CallContext } from './app-services.js';
import { createJobReport } from './job-report.js';
import { pageDeviceProblem } from './page-device-policy.js';
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
  /** The host's platform (what a page may open as a camera: page-device-policy.ts). */
  readonly platform?: Platform | undefined;
  /** Live sources: time limits and back-off (tests shorten them); default the core's. */
  readonly liveOptions?:
    Pick<ProduceLiveOptions, 'timeoutMs' | 'stallMs' | 'backoffMs'> | undefined;
}

/** A live source's status as the contract carries it (its error's URL redacted). */
export function liveProgress(s: LiveStatus): NonNullable<ProduceProgressEvent['live']> {
  return {
    state: s.state,
    reconnects: s.reconnects,
    lastFrameAt: s.lastFrameAt,
    error: s.error
      ? {
          code: s.error.code,
          message: redactUrl(s.error.message),
          ...(s.error.detail ? { detail: redactUrl(s.error.detail) } : {}),
        }
      : null,
  };
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
    const video = req.videoId === undefined ? undefined : videos.get(req.videoId);
    const live = req.source;
    if (!video && !live)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That video is no longer available. Choose or upload it again.',
      );
    if (live?.kind === 'device') {
      const problem = pageDeviceProblem(live, deps.platform ?? process.platform);
      if (problem !== null) throw new KvsError('INVALID_ARGUMENT', problem);
    }
    const c = requireConnection();
    assertTopicName(req.topic);
    if (jobs.size >= MAX_JOBS)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_JOBS} videos can be produced at once. Stop one first.`,
      );
    const jobId = newId();
    const controller = new AbortController();
    let liveState: LiveStatus | null = null;
    let lastTotal: number | null = null;
    const report = createJobReport({
      jobId,
      emit,
      now,
      reportLink,
      extras: {
        fields: () => ({
          total: lastTotal,
          ...(liveState ? { live: liveProgress(liveState) } : {}),
        }),
        key: () => `${liveState?.state ?? ''}/${liveState?.reconnects ?? ''}`,
      },
    });

    const run = async (): Promise<ProduceEndedEvent> => {
      try {
        const common = {
          topic: req.topic,
          fps: req.fps,
          maxWidth: req.maxWidth,
          maxHeight: req.maxHeight,
          quality: req.quality,
          format: req.format,
          codec: req.codec,
          bitrateKbps: req.bitrateKbps,
          crf: req.crf,
          keyframeIntervalS: req.keyframeIntervalS,
          ...(req.streamName !== undefined ? { streamName: req.streamName.trim() } : {}),
          signal: controller.signal,
          progressIntervalMs: STATS_INTERVAL_MS,
          onBrokerState: (state: BrokerLinkState, err: KvsError | null) =>
            report.brokerState(state, err),
        };
        const r = live
          ? await produceLive(
              c.handle,
              live,
              {
                ...common,
                ...deps.liveOptions,
                onProgress: (p, s) => {
                  liveState = s;
                  report.progress(p);
                },
                onSourceStatus: (s) => {
                  liveState = s;
                  report.sendNow();
                },
              },
              deps.ffmpeg ? { ffmpeg: deps.ffmpeg } : {},
            )
          : await produceFile(
              c.handle,
              (video as { path: string }).path,
              {
                ...common,
                realtime: req.realtime,
                loop: req.loop,
                onProgress: (p, total) => {
                  lastTotal = total;
                  report.progress(p);
                },
              },
              deps.ffmpeg ? { ffmpeg: deps.ffmpeg } : {},
            );
        return report.returned(r, undeliveredError(r));
      } catch (e) {
        return report.threw(e, controller.signal.aborted);
      }
    };
    const ended = run().then((event) => {
      jobs.delete(jobId);
      report.end(event);
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
