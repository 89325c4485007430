/**
 * A viewer's timeline: a scrub bar over the topic's retained time range with the live edge, the
 * time under the pointer, play/pause, one frame back or forward (when paused), speed, "Go live",
 * and in/out marks for an export. It only shows and asks; the watch panel does the work
 * (watch:control). Keys (space, ←/→, Home/End) are the panel's, so they work anywhere on it.
 */
import { useRef, useState, type PointerEvent } from 'react';
import { WATCH_SPEEDS } from '../../../../electron/shared/contract.js';
import { formatClock, formatSpan, fractionOf, timeAt, type TimeRange } from './timeline-model.js';

export interface TimelineProps {
  /** The topic's retained range, grown by the frames seen since; null while unknown. */
  readonly range: TimeRange | null;
  /** The message time of the frame on screen; null before the first. */
  readonly positionMs: number | null;
  /** Its sequence number (for tests and the curious). */
  readonly positionSeq: number | null;
  readonly live: boolean;
  readonly paused: boolean;
  readonly speed: number;
  /** Replays play at recorded pace (the panel's "Recorded speed"); off: speed does nothing. */
  readonly paced: boolean;
  readonly disabled: boolean;
  /** A seek, pause or play is on its way to the service. */
  readonly busy: boolean;
  readonly markIn: number | null;
  readonly markOut: number | null;
  onSeek(ms: number): void;
  onStep(dir: -1 | 1): void;
  onPlayPause(): void;
  onGoLive(): void;
  onSpeed(speed: number): void;
  onMark(which: 'in' | 'out' | 'clear'): void;
  /** false: no in/out marks (the grid's timeline: an export is one tile's). Default true. */
  readonly marks?: boolean;
}

const pct = (f: number): string => `${(f * 100).toFixed(3)}%`;

