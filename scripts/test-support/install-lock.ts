// One install test at a time on this machine: the lock, and the check for (and removal of) the
// fixed LAYOUT's leftovers (/var/lib/kafka, the `kafka` user, …).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LAYOUT } from '../../electron/core/setup/config.js';
import { sh } from './netns-subnet.js';

async function step(f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch {
    /* keep cleaning */
  }
}

const userExists = (name: string): boolean =>
  spawnSync('id', [name], { stdio: 'ignore' }).status === 0;

/**
 * Why a test that really installs Kafka (the setup plan's fixed LAYOUT: its folders and
 * the `kafka` user) must not run on this machine: any of them already exists, and the
 * test's teardown (removeInstallLeftovers) would remove it. Undefined when none exists.
 */
export function installLeftoversReason(): string | undefined {
  if (userExists(LAYOUT.user)) return `a user "${LAYOUT.user}" already exists on this machine`;
  for (const d of [LAYOUT.stateDir, LAYOUT.logDir, LAYOUT.stagingDir])
    if (existsSync(d)) return `${d} already exists on this machine`;
  return undefined;
}

/**
 * Removes what an install test may have left of the fixed LAYOUT: its folders, the `kafka`
 * user and that user's JVM perf-data folder. Only call it when installLeftoversReason()
 * was undefined before the test (none of it existed). Each step on its own, best effort.
 */
export async function removeInstallLeftovers(): Promise<void> {
  await step(() => rm(LAYOUT.stateDir, { recursive: true, force: true }));
  await step(() => rm(LAYOUT.logDir, { recursive: true, force: true }));
  await step(() => rm(LAYOUT.stagingDir, { recursive: true, force: true }));
  if (userExists(LAYOUT.user)) await step(() => sh('userdel', [LAYOUT.user]));
  await step(() => rm(`/tmp/hsperfdata_${LAYOUT.user}`, { recursive: true, force: true }));
}

const INSTALL_LOCK = path.join(os.tmpdir(), 'kvs-install-test.lock');

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Install tests share this machine's fixed LAYOUT (/var/lib/kafka, the `kafka` user, …), so only
 * one may run at a time, whichever runner (vitest workers, Playwright) it is in. Waits for the
 * lock (a folder holding the owner's pid; a dead owner's lock is taken over) and then decides:
 * `reason` is why this test must not install here (leftovers of something else), and the lock is
 * already given back in that case. Otherwise call `release()` when the test is done.
 */
export async function acquireInstallLock(
  timeoutMs = 15 * 60_000,
): Promise<{ reason: string | undefined; release: () => Promise<void> }> {
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(INSTALL_LOCK, { mode: 0o700 });
      await writeFile(path.join(INSTALL_LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number((await readFile(path.join(INSTALL_LOCK, 'pid'), 'utf8').catch(() => '')).trim());
      // no pid yet: the owner is between mkdir and writeFile — wait, unless that lasts
      if ((owner > 0 && !pidAlive(owner)) || (!(owner > 0) && Date.now() - started > 10_000)) {
        await rm(INSTALL_LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`Another install test (pid ${owner}) held ${INSTALL_LOCK} for ${timeoutMs / 1000} s.`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await rm(INSTALL_LOCK, { recursive: true, force: true });
  };
  const reason = installLeftoversReason();
  if (reason !== undefined) await release();
  return { reason, release };
}
