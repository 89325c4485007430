/**
 * The grid's one timeline (timeline.tsx, without marks): it reads the tiles' reports a few times
 * a second and drives every tile's viewer through its handle — a seek sends the same message time
 * to each (time-aligned replay), play/pause, step, speed and "Go live" go to all. Its keys are the
 * viewer's (space, ←/→, Home/End), anywhere on it.
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import { Timeline } from './timeline.js';
import { keyAction } from './timeline-model.js';
import {
  gridTimelineView,
  playPauseAll,
  spreadMs,
  type TileReport,
} from './grid-timeline-logic.js';
import type { TileHandle } from './tile-link.js';

const READ_MS = 250;

export function GridTimeline({
  reports,
  handles,
}: {
  /** The tiles' newest reports (read now and then, not on every change). */
  reports(): readonly TileReport[];
  handles(): readonly TileHandle[];
}) {
  const [now, setNow] = useState<readonly TileReport[]>(() => reports());
  useEffect(() => {
    const t = setInterval(() => setNow(reports()), READ_MS);
    return () => clearInterval(t);
  }, [reports]);
  const view = gridTimelineView(now);
  const spread = spreadMs(now);
  const all = (f: (h: TileHandle) => void) => handles().forEach(f);
  // actions read the tiles as they are now, not as last shown (a pause may be 250 ms old)
  const fresh = () => gridTimelineView(reports());
  const seek = (ms: number) => {
    const paused = fresh().paused;
    all((h) => h.seek(ms, paused));
  };
  const playPause = () =>
    playPauseAll(fresh()) === 'play' ? all((h) => h.play()) : all((h) => h.pause());
  const goLive = () => all((h) => h.goLive());
  const disabled = view.tiles === 0;

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (disabled || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target as HTMLElement;
    if (t.closest('input, select, textarea')) return;
    if (t.closest('button') && (e.key === ' ' || e.key === 'Enter')) return;
    const a = keyAction(e.key, {
      paused: view.paused,
      positionMs: view.positionMs,
      range: view.range,
    });
    if (a === null) return;
    e.preventDefault();
    if (a.kind === 'toggle') playPause();
    else if (a.kind === 'step') all((h) => h.step(a.dir));
    else if (a.kind === 'seek') seek(a.ms);
    else goLive();
  };

  return (
    <section
      className="card grid-timeline"
      data-testid="grid-timeline"
      data-tiles={view.tiles}
      aria-label="Timeline of all tiles"
      onKeyDown={onKeyDown}
    >
      <p className="muted grid-timeline-note">
        One timeline for {view.tiles === 1 ? '1 playing tile' : `${view.tiles} playing tiles`}: a
        seek takes every tile to the same moment.
        {spread !== null && (
          <span data-testid="grid-spread" data-ms={spread}>
            {' '}
            Tiles {spread} ms apart.
          </span>
        )}
      </p>
      <Timeline
        range={view.range}
        positionMs={view.positionMs}
        positionSeq={null}
        live={view.live}
        paused={view.paused}
        speed={view.speed}
        paced={view.paced}
        disabled={disabled}
        busy={view.busy}
        markIn={null}
        markOut={null}
        marks={false}
        onSeek={seek}
        onStep={(dir) => all((h) => h.step(dir))}
        onPlayPause={playPause}
        onGoLive={goLive}
        onSpeed={(v) => all((h) => h.speed(v))}
        onMark={() => undefined}
      />
    </section>
  );
}
