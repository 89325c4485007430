/**
 * "Where Kafka comes from", the same on the one-server and the cluster options: a mirror each
 * server downloads from, or a .tgz from this computer (the native dialog in the desktop app, an
 * upload in the browser). Only the wording ("the server" or "each server") and the test ids of
 * the source and mirror fields differ.
 */
import type { ChangeEvent, ReactNode } from 'react';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { LabelledField, SelectField, TextField } from '../../shared/labelled-field.js';
import { PickedFileView } from '../../shared/picked-file-view.js';
import { tarballVersion, type SourceKind } from './options-form.js';
import { ErrorBox, type SetupAction } from './setup-ui.js';
import type { Tarball } from './use-tarball.js';

export type SourceAudience = 'one' | 'cluster';

interface SourceWording {
  readonly testIdPrefix: string;
  readonly downloadOption: string;
  readonly uploadOption: string;
  readonly fileLabel: string;
  mirrorHelp(version: string): string;
  /** Where to get the .tgz (one server only). */
  fileHelp?(version: string): ReactNode;
}

const WORDING: Record<SourceAudience, SourceWording> = {
  one: {
    testIdPrefix: 'setup',
    downloadOption: 'Download from a mirror on the server',
    uploadOption: 'Upload a .tgz from this computer (server without internet)',
    fileLabel: 'Kafka .tgz (uploaded to the service, then to the server)',
    mirrorHelp: (version) =>
      `The server downloads Kafka ${version} from this Apache mirror itself (it needs internet for that) and checks it against the mirror's SHA-512.`,
    fileHelp: (version) => (
      <>
        Get it from <code>kafka.apache.org/downloads</code> (the binary, e.g.{' '}
        <code>kafka_2.13-{version || '4.1.1'}.tgz</code>).
      </>
    ),
  },
  cluster: {
    testIdPrefix: 'cluster',
    downloadOption: 'Download from a mirror on each server',
    uploadOption: 'Upload a .tgz from this computer (servers without internet)',
    fileLabel: 'Kafka .tgz (uploaded to the service, then to each server)',
    mirrorHelp: (version) =>
      `Each server downloads Kafka ${version} from this Apache mirror itself and checks it against the mirror's SHA-512.`,
  },
};

export function KafkaSourceFields({
  audience,
  source,
  mirrorUrl,
  version,
  tarball,
  action,
  disabled,
  onSource,
  onMirrorUrl,
}: {
  readonly audience: SourceAudience;
  readonly source: SourceKind;
  readonly mirrorUrl: string;
  /** The Kafka version as typed (or the default). */
  readonly version: string;
  readonly tarball: Tarball;
  /** The screen's action: the upload runs in it, and its error shows here when it belongs here. */
  readonly action: SetupAction;
  readonly disabled: boolean;
  onSource(source: SourceKind): void;
  onMirrorUrl(url: string): void;
}) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const words = WORDING[audience];
  const wanted = version.trim();
  const invalid = (field: string) => action.error?.at === field;
  const fileVersion =
    tarball.state.kind === 'ready' ? tarballVersion(tarball.state.ref.name) : null;

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    void action.run('tarball', () => tarball.upload(file));
  };

  return (
    <fieldset className="group" disabled={disabled}>
      <legend>Where Kafka comes from</legend>
      <SelectField<SourceKind>
        label="Kafka source"
        data-testid={`${words.testIdPrefix}-source`}
        value={source}
        onChange={onSource}
        options={[
          { value: 'download', label: words.downloadOption },
          { value: 'upload', label: words.uploadOption },
        ]}
      />
      {source === 'download' ? (
        <>
          <TextField
            label="Mirror"
            data-testid={`${words.testIdPrefix}-mirror`}
            className="mono"
            value={mirrorUrl}
            invalid={invalid('mirrorUrl')}
            onChange={onMirrorUrl}
          />
          <p className="help">{words.mirrorHelp(wanted || '…')}</p>
          <ErrorBox error={action.error} at="mirrorUrl" />
        </>
      ) : (
        <>
          {api.transport === 'electron' ? (
            <div className="row">
              <button
                type="button"
                className="secondary"
                data-testid="setup-tarball-choose"
                disabled={!servicesReady || action.pending}
                onClick={() => void action.run('tarball', () => tarball.choose())}
              >
                Choose the Kafka .tgz…
              </button>
            </div>
          ) : (
            <LabelledField label={words.fileLabel}>
              {(id) => (
                <input
                  id={id}
                  data-testid="setup-tarball-file"
                  type="file"
                  accept=".tgz,.tar.gz"
                  aria-invalid={invalid('tarball')}
                  disabled={!servicesReady}
                  onChange={onFile}
                />
              )}
            </LabelledField>
          )}
          <PickedFileView
            file={tarball.state}
            progressTestId="setup-tarball-progress"
            nameTestId="setup-tarball-name"
          />
          {fileVersion !== null && fileVersion !== wanted && (
            <p className="warning">
              The file&apos;s name says Kafka {fileVersion}, but the version above is {wanted}. Make
              them match.
            </p>
          )}
          {words.fileHelp && <p className="help">{words.fileHelp(wanted)}</p>}
          <ErrorBox error={action.error} at="tarball" />
        </>
      )}
    </fieldset>
  );
}
