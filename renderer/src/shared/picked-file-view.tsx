/** A picked file as the page shows it: the upload's progress bar, then "Ready: name (size)". */
import { formatBytes } from './format.js';
import type { PickedFile } from './picked-file.js';

export function PickedFileView({
  file,
  progressTestId,
  readyTestId,
  nameTestId,
}: {
  readonly file: PickedFile;
  readonly progressTestId: string;
  /** On the "Ready" line. */
  readonly readyTestId?: string;
  /** On the file's name in it. */
  readonly nameTestId?: string;
}) {
  if (file.kind === 'none') return null;
  if (file.kind === 'ready')
    return (
      <p className="ok-text" data-testid={readyTestId}>
        Ready: <strong data-testid={nameTestId}>{file.ref.name}</strong> (
        {formatBytes(file.ref.sizeBytes)})
      </p>
    );
  const share = file.total > 0 ? Math.min(1, file.loaded / file.total) : 0;
  return (
    <div className="upload" aria-live="polite">
      <div
        className="bar"
        role="progressbar"
        data-testid={progressTestId}
        aria-label={`Uploading ${file.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(share * 100)}
      >
        <div className="bar-fill" style={{ width: `${share * 100}%` }} />
      </div>
      <span className="muted">
        Uploading {file.name}: {formatBytes(file.loaded)} of {formatBytes(file.total)}
      </span>
    </div>
  );
}
