import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

const hasProc = process.platform === 'linux';

/** True while `pid` is a live process (a zombie, already dead but not yet reaped, counts as gone). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (hasProc) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  return true;
}

/** The arguments `pid` was started with, or undefined when it is gone. */
export async function commandLine(pid: number): Promise<string[] | undefined> {
  if (hasProc) {
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      return raw.split('\0').filter((a) => a !== '');
    } catch {
      return undefined;
    }
  }
  const out = await run('ps', ['-o', 'command=', '-p', String(pid)]);
  return out === undefined || out.trim() === '' ? undefined : out.trim().split(/\s+/);
}

/** Every live process whose arguments include `marker` exactly (used to find our JVMs). */
export async function processesWithArgument(marker: string): Promise<number[]> {
  const found: number[] = [];
  if (hasProc) {
    let entries: string[];
    try {
      entries = await readdir('/proc');
    } catch {
      return found;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (pid === process.pid) continue;
      const args = await commandLine(pid);
      if (args?.includes(marker) === true && (await isAlive(pid))) found.push(pid);
    }
    return found;
  }
  const out = await run('ps', ['-axo', 'pid=,command=']);
  for (const line of (out ?? '').split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && match[2].split(/\s+/).includes(marker)) found.push(pid);
  }
  return found;
}

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (error, stdout) =>
      resolve(error === null ? stdout : undefined),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits up to `timeoutMs` for `pid` to be gone; true if it is. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Ends `pid`: SIGTERM (a JVM runs its shutdown hooks, so Kafka closes its logs cleanly),
 * then SIGKILL if it is still there after `graceMs`; resolves once it is gone.
 * Returns 'term' or 'kill' for how it ended, 'gone' if it wasn't running.
 */
export async function terminate(pid: number, graceMs: number): Promise<'gone' | 'term' | 'kill'> {
  if (!(await isAlive(pid))) return 'gone';
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return 'term';
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 10_000);
  return 'kill';
}
