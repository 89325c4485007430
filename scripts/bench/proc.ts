/**
 * CPU time per process from /proc (Linux): utime + stime of a process (all its threads), plus
 * cutime + cstime (children that ended and were waited for). Tested in proc.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** Clock ticks (CLK_TCK) in user and kernel mode. */
  readonly utime: number;
  readonly stime: number;
  /** Clock ticks of waited-for children. */
  readonly cutime: number;
  readonly cstime: number;
}

/** Parse one /proc/<pid>/stat line; the comm may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  const comm = line.slice(open + 1, close);
  // fields from 3 (state) on; field n is at index n − 3
  const f = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const num = (n: number): number => Number(f[n - 3]);
  const out = {
    pid,
    comm,
    ppid: num(4),
    utime: num(14),
    stime: num(15),
    cutime: num(16),
    cstime: num(17),
  };
  return Object.values(out).every((v) => typeof v === 'string' || Number.isFinite(v)) ? out : null;
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // gone
  }
}

export function allProcs(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readProcStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** Every descendant of `root` (not root itself) in a process list. */
export function descendants(procs: readonly ProcStat[], root: number): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const out: ProcStat[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    for (const c of byParent.get(pid) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

export function ownTicks(p: ProcStat): number {
  return p.utime + p.stime;
}

export function treeTicks(p: ProcStat): number {
  return p.utime + p.stime + p.cutime + p.cstime;
}

let clkTck: number | null = null;
export function clockTicksPerSecond(): number {
  if (clkTck === null) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU % of one core from a tick delta over elapsed milliseconds. */
export function cpuPercent(
  ticks: number,
  elapsedMs: number,
  hz = clockTicksPerSecond(),
): number | null {
  if (elapsedMs <= 0) return null;
  return ((ticks / hz) * 1000 * 100) / elapsedMs;
}

export type ProcessGroup = 'app' | 'ffmpeg' | 'browser' | 'broker';

/**
 * Ticks per group at one moment.
 * - app: this Node process (the app services, and the benchmark harness itself).
 * - ffmpeg: live children of this process named ffmpeg/ffprobe, plus this process's
 *   cutime/cstime (ffmpeg children that already ended — and any other ended child, e.g. ffprobe).
 * - browser: every live process under our chromium child(ren), each with its own reaped children.
 * - broker: the broker's java process (and what it reaped), when known.
 */
export function sampleGroups(
  brokerPid: number | null,
  self = process.pid,
): Record<ProcessGroup, number | null> {
  const procs = allProcs();
  const me = procs.find((p) => p.pid === self);
  const kids = descendants(procs, self);
  const ffmpeg = kids.filter((p) => p.ppid === self && /^ff(mpeg|probe)$/.test(p.comm));
  const chromeRoots = kids.filter((p) => p.ppid === self && /chrom/i.test(p.comm));
  let browser = 0;
  for (const r of chromeRoots) {
    browser += treeTicks(r);
    for (const d of descendants(procs, r.pid)) browser += ownTicks(d);
  }
  const broker = brokerPid === null ? null : procs.find((p) => p.pid === brokerPid);
  return {
    app: me ? ownTicks(me) : null,
    ffmpeg: (me ? me.cutime + me.cstime : 0) + ffmpeg.reduce((n, p) => n + ownTicks(p), 0),
    browser: chromeRoots.length > 0 ? browser : null,
    broker: broker ? treeTicks(broker) : null,
  };
}

export interface CpuWindow {
  stop(): Record<ProcessGroup, number | null>;
}

/** Start measuring; stop() gives CPU % of one core per group over the window. */
export function startCpuWindow(brokerPid: number | null): CpuWindow {
  const t0 = performance.now();
  const a = sampleGroups(brokerPid);
  return {
    stop() {
      const b = sampleGroups(brokerPid);
      const ms = performance.now() - t0;
      const pct = (k: ProcessGroup): number | null => {
        const x = a[k];
        const y = b[k];
        if (y === null) return null;
        const v = cpuPercent(y - (x ?? 0), ms);
        return v === null ? null : Math.round(v * 10) / 10;
      };
      return {
        app: pct('app'),
        ffmpeg: pct('ffmpeg'),
        browser: pct('browser'),
        broker: pct('broker'),
      };
    },
  };
}

/** Chromium's `--type=` of a process (renderer, gpu-process, utility, zygote…; "browser" for the main one). */
function chromiumType(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const t = args.find((a) => a.startsWith('--type='));
    return t === undefined ? 'browser' : t.slice('--type='.length);
  } catch {
    return 'gone';
  }
}

/** Ticks of every Chromium process under this one, by process type (where the browser's CPU goes). */
export function sampleChromiumByType(self = process.pid): Map<string, number> {
  const procs = allProcs();
  const roots = descendants(procs, self).filter((p) => p.ppid === self && /chrom/i.test(p.comm));
  const out = new Map<string, number>();
  for (const r of roots) {
    for (const p of [r, ...descendants(procs, r.pid)]) {
      const type = chromiumType(p.pid);
      out.set(type, (out.get(type) ?? 0) + ownTicks(p));
    }
  }
  return out;
}
