import { describe, expect, it } from 'vitest';
import { cpuPercent, descendants, parseProcStat, readProcStat, type ProcStat } from './proc.js';

const LINE =
  '4242 (Web Content (x)) S 17 4242 17 0 -1 4194560 1000 0 0 0 250 75 12 3 20 0 9 0 12345 1000000 500 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0';

describe('parseProcStat', () => {
  it('reads pid, comm with spaces and parentheses, ppid and the times', () => {
    expect(parseProcStat(LINE)).toEqual({
      pid: 4242,
      comm: 'Web Content (x)',
      ppid: 17,
      utime: 250,
      stime: 75,
      cutime: 12,
      cstime: 3,
    });
  });
  it('rejects garbage', () => {
    expect(parseProcStat('nonsense')).toBeNull();
    expect(parseProcStat('1 (x) S 0')).toBeNull();
  });
  it('reads this process', () => {
    const me = readProcStat(process.pid);
    expect(me?.pid).toBe(process.pid);
    expect(me?.ppid).toBe(process.ppid);
  });
});

describe('descendants and cpuPercent', () => {
  const p = (pid: number, ppid: number): ProcStat => ({
    pid,
    ppid,
    comm: 'x',
    utime: 0,
    stime: 0,
    cutime: 0,
    cstime: 0,
  });
  it('walks the tree', () => {
    const list = [p(1, 0), p(2, 1), p(3, 2), p(4, 1), p(5, 9)];
    expect(
      descendants(list, 1)
        .map((x) => x.pid)
        .sort(),
    ).toEqual([2, 3, 4]);
    expect(descendants(list, 3)).toEqual([]);
  });
  it('turns ticks into % of one core', () => {
    expect(cpuPercent(50, 1000, 100)).toBe(50);
    expect(cpuPercent(300, 2000, 100)).toBe(150);
    expect(cpuPercent(1, 0, 100)).toBeNull();
  });
});
