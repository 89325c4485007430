/**
 * Memory readings of this process (and its ffmpeg children) for the soak and the leak test:
 * process.memoryUsage(), VmRSS / VmHWM from /proc/self/status (Linux), and a gc() that works
 * with or without --expose-gc.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { allProcs } from '../bench/proc.js';

export const MB = 1024 * 1024;

let cachedGc: (() => void) | null = null;

/**
 * A full garbage collection. Uses the global gc() when Node runs with --expose-gc; otherwise
 * turns the flag on at run time and takes gc from a fresh context (works in a Vitest fork too).
 */
export function forceGc(): void {
  if (cachedGc === null) {
    if (typeof globalThis.gc === 'function') cachedGc = globalThis.gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      const fromContext: unknown = runInNewContext('gc');
      if (typeof fromContext !== 'function') throw new Error('could not get gc() from V8');
      cachedGc = fromContext as () => void;
    }
  }
  cachedGc();
}

/** The global gc() was exposed on the command line (node --expose-gc). */
export function gcExposed(): boolean {
  return typeof globalThis.gc === 'function';
}

/** A `Vm…:   1234 kB` line of a /proc/<pid>/status text, in bytes; null when absent. */
export function statusField(status: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m?.[1] === undefined ? null : Number(m[1]) * 1024;
}

function readStatus(pid: number | 'self'): string | null {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null; // not Linux, or the process is gone
  }
}

/** Resident memory of live ffmpeg/ffprobe children of this process, in bytes (null: none). */
export function ffmpegChildrenRss(self = process.pid): { count: number; rss: number | null } {
  let procs: ReturnType<typeof allProcs>;
  try {
    procs = allProcs();
  } catch {
    return { count: 0, rss: null }; // no /proc (not Linux)
  }
  const kids = procs.filter((p) => p.ppid === self && /^ff(mpeg|probe)$/.test(p.comm));
  let rss: number | null = null;
  for (const k of kids) {
    const status = readStatus(k.pid);
    const v = status === null ? null : statusField(status, 'VmRSS');
    if (v !== null) rss = (rss ?? 0) + v;
  }
  return { count: kids.length, rss };
}

export interface MemoryReading {
  /** process.memoryUsage().rss */
  readonly rss: number;
  /** VmRSS from /proc/self/status (null off Linux). */
  readonly vmRss: number | null;
  /** VmHWM (peak RSS) from /proc/self/status. */
  readonly vmHwm: number | null;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** Read memory now; with `gc`, after a full collection (so heap figures mean live objects). */
export function readMemory(opts: { gc: boolean }): MemoryReading {
  if (opts.gc) forceGc();
  const m = process.memoryUsage();
  const status = readStatus('self');
  return {
    rss: m.rss,
    vmRss: status === null ? null : statusField(status, 'VmRSS'),
    vmHwm: status === null ? null : statusField(status, 'VmHWM'),
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

export function mb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}
