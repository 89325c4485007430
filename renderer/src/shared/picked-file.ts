/**
 * A file picked on this computer for the service to use: none yet, uploading (the browser sends it
 * to the service, with progress), or ready (the service has it and answered with its VideoRef). The
 * produce panel's video and the setup wizard's Kafka .tgz are both one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { VideoRef } from '../../../electron/shared/contract.js';
import { useApi } from './api-context.js';

export type PickedFile =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'uploading';
      readonly name: string;
      readonly loaded: number;
      readonly total: number;
    }
  | { readonly kind: 'ready'; readonly ref: VideoRef };

export interface FilePicker {
  readonly state: PickedFile;
  /** The service has the file already (the native dialog, a path on the computer running `kvs serve`). */
  picked(ref: VideoRef): void;
  /**
   * Uploads from this page with progress. Resolves to the service's ref, or to null when a newer
   * upload replaced this one; rejects with what went wrong (and the state is back to none).
   */
  upload(file: File): Promise<VideoRef | null>;
  /** Stops an upload under way: its answer is dropped, and the state is back to none. */
  abortUpload(): void;
  /** Back to none (an upload under way is dropped). */
  clear(): void;
}

export function usePickedFile(): FilePicker {
  const api = useApi();
  const [state, setState] = useState<PickedFile>({ kind: 'none' });
  const uploading = useRef<AbortController | null>(null);

  const abortUpload = useCallback(() => {
    const controller = uploading.current;
    if (controller === null || controller.signal.aborted) return;
    controller.abort();
    // the stopped upload's answer is dropped, so it must not be left showing as under way
    setState((s) => (s.kind === 'uploading' ? { kind: 'none' } : s));
  }, []);
  useEffect(() => abortUpload, [abortUpload]);

  const picked = useCallback((ref: VideoRef) => setState({ kind: 'ready', ref }), []);

  const clear = useCallback(() => {
    abortUpload();
    setState({ kind: 'none' });
  }, [abortUpload]);

  const upload = useCallback(
    async (file: File): Promise<VideoRef | null> => {
      abortUpload();
      const send = api.upload;
      if (!send) throw new Error('This page cannot upload files to the service.');
      const controller = new AbortController();
      uploading.current = controller;
      setState({ kind: 'uploading', name: file.name, loaded: 0, total: file.size });
      try {
        const ref = await send(
          file,
          (p) => {
            if (!controller.signal.aborted)
              setState({ kind: 'uploading', name: file.name, loaded: p.loaded, total: p.total });
          },
          controller.signal,
        );
        if (controller.signal.aborted) return null;
        setState({ kind: 'ready', ref });
        return ref;
      } catch (err) {
        // A newer upload replaced this one: nothing to report.
        if (controller.signal.aborted) return null;
        setState({ kind: 'none' });
        throw err;
      }
    },
    [api, abortUpload],
  );

  return { state, picked, upload, abortUpload, clear };
}
