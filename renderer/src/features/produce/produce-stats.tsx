/** How a produce run goes: the progress bar, the numbers, the broker link, how it ended. */
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
} from '../../../../electron/shared/contract.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFps,
  formatMegabytesPerSecond,
} from '../../shared/format.js';
import { brokerLinkNotice, progressView } from './produce-logic.js';
import { leaderMovedText, leaderMovedTitle } from '../watch/leader-moved.js';

/** A produce run as the panel knows it: the latest progress, its end, whether it still runs. */
interface ProduceRunProps {
  readonly progress: ProduceProgressEvent | null;
  readonly ended: ProduceEndedEvent | null;
  readonly running: boolean;
}

export function ProduceProgress({ progress, ended, running }: ProduceRunProps) {
  const pv = progressView(progress, ended);
  return (
    <>
      <div
        className={`bar bar-main${pv.indeterminate ? ' indeterminate' : ''}`}
        role="progressbar"
        data-testid="produce-progress"
        aria-label="Frames acknowledged by Kafka"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pv.percent}
        aria-valuetext={pv.text}
      >
        <div className="bar-fill" style={{ width: `${pv.indeterminate ? 100 : pv.percent}%` }} />
      </div>
      <ProduceStats progress={progress} ended={ended} running={running} />
    </>
  );
}

function ProduceStats({ progress, ended, running }: ProduceRunProps) {
  return (
    <div aria-live="polite" data-testid="produce-status">
      {progress && (
        <dl className="stats">
          <div>
            <dt>Elapsed</dt>
            <dd>{formatDuration(ended?.durationMs ?? progress.elapsedMs)}</dd>
          </div>
          <div>
            <dt>Acked</dt>
            <dd>
              {formatCount(ended?.acked ?? progress.acked)}
              {progress.total !== null ? ` / ~${formatCount(progress.total)}` : ''}
            </dd>
          </div>
          <div>
            <dt>FPS</dt>
            <dd>{formatFps(progress.fps)}</dd>
          </div>
          <div>
            <dt>Rate</dt>
            <dd>{formatMegabytesPerSecond(progress.bytesPerSec)}</dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd>{formatBytes(ended?.bytes ?? progress.bytes)}</dd>
          </div>
          <div className={(ended?.failed ?? progress.failed) > 0 ? 'bad' : ''}>
            <dt>Failed</dt>
            <dd data-testid="produce-failed">{formatCount(ended?.failed ?? progress.failed)}</dd>
          </div>
          {progress.shrunk > 0 && (
            <div>
              <dt>Re-encoded smaller</dt>
              <dd>{formatCount(progress.shrunk)}</dd>
            </div>
          )}
        </dl>
      )}
      {progress && <LeaderMoved progress={progress} />}
      {running && progress && <BrokerLink progress={progress} />}
      {running && !progress && <p className="muted">Starting ffmpeg…</p>}
      {ended &&
        (ended.ok ? (
          <p className={ended.cancelled ? 'muted' : 'ok-text'}>
            {ended.cancelled ? 'Stopped' : 'Finished'}: {formatCount(ended.acked)} frames (
            {formatBytes(ended.bytes)}) in {formatDuration(ended.durationMs)}
            {ended.failed > 0 ? `, ${formatCount(ended.failed)} failed` : ''}.
          </p>
        ) : ended.cancelled ? (
          <p className="muted">Stopped after {formatCount(ended.acked)} frames.</p>
        ) : (
          <p className="error-text" role="alert">
            Production failed: {ended.error?.message ?? 'no reason was given.'}
          </p>
        ))}
    </div>
  );
}

/** The partition's leader moved during the run: information (muted), never an error. */
function LeaderMoved({ progress }: { progress: ProduceProgressEvent }) {
  const text = leaderMovedText(progress.leader);
  if (text === null || !progress.leader) return null;
  return (
    <p
      className="muted"
      data-testid="produce-leader-moved"
      data-node-id={progress.leader.nodeId}
      data-previous={progress.leader.previous ?? undefined}
      title={leaderMovedTitle(progress.leader)}
    >
      {text}
    </p>
  );
}

function BrokerLink({ progress }: { progress: ProduceProgressEvent }) {
  const notice = brokerLinkNotice(progress);
  if (!notice) return null;
  return (
    <p
      className={notice.tone === 'error' ? 'error-text' : 'warning-text'}
      role="status"
      data-testid="produce-broker"
      data-state={progress.brokerState}
    >
      {notice.text}
    </p>
  );
}
