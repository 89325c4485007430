/** The numbers over a viewer's picture: frames, fps, latency, size, dropped, skipped, gaps. */
import type { WatchStatsEvent } from '../../../../electron/shared/contract.js';
import { formatBytes, formatCount, formatFps, formatLatency } from '../../shared/format.js';
import type { ViewerSnapshot } from './viewer-renderer.js';

export function ViewerStats({
  snap: s,
  hostStats,
  playing,
}: {
  /** The renderer's numbers (null before the first start). */
  readonly snap: ViewerSnapshot | null;
  /** The host's last watch:stats for this viewer. */
  readonly hostStats: WatchStatsEvent | null;
  readonly playing: boolean;
}) {
  const hostDropped = Math.max(s?.hostDropped ?? 0, hostStats?.dropped ?? 0);
  const localDropped = s?.localDropped ?? 0;
  const dropped = hostDropped + localDropped;
  return (
    <dl className="overlay" aria-label="Viewer statistics">
      <div>
        <dt>frames</dt>
        <dd data-testid="watch-frame-count">{s?.drawn ?? 0}</dd>
      </div>
      <div>
        <dt>fps</dt>
        <dd data-testid="watch-fps">{playing ? formatFps(s?.fps ?? 0) : '—'}</dd>
      </div>
      <div>
        <dt
          title={
            s?.latencyKind === 'host'
              ? 'No capture time in these messages: time from the host receiving the frame to drawing it'
              : 'Time from the producer capturing the frame to drawing it (includes the age of replayed frames)'
          }
        >
          {s?.latencyKind === 'host' ? 'latency (host→screen)' : 'latency'}
        </dt>
        <dd data-testid="watch-latency">{formatLatency(s?.latencyMs ?? null)}</dd>
      </div>
      <div>
        <dt>size</dt>
        <dd>
          {s?.width != null && s.height != null ? `${s.width}×${s.height}` : '—'}
          {s?.frameBytes != null ? ` · ${formatBytes(s.frameBytes)}` : ''}
        </dd>
      </div>
      <div>
        <dt>dropped</dt>
        <dd
          data-testid="watch-dropped"
          title={`${hostDropped} by the host, ${localDropped} on this page`}
        >
          {formatCount(dropped)}
          {dropped > 0
            ? ` (host ${formatCount(hostDropped)} · page ${formatCount(localDropped)})`
            : ''}
        </dd>
      </div>
      <div>
        <dt>skipped</dt>
        <dd>{formatCount(hostStats?.skipped ?? 0)}</dd>
      </div>
      <div>
        <dt>gaps</dt>
        <dd>{formatCount(hostStats?.gaps ?? 0)}</dd>
      </div>
    </dl>
  );
}
