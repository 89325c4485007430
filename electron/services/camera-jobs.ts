/**
 * Camera jobs: frames captured and encoded by a page, produced into a topic through the same
 * producer as a file (core produceFrames: preflight, wire format, outage handling, counts), fed by
 * a bounded PageFrameSource. The page sends each frame as a binary camera packet
 * (shared/camera-packet.ts) on its frame channel; every packet is parsed here, and a packet for a
 * job this page did not start is refused. Stopped with produce:stop; progress and the end go out
 * as produce:progress / produce:ended with the job's id, like a file's.
 *
 * A camera job ends with its page: when the page goes (a reload, a closed socket) no more frames
 * can come. It also ends, saying why, when no frame came for `idleMs`.
 */
import type { CameraStartRequest, ProduceEndedEvent } from '../shared/contract.js';
import { decodeCameraPacket } from '../shared/camera-packet.js';
import { KvsError } from '../shared/errors.js';
import { PageFrameSource } from '../core/camera/page-frame-source.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { createJpegShrinker } from '../core/ffmpeg/shrink-jpeg.js';
import { assertTopicName } from '../core/kafka/client.js';
import { produceFrames, undeliveredError } from '../core/kafka/producer.js';
import type { ConnectionService } from './connection-service.js';
import type { EventBus } from './event-bus.js';
import type { CallContext } from './app-services.js';
import { createJobReport } from './job-report.js';
import { MAX_JOBS, STATS_INTERVAL_MS } from './limits.js';
import { newId } from './video-registry.js';

/** A camera job whose page sent nothing for this long ends (CAMERA_STALLED). */
export const CAMERA_IDLE_MS = 10_000;
/** How long a stopped camera job may take to send the frames it already has. */
const STOP_DRAIN_MS = 3_000;

interface CameraJob {
  readonly id: string;
  readonly client: string | null;
  readonly source: PageFrameSource;
  readonly controller: AbortController;
  ended: Promise<void>;
  /** Why it is stopping, when not by produce:stop. */
  reason: KvsError | null;
}

export interface CameraJobsDeps {
  readonly connection: Pick<ConnectionService, 'require' | 'reportLink'>;
  readonly emit: EventBus['emit'];
  /** Monotonic ms. */
  readonly now: () => number;
  /** For shrinking a JPEG over the topic's limit; without it such a frame ends the job. */
  readonly ffmpeg?: FfmpegPaths | undefined;
  readonly idleMs?: number;
}

export interface CameraJobs {
  start(req: CameraStartRequest, ctx: CallContext): Promise<{ jobId: string }>;
  /** A camera packet from a page. Never throws; returns why it was not taken, for tests. */
  packet(data: Uint8Array, client: string | null): 'queued' | 'refused' | 'dropped';
  /** produce:stop for a camera job; false when the id is not a camera job. */
  stop(jobId: string): Promise<boolean>;
  release(client: string): Promise<void>;
  stopAll(): Promise<void>;
  /** Packets refused so far (not a camera packet, bad header, not this page's job). */
  readonly refused: () => number;
}

