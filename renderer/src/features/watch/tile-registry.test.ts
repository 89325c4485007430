import { describe, expect, it } from 'vitest';
import type { TileReport } from './grid-timeline-logic.js';
import type { TileHandle } from './tile-link.js';
import { TileRegistry } from './tile-registry.js';

const report = (positionMs: number): TileReport => ({
  playing: true,
  range: null,
  positionMs,
  paused: false,
  live: true,
  busy: false,
  speed: 1,
  paced: true,
});
const handle = (): TileHandle => ({
  seek: () => undefined,
  play: () => undefined,
  pause: () => undefined,
  goLive: () => undefined,
  step: () => undefined,
  speed: () => undefined,
});

describe('TileRegistry', () => {
  it('keeps each tile’s callbacks while it lives, and reads tiles in order', () => {
    const r = new TileRegistry();
    r.setTiles([3, 1]);
    expect(r.callbacksOf(1)).toBe(r.callbacksOf(1));
    r.callbacksOf(1).onReport(report(10));
    r.callbacksOf(3).onReport(report(30));
    const h = handle();
    r.callbacksOf(3).onHandle(h);
    expect(r.reports().map((x) => x.positionMs)).toEqual([30, 10]);
    expect(r.handles()).toEqual([h]);
  });

  it('forgets a tile that went away (its handle, its report) and tiles not on screen', () => {
    const r = new TileRegistry();
    r.setTiles([0, 1]);
    const before = r.callbacksOf(1);
    r.callbacksOf(1).onHandle(handle());
    r.callbacksOf(1).onReport(report(1));
    r.callbacksOf(1).onHandle(null);
    expect(r.handles()).toEqual([]);
    expect(r.reports()).toEqual([]);
    r.callbacksOf(0).onReport(report(0));
    r.setTiles([0]);
    expect(r.callbacksOf(1)).not.toBe(before);
    expect(r.reports().map((x) => x.positionMs)).toEqual([0]);
  });
});
