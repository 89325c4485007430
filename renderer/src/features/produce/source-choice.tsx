/**
 * Where a produce run reads from: a video file (the picker the panel gives as `filePicker`), a
 * network URL (rtsp, rtsps, http(s) HLS or MJPEG, udp), a camera on the host (ffmpeg reads it), or
 * a camera in this page (`camera`: the panel shows the camera panel instead of this form's rest). A URL's
 * password is sent to the service and never shown back (the service redacts it everywhere).
 */
import type { ReactNode } from 'react';
import { RadioGroup } from '../../shared/choice-fields.js';
import { TextField } from '../../shared/labelled-field.js';
import { DevicePicker } from './device-picker.js';
import type { SourceForm, SourceKind } from './live-source-logic.js';

export function SourceChoice({
  source,
  setSource,
  filePicker,
  disabled,
  invalid,
  describedBy,
}: {
  readonly source: SourceForm;
  setSource(patch: Partial<SourceForm>): void;
  readonly filePicker: ReactNode;
  readonly disabled: boolean;
  /** The form's error is about the URL or device. */
  readonly invalid: boolean;
  readonly describedBy: string | undefined;
}) {
  return (
    <div data-testid="produce-source" data-kind={source.kind}>
      <RadioGroup<SourceKind>
        label="Source"
        value={source.kind}
        onChange={(kind) => {
          if (!disabled) setSource({ kind });
        }}
        options={[
          { value: 'file', label: 'File', testId: 'produce-source-file' },
          { value: 'url', label: 'Network URL', testId: 'produce-source-url-choice' },
          { value: 'device', label: 'Device on the host', testId: 'produce-source-device-choice' },
          { value: 'camera', label: 'Camera (this computer)', testId: 'produce-source-camera' },
        ]}
      />
      {source.kind === 'file' && filePicker}
      {source.kind === 'url' && (
        <TextField
          label="Stream address"
          data-testid="produce-source-url"
          placeholder="rtsp://user:password@192.168.1.20:554/stream1"
          value={source.url}
          disabled={disabled}
          invalid={invalid}
          aria-describedby={describedBy}
          onChange={(url) => setSource({ url })}
        />
      )}
      {source.kind === 'device' && (
        <DevicePicker
          source={source}
          setSource={setSource}
          disabled={disabled}
          invalid={invalid}
          describedBy={describedBy}
        />
      )}
    </div>
  );
}
