/**
 * A grid tile's numbers, small: state, frames, fps, latency — and, when its stream stopped, when
 * it last had a frame ("last frame 12:03:04, 8 s ago"), counting on while nothing comes.
 */
import type { WatchStatsEvent } from '../../../../electron/shared/contract.js';
import { formatCount, formatFps, formatLatency } from '../../shared/format.js';
import { useNow } from '../../shared/api-context.js';
import { lastFrameNote } from './last-frame-logic.js';
import type { ViewerSnapshot } from './viewer-renderer.js';

export function TileStats({
  snap: s,
  state,
  waiting,
}: {
  readonly snap: ViewerSnapshot | null;
  /** The viewer's state: the service's word once it has one, else the page's. */
  readonly state: WatchStatsEvent['state'] | 'idle' | 'starting' | 'paused';
  /** Playing and not paused: frames are expected. */
  readonly waiting: boolean;
}) {
  const now = useNow(waiting, 1000);
  const note = lastFrameNote({ waiting, lastDrawnAt: s?.lastFrame?.drawnAt ?? null, now });
  return (
    <div
      className="tile-stats mono"
      data-testid="tile-stats"
      aria-label="Tile statistics"
      data-ms={s?.lastFrame?.timestamp ?? ''}
      data-seq={s?.lastFrame?.seq ?? ''}
      data-size={s?.width != null && s.height != null ? `${s.width}x${s.height}` : ''}
    >
      <span data-testid="tile-state" data-state={state} className={`tile-state ${state}`}>
        {state}
      </span>
      <span>
        <span data-testid="tile-frames">{formatCount(s?.drawn ?? 0)}</span> frames
      </span>
      <span>
        <span data-testid="tile-fps">{waiting ? formatFps(s?.fps ?? 0) : '—'}</span> fps
      </span>
      <span data-testid="tile-latency" title="Capture → drawn">
        {formatLatency(s?.latencyMs ?? null)}
      </span>
      {s?.lastFrame?.streamId != null && (
        <span
          data-testid="tile-stream-id"
          className="tile-stream-id"
          title="Stream of the frame on screen"
        >
          {s.lastFrame.streamId}
        </span>
      )}
      {note !== null && (
        <span className="tile-last-frame" data-testid="tile-last-frame" role="status">
          {note}
        </span>
      )}
    </div>
  );
}
