// One memory sample of the soak: RSS, heap, buffers, the frame counters and ffmpeg's RSS, taken
// after a full GC, from the latest events of the job and the viewer.
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
  WatchStatsEvent,
} from '../../electron/shared/contract.js';
import { type AppServices } from '../../electron/services/app-services.js';
import { ffmpegChildrenRss, mb, readMemory } from './memory.js';
import { type SimulatedPage } from './page.js';

export interface Sample {
  /** Seconds since the measurement started (frames were flowing). */
  readonly t: number;
  /** process.memoryUsage().rss, MB. */
  readonly rssMb: number;
  /** VmRSS of /proc/self/status, MB. */
  readonly vmRssMb: number | null;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
  /** Frames the producer handed to Kafka, and of them acknowledged by the broker. */
  readonly produced: number;
  readonly kafkaAcked: number;
  /** Frames the viewer consumed, and frame packets the simulated page received and acked. */
  readonly viewerFrames: number;
  readonly pageFrames: number;
  readonly pageAcks: number;
  /** Frames the app services' newest-wins gate replaced (the page fell behind). */
  readonly dropped: number;
  /** RSS of the live ffmpeg children (the running loop pass), MB. */
  readonly ffmpegRssMb: number | null;
  /** process.getActiveResourcesInfo().length: handles and requests keeping the loop alive. */
  readonly activeResources: number;
}

/**
 * The latest progress / stats / ended event per job and viewer id (the soak has one of each, so
 * this stays tiny: the soak itself must not grow). Events of a call can come before its reply
 * gives the id, so everything is kept by id and read by id.
 */
export class Latest {
  private readonly progress = new Map<string, ProduceProgressEvent>();
  private readonly stats = new Map<string, WatchStatsEvent>();
  private readonly ended = new Map<string, ProduceEndedEvent>();
  readonly off: () => void;

  constructor(services: AppServices) {
    this.off = services.onEvent((channel, payload) => {
      if (channel === 'produce:progress') this.progress.set(payload.jobId, payload);
      else if (channel === 'produce:ended') this.ended.set(payload.jobId, payload);
      else if (channel === 'watch:stats') this.stats.set(payload.viewerId, payload);
    });
  }

  progressOf(jobId: string | null): ProduceProgressEvent | null {
    return jobId === null ? null : (this.progress.get(jobId) ?? null);
  }

  endedOf(jobId: string | null): ProduceEndedEvent | null {
    return jobId === null ? null : (this.ended.get(jobId) ?? null);
  }

  statsOf(viewerId: string | null): WatchStatsEvent | null {
    return viewerId === null ? null : (this.stats.get(viewerId) ?? null);
  }
}

export function takeSample(
  t: number,
  latest: Latest,
  ids: { jobId: string; viewerId: string },
  page: SimulatedPage,
): Sample {
  const m = readMemory({ gc: true });
  const progress = latest.progressOf(ids.jobId);
  const stats = latest.statsOf(ids.viewerId);
  const ff = ffmpegChildrenRss();
  return {
    t,
    rssMb: mb(m.rss),
    vmRssMb: m.vmRss === null ? null : mb(m.vmRss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    produced: progress?.frames ?? 0,
    kafkaAcked: progress?.acked ?? 0,
    viewerFrames: stats?.frames ?? 0,
    pageFrames: page.total.frames,
    pageAcks: page.total.acks,
    dropped: stats?.dropped ?? 0,
    ffmpegRssMb: ff.rss === null ? null : mb(ff.rss),
    activeResources: process.getActiveResourcesInfo().length,
  };
}
