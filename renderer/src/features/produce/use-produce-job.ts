/**
 * One produce run as the panel follows it: produce:start, then the job's produce:progress and
 * produce:ended events (those that come before the start's answer are kept per job and
 * replayed), produce:stop, and the service going away mid-run (how the run ended is then unknown).
 */
import { useRef, useState } from 'react';
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
  ProduceRequest,
} from '../../../../electron/shared/contract.js';
import { useApi, useApiEvent, useServicesLost } from '../../shared/api-context.js';

export interface ProduceJob {
  readonly jobId: string | null;
  readonly progress: ProduceProgressEvent | null;
  readonly ended: ProduceEndedEvent | null;
  /** Started and not ended (nor lost). */
  readonly running: boolean;
  /** The service went away during the run: its end will never be reported to this page. */
  readonly lost: boolean;
  /** Starts a run, forgetting the last one; rejects when the service refuses. */
  start(request: ProduceRequest): Promise<void>;
  stop(): Promise<void>;
}

interface JobEvents {
  progress?: ProduceProgressEvent;
  ended?: ProduceEndedEvent;
}

export function useProduceJob(): ProduceJob {
  const api = useApi();
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ProduceProgressEvent | null>(null);
  const [ended, setEnded] = useState<ProduceEndedEvent | null>(null);
  const [lost, setLost] = useState(false);
  const jobRef = useRef<string | null>(null);
  const early = useRef(new Map<string, JobEvents>());

  useServicesLost(() => {
    if (jobRef.current === null || ended !== null) return;
    jobRef.current = null;
    setJobId(null);
    setLost(true);
  });

  // Events may arrive before produce:start has answered with the job id: keep the latest per job.
  const stash = (id: string, patch: JobEvents) => {
    const m = early.current;
    m.set(id, { ...m.get(id), ...patch });
    while (m.size > 16) {
      const first = m.keys().next().value;
      if (first === undefined) break;
      m.delete(first);
    }
  };
  useApiEvent('produce:progress', (p) => {
    if (p.jobId === jobRef.current) setProgress(p);
    else stash(p.jobId, { progress: p });
  });
  useApiEvent('produce:ended', (e) => {
    if (e.jobId === jobRef.current) setEnded(e);
    else stash(e.jobId, { ended: e });
  });

  const start = async (request: ProduceRequest) => {
    setLost(false);
    jobRef.current = null;
    setJobId(null);
    setProgress(null);
    setEnded(null);
    const { jobId: id } = await api.invoke('produce:start', request);
    jobRef.current = id;
    setJobId(id);
    const seen = early.current.get(id);
    early.current.delete(id);
    if (seen?.progress) setProgress(seen.progress);
    if (seen?.ended) setEnded(seen.ended);
  };

  const stop = async () => {
    if (jobId === null) return;
    await api.invoke('produce:stop', { jobId });
  };

  const running = jobId !== null && ended === null;
  return { jobId, progress, ended, running, lost, start, stop };
}
