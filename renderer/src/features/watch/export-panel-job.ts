/**
 * One export as the panel follows it: export:start (the desktop's save dialog opens first; a
 * cancelled dialog is the quiet `not-chosen`), then the export's export:progress and
 * export:ended events (those that come before the start's answer are kept and replayed: a short
 * export can end before its id is known), export:cancel, and the service going away mid-run.
 * A panel that goes away (the viewer closed) cancels its export: nobody would see it end.
 */
import { useEffect, useRef, useState } from 'react';
import type {
  ExportEndedEvent,
  ExportProgressEvent,
  ExportRequest,
} from '../../../../electron/shared/contract.js';
import { useApi, useApiEvent, useServicesLost } from '../../shared/api-context.js';
import { errorMessage, KvsCallError } from '../../transport/errors.js';

export type ExportView =
  | { readonly kind: 'idle' }
  /** Waiting for the save dialog (desktop) or the start's answer. */
  | { readonly kind: 'starting' }
  | {
      readonly kind: 'running';
      readonly exportId: string;
      readonly frames: number;
      readonly share: number;
      readonly cancelling: boolean;
    }
  | { readonly kind: 'done'; readonly ended: ExportEndedEvent }
  | { readonly kind: 'cancelled'; readonly frames: number }
  /** The save dialog was closed without a file: nothing happened, said quietly. */
  | { readonly kind: 'not-chosen' }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export interface ExportJob {
  readonly view: ExportView;
  start(request: ExportRequest): Promise<void>;
  cancel(): Promise<void>;
}

interface Early {
  progress?: ExportProgressEvent;
  ended?: ExportEndedEvent;
}

function endedView(e: ExportEndedEvent): ExportView {
  if (e.ok) return { kind: 'done', ended: e };
  if (e.cancelled) return { kind: 'cancelled', frames: e.frames };
  return {
    kind: 'failed',
    code: e.error?.code ?? 'EXPORT_FAILED',
    message: e.error?.message ?? 'The export failed (no details were given).',
  };
}

export function useExportJob(): ExportJob {
  const api = useApi();
  const [view, setView] = useState<ExportView>({ kind: 'idle' });
  const current = useRef<string | null>(null);
  const early = useRef(new Map<string, Early>());

  const stash = (id: string, patch: Early): void => {
    const m = early.current;
    m.set(id, { ...m.get(id), ...patch });
    while (m.size > 8) {
      const first = m.keys().next().value;
      if (first === undefined) break;
      m.delete(first);
    }
  };

  useApiEvent('export:progress', (p) => {
    if (p.exportId !== current.current) return stash(p.exportId, { progress: p });
    setView((v) =>
      v.kind === 'running' && v.exportId === p.exportId
        ? { ...v, frames: p.frames, share: p.share }
        : v,
    );
  });
  useApiEvent('export:ended', (e) => {
    if (e.exportId !== current.current) return stash(e.exportId, { ended: e });
    current.current = null;
    setView(endedView(e));
  });
  useServicesLost(() => {
    if (current.current === null) return;
    current.current = null;
    setView({
      kind: 'failed',
      code: 'SERVICES_DISCONNECTED',
      message:
        'The connection to the app was lost during the export: whether it finished is unknown.',
    });
  });

  useEffect(() => {
    const running = current;
    return () => {
      const id = running.current;
      running.current = null;
      if (id !== null) void api.invoke('export:cancel', { exportId: id }).catch(() => undefined);
    };
  }, [api]);

  const start = async (request: ExportRequest): Promise<void> => {
    current.current = null;
    setView({ kind: 'starting' });
    let exportId: string;
    try {
      ({ exportId } = await api.invoke('export:start', request));
    } catch (err) {
      if (err instanceof KvsCallError && err.code === 'CANCELLED') setView({ kind: 'not-chosen' });
      else
        setView({
          kind: 'failed',
          code: err instanceof KvsCallError ? err.code : 'EXPORT_FAILED',
          message: errorMessage(err),
        });
      return;
    }
    const seen = early.current.get(exportId);
    early.current.delete(exportId);
    if (seen?.ended) return setView(endedView(seen.ended));
    current.current = exportId;
    setView({
      kind: 'running',
      exportId,
      frames: seen?.progress?.frames ?? 0,
      share: seen?.progress?.share ?? 0,
      cancelling: false,
    });
  };

  const cancel = async (): Promise<void> => {
    const id = current.current;
    if (id === null) return;
    setView((v) => (v.kind === 'running' ? { ...v, cancelling: true } : v));
    try {
      await api.invoke('export:cancel', { exportId: id });
    } catch (err) {
      setView({ kind: 'failed', code: 'EXPORT_FAILED', message: errorMessage(err) });
    }
  };

  return { view, start, cancel };
}
