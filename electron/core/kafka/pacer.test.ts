import { describe, expect, it } from 'vitest';
import { Pacer, type PacerClock } from './pacer.js';
import { SequenceTracker } from './sequence-tracker.js';

function fakeClock(): PacerClock & { t: number } {
  const c = {
    t: 1000,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

describe('Pacer', () => {
  it('spaces frames by their pts', async () => {
    const clock = fakeClock();
    const p = new Pacer(clock);
    const shown: number[] = [];
    for (const pts of [0, 33, 67, 100]) {
      await p.wait({ ptsMs: pts, streamId: 's' });
      shown.push(clock.t - 1000);
    }
    expect(shown).toEqual([0, 33, 67, 100]);
  });

  it('plays at a rate: 2× halves the waits, 0.5× doubles them, and a rate change re-anchors', async () => {
    const clock = fakeClock();
    const p = new Pacer(clock);
    const at = async (pts: number): Promise<number> => {
      await p.wait({ ptsMs: pts, streamId: 's' });
      return clock.t - 1000;
    };
    p.setRate(2);
    expect([await at(0), await at(100), await at(200)]).toEqual([0, 50, 100]);
    p.setRate(0.5);
    // re-anchored at the next frame: shown at once, then 100 ms of media takes 200 ms
    expect([await at(300), await at(400)]).toEqual([100, 300]);
    p.setRate(0); // ignored
    expect(await at(500)).toBe(500);
  });

  it('restart shows the next frame at once and paces from it', async () => {
    const clock = fakeClock();
    const p = new Pacer(clock);
    await p.wait({ ptsMs: 0, streamId: 's' });
    p.restart();
    await p.wait({ ptsMs: 5000, streamId: 's' });
    expect(clock.t).toBe(1000);
    await p.wait({ ptsMs: 5100, streamId: 's' });
    expect(clock.t).toBe(1100);
  });

  it('does not wait for frames that are already late, and re-anchors after a long stall', () => {
    const clock = fakeClock();
    const p = new Pacer(clock, 30, 1000);
    expect(p.delayFor({ ptsMs: 0, streamId: 's' })).toBe(0);
    clock.t += 50;
    expect(p.delayFor({ ptsMs: 33, streamId: 's' })).toBe(0);
    clock.t += 5000; // stalled
    expect(p.delayFor({ ptsMs: 67, streamId: 's' })).toBe(0);
    expect(p.delayFor({ ptsMs: 100, streamId: 's' })).toBeCloseTo(33, 5);
  });

  it('paces headerless frames by message timestamp, spacing same-timestamp bursts at the default fps', () => {
    const clock = fakeClock();
    const p = new Pacer(clock, 10);
    expect(p.delayFor({ timestampMs: 5000 })).toBe(0);
    expect(p.delayFor({ timestampMs: 5200 })).toBe(200);
    clock.t += 200;
    expect(p.delayFor({ timestampMs: 5200 })).toBeCloseTo(100, 5);
  });

  it('re-anchors when a new stream starts', () => {
    const clock = fakeClock();
    const p = new Pacer(clock);
    p.delayFor({ ptsMs: 5000, streamId: 'a' });
    expect(p.delayFor({ ptsMs: 0, streamId: 'b' })).toBe(0);
  });
});

describe('SequenceTracker', () => {
  it('counts gaps and repeats per stream', () => {
    const t = new SequenceTracker();
    for (const s of [0, 1, 2, 5, 6]) t.observe('a', s);
    expect(t.gaps).toBe(2);
    expect(t.observe('a', 6).repeat).toBe(true);
    t.observe('b', 10); // joined mid-stream: no gap
    t.observe('b', 11);
    expect(t.gaps).toBe(2);
    expect(t.repeats).toBe(1);
    t.end('a');
    expect(t.observe('a', 0)).toEqual({ missing: 0, repeat: false });
    expect(t.firstSeq).toBe(0);
    expect(t.lastSeq).toBe(0);
  });

  it('stays bounded', () => {
    const t = new SequenceTracker(4);
    for (let i = 0; i < 100; i++) t.observe(`s${i}`, 1);
    expect((t as unknown as { last: Map<string, number> }).last.size).toBe(4);
  });
});
