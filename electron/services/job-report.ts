/**
 * What a produce job — a file, a live source, the page's camera — tells the page, in one place
 * for produce-jobs.ts and camera-jobs.ts: throttled produce:progress events (a forced one is sent
 * only when something it counts changed), the producer's link to the broker reported to the
 * connection, and the job's one produce:ended event, whether the run returned or threw.
 */
import type { ErrorPayload, ProduceEndedEvent, ProduceProgressEvent } from '../shared/contract.js';
import { toKvsError, type KvsError } from '../shared/errors.js';
import type { ProduceProgress, ProduceResult } from '../core/kafka/producer.js';
import type { BrokerLinkState } from '../core/kafka/send-budget.js';
import type { ConnectionService } from './connection-service.js';
import { errorPayload } from './error-payload.js';
import type { EventBus } from './event-bus.js';
import { STATS_INTERVAL_MS } from './limits.js';

/** What a kind of job adds to every progress event, and the part of it that forces one. */
export interface JobExtras {
  readonly fields: () => Pick<ProduceProgressEvent, 'total' | 'live' | 'dropped'>;
  readonly key: () => string;
}

export interface JobReportDeps {
  readonly jobId: string;
  readonly emit: EventBus['emit'];
  /** Monotonic ms. */
  readonly now: () => number;
  readonly reportLink: ConnectionService['reportLink'];
  readonly extras: JobExtras;
}

export interface JobReport {
  /** The producer's progress (throttled to STATS_INTERVAL_MS). */
  progress(p: ProduceProgress): void;
  /** The producer's `onBrokerState`: reported to the connection, and sent at once. */
  brokerState(state: BrokerLinkState, err: KvsError | null): void;
  /** Send now (when something counted changed), e.g. after a source's own state changed. */
  sendNow(): void;
  /** The last progress event's counts and the ended event of a run that returned. */
  returned(r: ProduceResult, error: KvsError | null): ProduceEndedEvent;
  /**
   * The ended event of a run that threw. `stopped`: stopped on purpose (produce:stop, the page
   * gone) — with a CANCELLED error that is a clean end.
   */
  threw(e: unknown, stopped: boolean): ProduceEndedEvent;
  /** The job is over: its link no longer counts; the ended event goes to the page. */
  end(event: ProduceEndedEvent): void;
}

const START: ProduceProgress = {
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

export function createJobReport(deps: JobReportDeps): JobReport {
  const { jobId, emit, now, extras } = deps;
  const started = now();
  let last = START;
  let brokerError: ErrorPayload | null = null;
  let lastSent = -Infinity;
  let lastKey = '';

  const send = (force: boolean): void => {
    const t = now();
    const key = `${last.frames}/${last.acked}/${last.failed}/${last.brokerState}/${brokerError?.message ?? ''}/${last.leader?.nodeId ?? ''}/${last.leader?.movedAt ?? ''}/${extras.key()}`;
    if (!force && t - lastSent < STATS_INTERVAL_MS) return;
    if (force && key === lastKey) return;
    lastSent = t;
    lastKey = key;
    const payload: ProduceProgressEvent = {
      jobId,
      ...last,
      brokerError: last.brokerState === 'connected' ? null : brokerError,
      ...extras.fields(),
    };
    emit('produce:progress', payload);
  };

  return {
    progress(p) {
      last = p;
      send(false);
    },
    brokerState(state, err) {
      brokerError = err === null ? null : errorPayload(err);
      deps.reportLink(jobId, state === 'connected' ? null : brokerError);
      last = { ...last, brokerState: state };
      send(true);
    },
    sendNow: () => send(true),
    returned(r, error) {
      last = { ...last, frames: r.frames, acked: r.acked, failed: r.failed, bytes: r.bytes };
      send(true);
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
    },
    threw(e, stopped) {
      const err = toKvsError(e);
      const clean = stopped && err.code === 'CANCELLED';
      return {
        jobId,
        ok: clean,
        frames: last.frames,
        acked: last.acked,
        failed: last.failed,
        bytes: last.bytes,
        durationMs: Math.round(now() - started),
        cancelled: stopped,
        error: clean ? null : errorPayload(err),
      };
    },
    end(event) {
      deps.reportLink(jobId, null);
      emit('produce:ended', event);
    },
  };
}