export function Timeline(p: TimelineProps) {
  const bar = useRef<HTMLDivElement | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const range = p.range;

  const fractionAtPointer = (e: PointerEvent<HTMLDivElement>): number | null => {
    const rect = bar.current?.getBoundingClientRect();
    if (!rect || rect.width <= 0) return null;
    return (e.clientX - rect.left) / rect.width;
  };
  const timeAtPointer = (e: PointerEvent<HTMLDivElement>): number | null => {
    const f = fractionAtPointer(e);
    return f === null || range === null ? null : timeAt(range, f);
  };

  const position = p.positionMs;
  const shown = dragging && hover !== null ? hover : position;
  const at = range !== null && shown !== null ? fractionOf(range, shown) : null;
  const marked =
    range !== null && p.markIn !== null
      ? {
          from: fractionOf(range, Math.min(p.markIn, p.markOut ?? p.markIn)),
          to: fractionOf(range, Math.max(p.markIn, p.markOut ?? p.markIn)),
        }
      : null;
  const behindMs = range !== null && position !== null ? range.lastMs - position : null;

  return (
    <div className="timeline" data-testid="watch-timeline" aria-busy={p.busy}>
      <div className="timeline-controls">
        <button
          type="button"
          className="secondary"
          data-testid="watch-step-back"
          aria-label="One frame back"
          title="One frame back (←, when paused)"
          disabled={p.disabled || !p.paused || position === null}
          onClick={() => p.onStep(-1)}
        >
          ‹ Frame
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="watch-pause-button"
          aria-keyshortcuts="Space"
          title={p.paused ? 'Play (space)' : 'Pause (space)'}
          disabled={p.disabled}
          onClick={p.onPlayPause}
        >
          {p.paused ? 'Play' : 'Pause'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="watch-step-forward"
          aria-label="One frame forward"
          title="One frame forward (→, when paused)"
          disabled={p.disabled || !p.paused || position === null}
          onClick={() => p.onStep(1)}
        >
          Frame ›
        </button>
        <span
          className="mono timeline-position"
          data-testid="watch-position"
          data-ms={position ?? ''}
          data-seq={p.positionSeq ?? ''}
          title="The time of the frame on screen (message time)"
        >
          {position === null ? '--:--:--.---' : formatClock(position)}
        </span>
        <span className="spacer" />
        <label className="timeline-speed">
          <span className="sr-only">Speed</span>
          <select
            data-testid="watch-speed"
            value={p.speed}
            disabled={p.disabled || p.live || !p.paced}
            title={
              p.live
                ? 'Live plays frames as they come; speed is for replays'
                : p.paced
                  ? 'Replay speed'
                  : 'Replays play as fast as they arrive ("Recorded speed" is off)'
            }
            onChange={(e) => p.onSpeed(Number(e.target.value))}
          >
            {WATCH_SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        {p.live ? (
          <span className="live-badge" data-testid="watch-live-badge" title="At the live edge">
            LIVE
          </span>
        ) : (
          <button
            type="button"
            className="secondary"
            data-testid="watch-go-live"
            aria-keyshortcuts="End"
            title="Back to the newest frames (End)"
            disabled={p.disabled}
            onClick={p.onGoLive}
          >
            Go live
          </button>
        )}
      </div>
      <div
        ref={bar}
        className="scrub"
        role="slider"
        tabIndex={0}
        data-testid="watch-scrub"
        data-first={range?.firstMs ?? ''}
        data-last={range?.lastMs ?? ''}
        aria-label="Position in the topic"
        aria-valuemin={range?.firstMs ?? 0}
        aria-valuemax={range?.lastMs ?? 0}
        aria-valuenow={position ?? range?.lastMs ?? 0}
        aria-valuetext={position === null ? 'no frame yet' : formatClock(position)}
        aria-disabled={p.disabled || range === null}
        onPointerMove={(e) => setHover(timeAtPointer(e))}
        onPointerLeave={() => {
          if (!dragging) setHover(null);
        }}
        onPointerDown={(e) => {
          if (p.disabled || range === null || e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          setDragging(true);
          setHover(timeAtPointer(e));
        }}
        onPointerUp={(e) => {
          if (!dragging) return;
          setDragging(false);
          const ms = timeAtPointer(e);
          setHover(null);
          if (ms === null || range === null) return;
          // a drop at the very end is the live edge
          const f = fractionAtPointer(e) ?? 0;
          if (f >= 0.999) p.onGoLive();
          else p.onSeek(ms);
        }}
        onPointerCancel={() => {
          setDragging(false);
          setHover(null);
        }}
      >
        <div className="scrub-track">
          {marked !== null && (
            <div
              className="scrub-marked"
              data-testid="watch-marked-range"
              style={{
                left: pct(marked.from),
                width: pct(Math.max(marked.to - marked.from, 0.002)),
              }}
            />
          )}
          {at !== null && <div className="scrub-played" style={{ width: pct(at) }} />}
          {at !== null && <div className="scrub-thumb" style={{ left: pct(at) }} />}
        </div>
        {hover !== null && range !== null && (
          <div
            className="scrub-hover mono"
            data-testid="watch-scrub-time"
            style={{ left: pct(fractionOf(range, hover)) }}
          >
            {formatClock(hover)}
          </div>
        )}
      </div>
      <div className="timeline-foot muted">
        <span data-testid="watch-range-first" className="mono">
          {range === null ? 'time range unknown' : formatClock(range.firstMs)}
        </span>
        <span className="spacer" />
        <span className="timeline-marks" hidden={p.marks === false}>
          <button
            type="button"
            className="link"
            data-testid="watch-mark-in"
            title="Export from the frame on screen"
            disabled={position === null}
            onClick={() => p.onMark('in')}
          >
            Mark in
          </button>
          <button
            type="button"
            className="link"
            data-testid="watch-mark-out"
            title="Export up to the frame on screen"
            disabled={position === null}
            onClick={() => p.onMark('out')}
          >
            Mark out
          </button>
          {(p.markIn !== null || p.markOut !== null) && (
            <button
              type="button"
              className="link"
              data-testid="watch-mark-clear"
              onClick={() => p.onMark('clear')}
            >
              Clear marks
            </button>
          )}
        </span>
        <span className="spacer" />
        <span data-testid="watch-range-last" className="mono">
          {p.live
            ? 'live'
            : behindMs !== null && behindMs > 0
              ? `${formatSpan(behindMs)} behind the newest`
              : range === null
                ? ''
                : formatClock(range.lastMs)}
        </span>
      </div>
    </div>
  );
}
