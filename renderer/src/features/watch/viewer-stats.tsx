/**
 * The numbers over a viewer's picture: frames, fps, latency, size, dropped (and, once an H.264
 * frame came, frames skipped to a keyframe and decoder errors), skipped, gaps, and a move of the
 * partition leader (information, not an error).
 */
import type { WatchStatsEvent } from '../../../../electron/shared/contract.js';
import { formatBytes, formatCount, formatFps, formatLatency } from '../../shared/format.js';
import type { ViewerSnapshot } from './viewer-renderer.js';
import { leaderMovedText, leaderMovedTitle } from './leader-moved.js';

export function ViewerStats({
  snap: s,
  servicesStats,
  playing,
}: {
  /** The renderer's numbers (null before the first start). */
  readonly snap: ViewerSnapshot | null;
  /** The service's last watch:stats for this viewer. */
  readonly servicesStats: WatchStatsEvent | null;
  readonly playing: boolean;
}) {
  const servicesDropped = Math.max(s?.servicesDropped ?? 0, servicesStats?.dropped ?? 0);
  const localDropped = s?.localDropped ?? 0;
  const dropped = servicesDropped + localDropped;
  const leader = servicesStats?.leader ?? null;
  const leaderMoved = leaderMovedText(leader);
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
            s?.latencyKind === 'service'
              ? 'No capture time in these messages: time from the service receiving the frame to drawing it'
              : 'Time from the producer capturing the frame to drawing it (includes the age of replayed frames)'
          }
        >
          {s?.latencyKind === 'service' ? 'latency (service→screen)' : 'latency'}
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
          title={`${servicesDropped} by the service, ${localDropped} on this page`}
        >
          {formatCount(dropped)}
          {dropped > 0
            ? ` (service ${formatCount(servicesDropped)} · page ${formatCount(localDropped)})`
            : ''}
        </dd>
      </div>
      {s?.h264 && (
        <>
          <div>
            <dt title="H.264 frames received and not drawn: a stream waits for its next keyframe after starting between keyframes, a gap, a decoder error, or when this page falls behind">
              skipped to keyframe
            </dt>
            <dd data-testid="watch-keyframe-skipped">{formatCount(s.h264.skipped)}</dd>
          </div>
          <div>
            <dt title="Mean time from handing an H.264 frame to the decoder to drawing it">
              decode
            </dt>
            <dd data-testid="watch-decode-ms" data-ms={s.h264.decodeMs?.toFixed(2)}>
              {formatLatency(s.h264.decodeMs)}
            </dd>
          </div>
          <div>
            <dt>decode errors</dt>
            <dd data-testid="watch-decode-errors">{formatCount(s.h264.decodeErrors)}</dd>
          </div>
        </>
      )}
      <div>
        <dt>skipped</dt>
        <dd>{formatCount(servicesStats?.skipped ?? 0)}</dd>
      </div>
      <div>
        <dt>gaps</dt>
        <dd>{formatCount(servicesStats?.gaps ?? 0)}</dd>
      </div>
      {leader && leaderMoved !== null && (
        // information, not an error: the viewer goes on reading from the new leader
        <div>
          <dt>leader</dt>
          <dd
            data-testid="viewer-leader-moved"
            data-node-id={leader.nodeId}
            data-previous={leader.previous ?? undefined}
            title={leaderMovedTitle(leader)}
          >
            {leaderMoved}
          </dd>
        </div>
      )}
    </dl>
  );
}
