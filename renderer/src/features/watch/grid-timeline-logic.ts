/**
 * The grid's one timeline, without the DOM. Each tile reports where it is (tile-report); the
 * grid's timeline shows the union of the tiles' ranges and, as its position, the earliest frame
 * on screen; a seek asks every playing tile's viewer to seek to the same message time
 * (time-aligned replay: `watch:control` with the same timestamp), play/pause goes to all.
 * Or each tile on its own: then the grid has no timeline and every tile shows its own.
 */
import { widen, type TimeRange } from './timeline-model.js';

export type TimelineMode = 'together' | 'each';

/** What a tile tells the grid a few times a second. */
export interface TileReport {
  /** Its viewer runs (a timeline can drive it). */
  readonly playing: boolean;
  readonly range: TimeRange | null;
  /** The message time of the frame on screen. */
  readonly positionMs: number | null;
  readonly paused: boolean;
  readonly live: boolean;
  readonly busy: boolean;
  readonly speed: number;
  readonly paced: boolean;
}

/** What the grid's timeline shows. */
export interface GridTimelineView {
  /** Tiles a seek, play or pause goes to. */
  readonly tiles: number;
  readonly range: TimeRange | null;
  readonly positionMs: number | null;
  /** All paused (then Play plays all); any playing tile: Pause pauses all. */
  readonly paused: boolean;
  /** All at the live edge. */
  readonly live: boolean;
  readonly busy: boolean;
  /** The speed the tiles share (the first tile's, if they differ). */
  readonly speed: number;
  /** Every tile plays at recorded pace (speed means something). */
  readonly paced: boolean;
}

export function gridTimelineView(reports: readonly TileReport[]): GridTimelineView {
  const on = reports.filter((r) => r.playing);
  let range: TimeRange | null = null;
  let position: number | null = null;
  for (const r of on) {
    if (r.range !== null) range = widen(widen(range, r.range.firstMs), r.range.lastMs);
    range = widen(range, r.positionMs);
    if (r.positionMs !== null)
      position = position === null ? r.positionMs : Math.min(position, r.positionMs);
  }
  return {
    tiles: on.length,
    range,
    positionMs: position,
    paused: on.length > 0 && on.every((r) => r.paused),
    live: on.length === 0 || on.every((r) => r.live),
    busy: on.some((r) => r.busy),
    speed: on[0]?.speed ?? 1,
    paced: on.length > 0 && on.every((r) => r.paced),
  };
}

/** Play/pause for all: when all are paused, play all; else pause all. */
export function playPauseAll(view: GridTimelineView): 'play' | 'pause' {
  return view.paused ? 'play' : 'pause';
}

/**
 * How far apart the tiles' frames on screen are (ms): after a time-aligned seek of streams
 * recorded at the same time, small; null with fewer than two positions.
 */
export function spreadMs(reports: readonly TileReport[]): number | null {
  const ps = reports
    .filter((r) => r.playing && r.positionMs !== null)
    .map((r) => r.positionMs as number);
  if (ps.length < 2) return null;
  return Math.max(...ps) - Math.min(...ps);
}
