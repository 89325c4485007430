import { describe, expect, it } from 'vitest';
import {
  gridTimelineView,
  playPauseAll,
  spreadMs,
  type TileReport,
} from './grid-timeline-logic.js';

const tile = (over: Partial<TileReport> = {}): TileReport => ({
  playing: true,
  range: { firstMs: 1000, lastMs: 5000 },
  positionMs: 3000,
  paused: false,
  live: false,
  busy: false,
  speed: 1,
  paced: true,
  ...over,
});

describe('the grid timeline', () => {
  it('shows the union of the playing tiles’ ranges and the earliest frame on screen', () => {
    const v = gridTimelineView([
      tile({ range: { firstMs: 1000, lastMs: 4000 }, positionMs: 2500 }),
      tile({ range: { firstMs: 2000, lastMs: 6000 }, positionMs: 2000 }),
      // not playing: left out
      tile({ playing: false, range: { firstMs: 0, lastMs: 9000 }, positionMs: 10 }),
    ]);
    expect(v.tiles).toBe(2);
    expect(v.range).toEqual({ firstMs: 1000, lastMs: 6000 });
    expect(v.positionMs).toBe(2000);
  });

  it('grows the range with frames past it; knows no range before any', () => {
    expect(gridTimelineView([tile({ range: null, positionMs: 7000 })]).range).toEqual({
      firstMs: 7000,
      lastMs: 7000,
    });
    const none = gridTimelineView([]);
    expect(none).toMatchObject({
      tiles: 0,
      range: null,
      positionMs: null,
      paused: false,
      live: true,
    });
  });

  it('is paused when all are, live when all are, busy when any is', () => {
    const mixed = gridTimelineView([tile({ paused: true }), tile({ paused: false, live: true })]);
    expect(mixed.paused).toBe(false);
    expect(mixed.live).toBe(false);
    expect(playPauseAll(mixed)).toBe('pause');
    const paused = gridTimelineView([tile({ paused: true }), tile({ paused: true, busy: true })]);
    expect(paused.paused).toBe(true);
    expect(paused.busy).toBe(true);
    expect(playPauseAll(paused)).toBe('play');
    expect(gridTimelineView([tile({ live: true }), tile({ live: true })]).live).toBe(true);
    expect(gridTimelineView([tile({ paced: false }), tile()]).paced).toBe(false);
  });

  it('measures how far apart the tiles are', () => {
    expect(spreadMs([tile({ positionMs: 1000 })])).toBeNull();
    expect(
      spreadMs([
        tile({ positionMs: 1000 }),
        tile({ positionMs: 1400 }),
        tile({ positionMs: null }),
      ]),
    ).toBe(400);
  });
});
