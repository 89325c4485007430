/**
 * The video to produce: the native dialog in the desktop app; in the browser an upload to the
 * service with progress, or the path of a file already on the computer running `kvs serve`.
 */
import { useState, type ChangeEvent } from 'react';
import { useAction, useApi } from '../../shared/api-context.js';
import { LabelledField } from '../../shared/labelled-field.js';
import { PickedFileView } from '../../shared/picked-file-view.js';
import type { FilePicker } from '../../shared/picked-file.js';
import { errorMessage } from '../../transport/errors.js';

export function VideoPicker({
  video,
  disabled,
  invalid,
  describedBy,
  onUploaded,
}: {
  readonly video: FilePicker;
  readonly disabled: boolean;
  /** The form's error is about the video. */
  readonly invalid: boolean;
  readonly describedBy: string | undefined;
  /** An upload finished (the form's error about the video, if any, is answered). */
  onUploaded(): void;
}) {
  const api = useApi();
  const chooseAction = useAction();
  const [serverPath, setServerPath] = useState('');
  const [videoError, setVideoError] = useState<string | null>(null);

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    video.abortUpload();
    setVideoError(null);
    if (!file) return;
    video.upload(file).then(
      (ref) => {
        if (ref !== null) onUploaded();
      },
      (err: unknown) => setVideoError(errorMessage(err)),
    );
  };

  const choose = () => {
    void chooseAction.run(async () => {
      const ref = await api.invoke('video:choose', {});
      if (ref) {
        video.picked(ref);
        setVideoError(null);
      }
    });
  };

  const openPath = () => {
    void chooseAction.run(async () => {
      const ref = await api.invoke('video:open-path', { path: serverPath.trim() });
      video.picked(ref);
      setVideoError(null);
    });
  };

  const error = videoError ?? chooseAction.error;
  return (
    <fieldset className="group" disabled={disabled}>
      <legend>Video</legend>
      {api.transport === 'electron' ? (
        <div className="row">
          <button
            type="button"
            data-testid="produce-choose-button"
            onClick={choose}
            disabled={chooseAction.pending}
          >
            Choose video…
          </button>
        </div>
      ) : (
        <>
          <LabelledField label="Video file (uploaded to the service)">
            {(id) => (
              <input
                id={id}
                data-testid="produce-file-input"
                type="file"
                accept="video/*"
                onChange={onFile}
                aria-invalid={invalid}
                aria-describedby={describedBy}
              />
            )}
          </LabelledField>
          <details className="server-path">
            <summary>Or a file that is already on the computer running kvs serve</summary>
            <div className="row">
              <LabelledField label="Path on that computer" labelClassName="sr-only">
                {(id) => (
                  <input
                    id={id}
                    className="grow mono"
                    type="text"
                    placeholder="/home/me/videos/clip.mp4"
                    value={serverPath}
                    onChange={(e) => setServerPath(e.target.value)}
                  />
                )}
              </LabelledField>
              <button
                type="button"
                className="secondary"
                disabled={serverPath.trim() === '' || chooseAction.pending}
                onClick={openPath}
              >
                Open
              </button>
            </div>
          </details>
        </>
      )}
      <PickedFileView
        file={video.state}
        progressTestId="produce-upload-progress"
        readyTestId="produce-video-name"
      />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
