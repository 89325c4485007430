/**
 * Export a time range of the stream being watched to an MP4: "Export MP4…", the range in words,
 * a progress bar with Cancel, then the file (desktop: saved where the save dialog said; browser:
 * a download link) or the error. The watch panel mounts it under the timeline; `range` is the
 * range selected on the timeline (null: the whole topic).
 */
import { useId } from 'react';
import { useApi } from '../../shared/api-context.js';
import { errorText, progressValue, rangeText, resultText } from './export-panel-logic.js';
import { useExportJob } from './export-panel-job.js';
import './export-panel.css';

export interface ExportPanelProps {
  readonly topic: string;
  /** The stream being watched, when known (null: the first stream of the topic). */
  readonly streamId: string | null;
  /** ms since epoch, message time; null = the whole retained range. */
  readonly range: { readonly fromMs: number; readonly toMs: number } | null;
}

export function ExportPanel({ topic, streamId, range }: ExportPanelProps) {
  const api = useApi();
  const job = useExportJob();
  const { view } = job;
  const ids = { range: useId(), status: useId() };
  const busy = view.kind === 'starting' || view.kind === 'running';

  const onExport = () =>
    void job.start({
      topic,
      streamId,
      ...(range !== null ? { fromMs: Math.floor(range.fromMs), toMs: Math.ceil(range.toMs) } : {}),
    });

  return (
    <div className="export-panel" data-testid="export-panel" aria-describedby={ids.range}>
      <div className="export-row">
        <button
          type="button"
          data-testid="export-button"
          onClick={onExport}
          disabled={busy}
          aria-describedby={ids.range}
        >
          Export MP4…
        </button>
        <span id={ids.range} className="export-range muted" data-testid="export-range">
          {rangeText(range, streamId)}
        </span>
      </div>
      <div id={ids.status} aria-live="polite">
        {view.kind === 'starting' && (
          <p className="muted" data-testid="export-starting">
            {api.transport === 'electron'
              ? 'Choose where to save the MP4…'
              : 'Starting the export…'}
          </p>
        )}
        {view.kind === 'running' && (
          <div className="export-row" data-export-id={view.exportId}>
            <progress
              data-testid="export-progress"
              max={100}
              value={progressValue(view.frames, view.share)}
              aria-label="Export progress"
            />
            <span className="muted" data-testid="export-frames">
              {view.frames === 0
                ? 'Reading the topic…'
                : `${view.frames} frames, ${Math.round(view.share * 100)} %`}
            </span>
            <button
              type="button"
              className="secondary"
              data-testid="export-cancel"
              onClick={() => void job.cancel()}
              disabled={view.cancelling}
            >
              {view.cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
        )}
        {view.kind === 'done' && (
          <p className="export-result" data-testid="export-result">
            Exported {resultText(view.ended)}
            {view.ended.download !== null && (
              <>
                {' '}
                <a
                  href={view.ended.download}
                  download={view.ended.fileName ?? 'export.mp4'}
                  data-testid="export-download"
                >
                  Download
                </a>{' '}
                <span className="muted">(once; it is removed from the server after)</span>
              </>
            )}
          </p>
        )}
        {view.kind === 'cancelled' && (
          <p className="muted" data-testid="export-cancelled">
            Export cancelled after {view.frames} frames: no file was written.
          </p>
        )}
        {view.kind === 'not-chosen' && (
          <p className="muted" data-testid="export-not-chosen">
            No file chosen: nothing exported.
          </p>
        )}
        {view.kind === 'failed' && (
          <p className="field-error" role="alert" data-testid="export-error">
            {errorText(view.code, view.message)}
          </p>
        )}
      </div>
    </div>
  );
}
