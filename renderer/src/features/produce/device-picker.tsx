/**
 * A camera on the host (the computer running the app services): the list from `devices:list`
 * (read through TanStack Query, refreshed on demand), or a name typed in, and an optional ffmpeg
 * input format for it.
 */
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../shared/api-context.js';
import { queryKeys } from '../../shared/queries.js';
import { SelectField, TextField } from '../../shared/labelled-field.js';
import { errorMessage } from '../../transport/errors.js';
import type { SourceForm } from './live-source-logic.js';

const OTHER = '__other__';

export function DevicePicker({
  source,
  setSource,
  disabled,
  invalid,
  describedBy,
}: {
  readonly source: SourceForm;
  setSource(patch: Partial<SourceForm>): void;
  readonly disabled: boolean;
  readonly invalid: boolean;
  readonly describedBy: string | undefined;
}) {
  const api = useApi();
  const devices = useQuery({
    queryKey: queryKeys.devices,
    queryFn: () => api.invoke('devices:list', {}),
  });
  const listed = devices.data?.devices ?? [];
  const picked = listed.some((d) => d.id === source.device) ? source.device : OTHER;
  return (
    <div data-testid="produce-device-picker">
      <SelectField
        label="Camera on the host"
        data-testid="produce-device-select"
        value={picked}
        disabled={disabled || devices.isPending}
        onChange={(v) => setSource({ device: v === OTHER ? '' : v })}
        options={[
          ...listed.map((d) => ({
            value: d.id,
            label: d.name === d.id ? d.id : `${d.name} (${d.id})`,
          })),
          { value: OTHER, label: 'Another device (type its name)…' },
        ]}
      />
      {picked === OTHER && (
        <TextField
          label="Device name"
          data-testid="produce-device-name"
          placeholder={devices.data?.format === 'v4l2' ? '/dev/video0' : 'the camera name'}
          value={source.device}
          disabled={disabled}
          invalid={invalid}
          aria-describedby={describedBy}
          onChange={(device) => setSource({ device })}
        />
      )}
      {/* the host opens a page's camera with its own camera input only (page-device-policy.ts) */}
      <div className="row">
        <button
          type="button"
          className="secondary"
          data-testid="produce-device-refresh"
          disabled={disabled || devices.isFetching}
          onClick={() => void devices.refetch()}
        >
          {devices.isFetching ? 'Looking…' : 'Look for cameras'}
        </button>
        <span className="muted" data-testid="produce-device-format">
          Opened with {devices.data?.format ?? "the host's camera input"}; other ffmpeg inputs:{' '}
          <code>kvs produce --device … --input-format …</code>
        </span>
      </div>
      <p className="muted" data-testid="produce-device-notes">
        {devices.isError
          ? `The cameras could not be listed: ${errorMessage(devices.error)}`
          : (devices.data?.notes ?? []).join(' ')}
      </p>
    </div>
  );
}