export function createCameraJobs(deps: CameraJobsDeps): CameraJobs {
  const { emit, now } = deps;
  const idleMs = deps.idleMs ?? CAMERA_IDLE_MS;
  const jobs = new Map<string, CameraJob>();
  let refused = 0;

  async function start(req: CameraStartRequest, ctx: CallContext): Promise<{ jobId: string }> {
    const c = deps.connection.require();
    assertTopicName(req.topic);
    if (jobs.size >= MAX_JOBS)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_JOBS} cameras can stream at once. Stop one first.`,
      );
    const jobId = newId();
    const source = new PageFrameSource({ now });
    const controller = new AbortController();
    const job: CameraJob = {
      id: jobId,
      client: ctx.client ?? null,
      source,
      controller,
      ended: Promise.resolve(),
      reason: null,
    };
    const started = now();
    const report = createJobReport({
      jobId,
      emit,
      now,
      reportLink: deps.connection.reportLink,
      extras: {
        fields: () => ({ total: null, dropped: source.dropped }),
        key: () => String(source.dropped),
      },
    });
    // nothing hangs without saying why: a page that stops sending ends its job
    const idle = setInterval(
      () => {
        const since = source.lastFrameAt ?? started;
        if (now() - since < idleMs) return;
        clearInterval(idle); // once: the job drains and ends from here
        stopJob(
          job,
          new KvsError(
            'CAMERA_STALLED',
            `No frame came from the camera for ${Math.round(idleMs / 1000)} s (the page stopped sending, or the camera stopped), so the stream was ended.`,
          ),
        );
      },
      Math.min(1000, idleMs),
    );
    idle.unref?.();

    const run = async (): Promise<ProduceEndedEvent> => {
      try {
        const r = await produceFrames(
          c.handle,
          source,
          {
            topic: req.topic,
            fps: req.fps,
            format: req.format,
            ...(req.streamName !== undefined ? { streamName: req.streamName.trim() } : {}),
            signal: controller.signal,
            progressIntervalMs: STATS_INTERVAL_MS,
            onProgress: (p) => report.progress(p),
            onBrokerState: (state, err) => report.brokerState(state, err),
          },
          deps.ffmpeg ? { shrinkJpeg: createJpegShrinker(deps.ffmpeg.ffmpegPath) } : {},
        );
        return report.returned(r, job.reason ?? undeliveredError(r));
      } catch (e) {
        // stopped on purpose (not by a reason such as the idle limit): a clean end
        return report.threw(job.reason ?? e, controller.signal.aborted && job.reason === null);
      }
    };
    job.ended = run().then((event) => {
      clearInterval(idle);
      source.close();
      jobs.delete(jobId);
      report.end(event);
    });
    jobs.set(jobId, job);
    return { jobId };
  }

  /**
   * Stop a job: no more frames are taken; the frames already here (at most the queue's second or
   * so) still go, unless that takes longer than STOP_DRAIN_MS (a broker that is away): then the
   * producer is cancelled like a file's, and what waits is not sent.
   */
  async function stopJob(job: CameraJob, reason: KvsError | null): Promise<void> {
    job.reason ??= reason;
    job.source.end();
    const t = setTimeout(() => {
      job.source.close();
      job.controller.abort();
    }, STOP_DRAIN_MS);
    await job.ended;
    clearTimeout(t);
  }

  function packet(data: Uint8Array, client: string | null): 'queued' | 'refused' | 'dropped' {
    const d = decodeCameraPacket(data);
    const job = d.ok ? jobs.get(d.header.jobId) : undefined;
    // the trust boundary: only the page that started a job feeds it
    if (!d.ok || !job || job.client !== client) {
      refused++;
      return 'refused';
    }
    const h = d.header;
    const result = job.source.push({
      seq: h.seq,
      ptsMs: h.ptsMs,
      capturedAt: h.capturedAt,
      width: h.width,
      height: h.height,
      keyframe: h.codec === 'jpeg' ? true : h.keyframe,
      codec: h.codec === 'jpeg' ? null : h.codec,
      // a copy: the packet's buffer belongs to the transport
      data: Buffer.from(d.frame),
    });
    if (result === 'queued') return 'queued';
    if (result === 'dropped') return 'dropped';
    refused++;
    return 'refused';
  }

  return {
    start,
    packet,
    async stop(jobId) {
      const job = jobs.get(jobId);
      if (!job) return false;
      await stopJob(job, null);
      return true;
    },
    async release(client) {
      await Promise.all(
        [...jobs.values()]
          .filter((j) => j.client === client)
          .map((j) =>
            stopJob(
              j,
              new KvsError(
                'CANCELLED',
                'The page that sent the camera frames went away, so its stream ended.',
              ),
            ),
          ),
      );
    },
    async stopAll() {
      await Promise.all([...jobs.values()].map((j) => stopJob(j, null)));
    },
    refused: () => refused,
  };
}
