import { describe, expect, it } from 'vitest';
import {
  columnsOf,
  initialGrid,
  layoutLabel,
  removedBy,
  withFocus,
  withLayout,
  withTileReset,
} from './grid-logic.js';

describe('grid layout', () => {
  it('has 1, 2×2 and 3×3 layouts', () => {
    expect([1, 4, 9].map((l) => columnsOf(l as 1 | 4 | 9))).toEqual([1, 2, 3]);
    expect(layoutLabel(1)).toBe('1');
    expect(layoutLabel(4)).toBe('2×2');
    expect(layoutLabel(9)).toBe('3×3');
    expect(initialGrid().tiles).toEqual([0]);
  });

  it('keeps the first tiles (and their viewers) when the layout grows or shrinks', () => {
    const one = initialGrid(1);
    const four = withLayout(one, 4);
    expect(four.tiles).toEqual([0, 1, 2, 3]);
    const nine = withLayout(four, 9);
    expect(nine.tiles.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(new Set(nine.tiles).size).toBe(9);
    expect(removedBy(nine, 4)).toEqual(nine.tiles.slice(4));
    const back = withLayout(nine, 4);
    expect(back.tiles).toEqual([0, 1, 2, 3]);
    // tiles that come back are new tiles, never a removed tile's key
    const again = withLayout(back, 9);
    expect(again.tiles.slice(4).some((k) => nine.tiles.slice(4).includes(k))).toBe(false);
  });

  it('focuses one tile; the same tile, null, or a removed tile shows the grid again', () => {
    const g = withLayout(initialGrid(), 4);
    const f = withFocus(g, 2);
    expect(f.focused).toBe(2);
    expect(withFocus(f, 2).focused).toBeNull();
    expect(withFocus(f, null).focused).toBeNull();
    expect(withFocus(f, 3).focused).toBe(3);
    expect(withFocus(g, 42).focused).toBeNull();
    expect(withLayout(withFocus(g, 3), 1).focused).toBeNull();
    expect(withLayout(withFocus(g, 1), 9).focused).toBe(1);
    // one tile has nothing to focus
    expect(withFocus(initialGrid(), 0).focused).toBeNull();
  });

  it('resets one tile in its place with a new key', () => {
    const g = withFocus(withLayout(initialGrid(), 4), 1);
    const r = withTileReset(g, 1);
    expect(r.tiles[1]).not.toBe(1);
    expect(r.tiles.filter((k) => k !== r.tiles[1])).toEqual([0, 2, 3]);
    expect(r.focused).toBeNull();
    expect(withTileReset(g, 99)).toBe(g);
  });
});
