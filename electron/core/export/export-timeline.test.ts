import { describe, expect, it } from 'vitest';
import { ExportTimeline } from './export-timeline.js';

const times = (t: ExportTimeline, frames: Array<[number, number | null]>): number[] =>
  frames.map(([timestamp, ptsMs]) => t.next({ timestamp, ptsMs }));

describe('ExportTimeline', () => {
  it('takes the pts header, from 0, keeping a gap; duration adds one frame at the stream rate', () => {
    const t = new ExportTimeline(10);
    // message times say nothing useful (sent in a burst); pts has a 2 s gap
    expect(
      times(t, [
        [5000, 1000],
        [5001, 1100],
        [5002, 3100],
        [5003, 3200],
      ]),
    ).toEqual([0, 100, 2100, 2200]);
    expect(t.durationMs).toBe(2300);
  });

  it('uses message time for headerless images', () => {
    const t = new ExportTimeline(30);
    expect(
      times(t, [
        [1000, null],
        [1040, null],
        [1500, null],
      ]),
    ).toEqual([0, 40, 500]);
    expect(t.durationMs).toBe(533);
  });

  it('a lone frame lasts 1000 / fps; nothing: 0', () => {
    const t = new ExportTimeline(25);
    expect(t.durationMs).toBe(0);
    t.next({ timestamp: 7, ptsMs: 7 });
    expect(t.durationMs).toBe(40);
  });

  it('never goes back: a pts restart (a looped producer) follows on one interval later', () => {
    const t = new ExportTimeline(10);
    expect(
      times(t, [
        [0, 0],
        [1, 100],
        [2, 0], // the loop starts again
        [3, 100],
        [4, 100], // a repeat
      ]),
    ).toEqual([0, 100, 200, 300, 400]);
  });

  it('a pts stream frame without the header keeps to the pts clock by its message time', () => {
    const t = new ExportTimeline(10);
    expect(
      times(t, [
        [10_000, 0],
        [10_100, 100],
        [10_300, null],
      ]),
    ).toEqual([0, 100, 300]);
  });

  it('rounds fractional pts to whole ms', () => {
    const t = new ExportTimeline(30);
    expect(
      times(t, [
        [0, 0],
        [0, 1000 / 30],
        [0, 2000 / 30],
      ]),
    ).toEqual([0, 33, 67]);
  });
});
