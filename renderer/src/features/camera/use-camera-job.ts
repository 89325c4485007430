/**
 * The camera job's progress and end as the panel follows them: produce:progress and produce:ended
 * of the job camera:start returned (those that come before its answer are kept and replayed).
 */
import { useRef, useState } from 'react';
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
} from '../../../../electron/shared/contract.js';
import { useApiEvent } from '../../shared/api-context.js';

export interface CameraJob {
  readonly jobId: string | null;
  readonly progress: ProduceProgressEvent | null;
  readonly ended: ProduceEndedEvent | null;
  /** Follow this job (forgets the last one). */
  follow(jobId: string): void;
  reset(): void;
}

export function useCameraJob(onEnded: (e: ProduceEndedEvent) => void): CameraJob {
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ProduceProgressEvent | null>(null);
  const [ended, setEnded] = useState<ProduceEndedEvent | null>(null);
  const current = useRef<string | null>(null);
  const early = useRef(new Map<string, ProduceEndedEvent>());

  useApiEvent('produce:progress', (p) => {
    if (p.jobId === current.current) setProgress(p);
  });
  useApiEvent('produce:ended', (e) => {
    if (e.jobId === current.current) {
      setEnded(e);
      onEnded(e);
      return;
    }
    early.current.set(e.jobId, e);
    if (early.current.size > 16) early.current.delete(early.current.keys().next().value ?? '');
  });

  return {
    jobId,
    progress,
    ended,
    follow(id) {
      current.current = id;
      setJobId(id);
      setProgress(null);
      setEnded(null);
      const seen = early.current.get(id);
      if (seen) {
        early.current.delete(id);
        setEnded(seen);
        onEnded(seen);
      }
    },
    reset() {
      current.current = null;
      setJobId(null);
      setProgress(null);
      setEnded(null);
    },
  };
}
