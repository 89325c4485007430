import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogBatch } from './setup-log-batch.js';

describe('setup log batch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends lines in a batch after a moment, per source in order, never mixing sources', () => {
    const out: Array<[number | undefined, string[]]> = [];
    const b = createLogBatch<number | undefined>((k, lines) => out.push([k, lines]));
    b.add(0, 'a');
    b.add(0, 'b');
    b.add(1, 'c');
    b.add(undefined, 'd');
    b.add(0, 'e');
    expect(out).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(out).toEqual([
      [0, ['a', 'b']],
      [1, ['c']],
      [undefined, ['d']],
      [0, ['e']],
    ]);
  });

  it('flush sends at once (a step status follows its lines); close drops what is pending', () => {
    const out: string[][] = [];
    const b = createLogBatch<null>((_k, lines) => out.push(lines));
    b.add(null, 'x');
    b.flush();
    expect(out).toEqual([['x']]);
    b.add(null, 'y');
    b.close();
    vi.advanceTimersByTime(1000);
    expect(out).toEqual([['x']]);
  });

  it('cuts long lines and sends at most 500 lines a batch', () => {
    const out: string[][] = [];
    const b = createLogBatch<null>((_k, lines) => out.push(lines));
    b.add(null, 'z'.repeat(5000));
    for (let i = 0; i < 600; i += 1) b.add(null, String(i));
    vi.advanceTimersByTime(100);
    expect(out[0]?.[0]).toBe(`${'z'.repeat(2000)}…`);
    expect(out.map((l) => l.length)).toEqual([500, 101]);
  });
});
