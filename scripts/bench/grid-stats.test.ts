import { describe, expect, it } from 'vitest';
import {
  cpuBound,
  machineBusyPct,
  parseCpuTotals,
  tileFigures,
  type TileSample,
} from './grid-stats.js';

describe('grid bench figures', () => {
  it('splits the samples by tile: fps over the window and capture → drawn latency', () => {
    const samples: TileSample[] = [];
    for (let i = 0; i < 31; i++) {
      samples.push({ tile: 0, seq: i, capturedAt: 1000 + i * 33, drawnAt: 1040 + i * 33 });
      if (i % 2 === 0)
        samples.push({ tile: 1, seq: i, capturedAt: 1000 + i * 33, drawnAt: 1100 + i * 33 });
    }
    samples.push({ seq: 1, capturedAt: null, drawnAt: 5 }); // no tile: not counted
    const [a, b, c] = tileFigures(samples, 3);
    expect(a?.drawn).toBe(31);
    expect(a?.fps).toBeCloseTo(30.3, 1);
    expect(a?.latencyMs.p95).toBe(40);
    expect(b?.drawn).toBe(16);
    expect(b?.fps).toBeCloseTo(15.15, 1);
    expect(b?.latencyMs.p50).toBe(100);
    expect(c).toMatchObject({ drawn: 0, fps: null });
    // a window
    expect(tileFigures(samples, 1, 1040, 1040 + 10 * 33)[0]?.drawn).toBe(11);
  });

  it('says whether the run is CPU-bound and which process uses the most', () => {
    const b = cpuBound({ app: 30, ffmpeg: 110, browser: 50, broker: 8 }, 2);
    expect(b.cpuBound).toBe(true);
    expect(b.top).toBe('ffmpeg');
    expect(b.totalPct).toBe(198);
    expect(b.text).toMatch(/CPU-bound.*largest share is encode \(ffmpeg\)/);
    const idle = cpuBound({ app: 10, ffmpeg: 40, browser: 60, broker: null }, 2);
    expect(idle.cpuBound).toBe(false);
    expect(idle.top).toBe('browser');
    expect(cpuBound({ app: null, ffmpeg: null, browser: null, broker: null }, 2).top).toBeNull();
  });

  it('reads the machine’s busy share from /proc/stat and names other work when it dominates', () => {
    const a = parseCpuTotals('cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n');
    const b = parseCpuTotals('cpu  250 0 200 750 100 0 0 0 0 0\n');
    expect(a).toEqual({ busy: 200, total: 1000 });
    expect(b).toEqual({ busy: 450, total: 1300 });
    expect(machineBusyPct(a ?? { busy: 0, total: 0 }, b ?? { busy: 0, total: 0 }, 2)).toBeCloseTo(
      166.7,
      1,
    );
    expect(parseCpuTotals('nothing')).toBeNull();
    const busy = cpuBound({ app: 10, ffmpeg: 40, browser: 30, broker: 5 }, 2, 190);
    expect(busy.cpuBound).toBe(true);
    expect(busy.otherPct).toBe(105);
    expect(busy.text).toMatch(/largest share is other work on the machine/);
  });
});
