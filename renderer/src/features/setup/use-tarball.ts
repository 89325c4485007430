/**
 * The Kafka .tgz for servers without internet: the native dialog (setup:choose-tarball)
 * in the desktop app, an upload with progress in the browser. Either way the service gives
 * back a VideoRef whose videoId is the plan's fileId.
 */
import { useCallback } from 'react';
import { useApi } from '../../shared/api-context.js';
import { usePickedFile, type PickedFile } from '../../shared/picked-file.js';
import { isTarballName } from './options-form.js';

export interface Tarball {
  readonly state: PickedFile;
  /** Desktop: the native file dialog. Resolves without change when the person cancels. */
  choose(): Promise<void>;
  /** Browser: upload the file to the service; rejects with a message to show. */
  upload(file: File): Promise<void>;
}

export function useTarball(): Tarball {
  const api = useApi();
  const file = usePickedFile();
  const { picked, clear, upload: send } = file;

  const choose = useCallback(async () => {
    const ref = await api.invoke('setup:choose-tarball', {});
    if (ref !== null) picked(ref);
  }, [api, picked]);

  const upload = useCallback(
    async (f: File) => {
      if (!isTarballName(f.name)) {
        clear();
        throw new Error(
          `${f.name} is not a Kafka release archive: choose the .tgz from kafka.apache.org/downloads (e.g. kafka_2.13-4.1.1.tgz).`,
        );
      }
      await send(f);
    },
    [clear, send],
  );

  return { state: file.state, choose, upload };
}
