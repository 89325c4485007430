/**
 * The watch grid's layout, without the DOM: the layouts (1, 2×2, 3×3), the tiles a layout keeps
 * when it changes (the first ones stay, with their viewers; the rest are removed, which stops
 * their viewers), and which tile is focused.
 */

export const LAYOUTS = [1, 4, 9] as const;
export type Layout = (typeof LAYOUTS)[number];

/** Columns of a layout: 1, 2 or 3. */
export function columnsOf(layout: Layout): number {
  return Math.round(Math.sqrt(layout));
}

export function layoutLabel(layout: Layout): string {
  const c = columnsOf(layout);
  return c === 1 ? '1' : `${c}×${c}`;
}

export interface GridState {
  readonly layout: Layout;
  /** One key per tile, in order (a key lives as long as its tile and its viewer). */
  readonly tiles: readonly number[];
  /** The tile that fills the area; null: all tiles are shown. */
  readonly focused: number | null;
  /** The key the next new tile takes. */
  readonly nextKey: number;
}

export function initialGrid(layout: Layout = 1): GridState {
  return {
    layout,
    tiles: Array.from({ length: layout }, (_, i) => i),
    focused: null,
    nextKey: layout,
  };
}

/**
 * A new layout: the first tiles keep their keys (and so their viewers); new ones get new keys;
 * tiles past the new count are removed. A focused tile that is removed is no longer focused.
 */
export function withLayout(s: GridState, layout: Layout): GridState {
  const kept = s.tiles.slice(0, layout);
  let nextKey = s.nextKey;
  const tiles = [...kept];
  while (tiles.length < layout) tiles.push(nextKey++);
  const focused = s.focused !== null && tiles.includes(s.focused) ? s.focused : null;
  return { layout, tiles, focused: layout === 1 ? null : focused, nextKey };
}

/** The tiles removed by a layout change (their viewers are stopped). */
export function removedBy(s: GridState, layout: Layout): number[] {
  return s.tiles.slice(layout);
}

/** The tile with `key` replaced by a fresh one (its viewer stopped, its place kept). */
export function withTileReset(s: GridState, key: number): GridState {
  const i = s.tiles.indexOf(key);
  if (i < 0) return s;
  const tiles = [...s.tiles];
  tiles[i] = s.nextKey;
  return { ...s, tiles, focused: s.focused === key ? null : s.focused, nextKey: s.nextKey + 1 };
}

/** Focus a tile (it fills the area); the same tile again, or null, shows the grid. */
export function withFocus(s: GridState, key: number | null): GridState {
  if (s.layout === 1) return s.focused === null ? s : { ...s, focused: null };
  if (key === null || s.focused === key || !s.tiles.includes(key)) return { ...s, focused: null };
  return { ...s, focused: key };
}
