/**
 * What ties a viewer to the grid when it is one of its tiles: the grid focuses it, removes it,
 * reads where it is (a TileReport a few times a second) and drives its timeline (a TileHandle:
 * the grid's one timeline sends the same seek to every tile).
 */
import type { TileReport } from './grid-timeline-logic.js';

/** The tile's timeline, as the grid drives it (each call is the tile's own `watch:control`). */
export interface TileHandle {
  /** Seek to a message time (the same for every tile: time-aligned replay). */
  seek(ms: number, paused: boolean): void;
  play(): void;
  pause(): void;
  goLive(): void;
  step(dir: -1 | 1): void;
  speed(speed: number): void;
}

export interface TileLink {
  /** The tile's place in the grid (0-based). */
  readonly index: number;
  /** It fills the area. */
  readonly focused: boolean;
  /** Show its own timeline (each tile on its own, or focused). */
  readonly ownTimeline: boolean;
  /** A click or Enter on the picture: focus it (or, focused, back to the grid). */
  onFocus(): void;
  /** "Close": the tile is replaced by an empty one (its viewer stops). */
  onClose(): void;
  onReport(report: TileReport): void;
  onHandle(handle: TileHandle | null): void;
}

/**
 * Which tile a viewer is now, for what reads it per frame (the bench hook): a viewer made alone
 * becomes the grid's first tile when the layout changes, without being made again.
 */
export class TileIndex {
  private index: number | undefined = undefined;
  set(index: number | undefined): void {
    this.index = index;
  }
  get = (): number | undefined => this.index;
}
