/**
 * The Kafka .tgz for servers without internet: the native dialog (setup:choose-tarball)
 * in the desktop app, an upload with progress in the browser. Either way the host gives
 * back a VideoRef whose videoId is the plan's fileId.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../../shared/api-context.js';
import { isTarballName, type TarballState } from './options-form.js';

export interface Tarball {
  readonly state: TarballState;
  /** Desktop: the native file dialog. Resolves without change when the person cancels. */
  choose(): Promise<void>;
  /** Browser: upload the file to the host; rejects with a message to show. */
  upload(file: File): Promise<void>;
}

export function useTarball(): Tarball {
  const api = useApi();
  const [state, setState] = useState<TarballState>({ kind: 'none' });
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);

  const choose = useCallback(async () => {
    const ref = await api.invoke('setup:choose-tarball', {});
    if (ref !== null) setState({ kind: 'ready', ref });
  }, [api]);

  const upload = useCallback(
    async (file: File) => {
      abort.current?.abort();
      if (!isTarballName(file.name)) {
        setState({ kind: 'none' });
        throw new Error(
          `${file.name} is not a Kafka release archive: choose the .tgz from kafka.apache.org/downloads (e.g. kafka_2.13-4.1.1.tgz).`,
        );
      }
      const send = api.upload;
      if (!send) throw new Error('This page cannot upload files to the host.');
      const controller = new AbortController();
      abort.current = controller;
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
        if (!controller.signal.aborted) setState({ kind: 'ready', ref });
      } catch (err) {
        // A newer upload replaced this one: nothing to report.
        if (controller.signal.aborted) return;
        setState({ kind: 'none' });
        throw err;
      }
    },
    [api],
  );

  return { state, choose, upload };
}
