/** A live source's state while it runs: reading, stalled or reconnecting, and why. */
import type { ProduceProgressEvent } from '../../../../electron/shared/contract.js';
import { liveNotice } from './live-source-logic.js';

export function LiveSourceStatus({
  progress,
  running,
}: {
  readonly progress: ProduceProgressEvent | null;
  readonly running: boolean;
}) {
  const live = progress?.live;
  const notice = progress && running ? liveNotice(progress) : null;
  if (!live || !notice) return null;
  return (
    <p
      className={notice.tone === 'warning' ? 'warning-text' : 'muted'}
      role="status"
      data-testid="produce-live"
      data-state={live.state}
      data-reconnects={live.reconnects}
    >
      {notice.text}
    </p>
  );
}
