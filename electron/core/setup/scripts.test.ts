/**
 * The fixed scripts of scripts.ts run for real in a local sh, with values full of shell
 * metacharacters passed as positional arguments: they must be treated as data.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPTS } from './scripts.js';

function sh(script: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script, 'sh', ...args], { timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
        stderr,
      });
    });
  });
}

let dir = '';
beforeAll(async () => {
  // A folder name that would run `touch pwned` if it were ever interpolated into script text.
  dir = path.join(
    await mkdtemp(path.join(os.tmpdir(), 'kvs-setup-')),
    'a b;$(touch pwned)`touch pwned`\'"',
  );
  await mkdir(dir, { recursive: true });
});
afterAll(async () => {
  expect(existsSync(path.join(process.cwd(), 'pwned'))).toBe(false);
  await rm(path.dirname(dir), { recursive: true, force: true });
});

describe('fixed scripts with hostile positional values', () => {
  it('verifySha512sum keeps a good file and removes a bad one', async () => {
    const part = path.join(dir, 'k.tgz.part');
    await writeFile(part, 'kafka');
    const sum = createHash('sha512').update('kafka').digest('hex');
    const sums = path.join(dir, 'k.sha512');
    await writeFile(sums, `${sum}  ${part}\n`);
    expect((await sh(SCRIPTS.verifySha512sum, part, sums)).code).toBe(0);
    expect(existsSync(part)).toBe(true);
    await writeFile(sums, `${'0'.repeat(128)}  ${part}\n`);
    const bad = await sh(SCRIPTS.verifySha512sum, part, sums);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('does not match');
    expect(existsSync(part)).toBe(false);
  });

  it('verifyApacheSha512 reads both Apache formats', async () => {
    const part = path.join(dir, 'kafka_2.13-4.1.1.tgz.part');
    await writeFile(part, 'kafka');
    const sum = createHash('sha512').update('kafka').digest('hex').toUpperCase();
    const sums = path.join(dir, 'apache.sha512');
    const groups = sum.match(/.{8}/g) ?? [];
    await writeFile(
      sums,
      `kafka_2.13-4.1.1.tgz: ${groups.slice(0, 8).join(' ')}\n                      ${groups.slice(8).join(' ')}\n`,
    );
    expect((await sh(SCRIPTS.verifyApacheSha512, part, sums)).code).toBe(0);
    await writeFile(sums, `${sum.toLowerCase()}  kafka_2.13-4.1.1.tgz\n`);
    expect((await sh(SCRIPTS.verifyApacheSha512, part, sums)).code).toBe(0);
    await writeFile(sums, 'kafka_2.13-4.1.1.tgz: 00\n');
    expect((await sh(SCRIPTS.verifyApacheSha512, part, sums)).code).toBe(1);
    expect(existsSync(part)).toBe(false);
  });

  it('sameContent, dirsExist, diskFree', async () => {
    const file = path.join(dir, 'server.properties');
    const content = "advertised.listeners=PLAINTEXT://$(id):9092\n'`x`'\n";
    await writeFile(file, content);
    expect((await sh(SCRIPTS.sameContent, file, content)).code).toBe(0);
    expect((await sh(SCRIPTS.sameContent, file, `${content}x`)).code).not.toBe(0);
    expect((await sh(SCRIPTS.dirsExist, dir, os.tmpdir())).code).toBe(0);
    expect((await sh(SCRIPTS.dirsExist, dir, path.join(dir, 'nope'))).code).toBe(1);
    expect((await sh(SCRIPTS.diskFree, path.join(dir, 'not/yet/there'), '1')).code).toBe(0);
    const low = await sh(SCRIPTS.diskFree, dir, String(Number.MAX_SAFE_INTEGER));
    expect(low.code).toBe(1);
    expect(low.stderr).toContain('KiB free');
  });

  it('background + pidAlive + stopPid + waitPorts', async () => {
    const pidFile = path.join(dir, 'x.pid');
    const log = path.join(dir, 'x.out');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      expect((await sh(SCRIPTS.waitPorts, '5', String(port))).code).toBe(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect((await sh(SCRIPTS.waitPorts, '1', String(port))).stderr).toContain(`port ${port}`);

    expect((await sh(SCRIPTS.pidAlive, pidFile)).code).not.toBe(0);
    expect((await sh(SCRIPTS.background, pidFile, log, 'sleep', '30')).code).toBe(0);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(pid).toBeGreaterThan(0);
    expect((await sh(SCRIPTS.pidAlive, pidFile)).code).toBe(0);
    // already running: no second process
    expect((await sh(SCRIPTS.background, pidFile, log, 'sleep', '30')).code).toBe(0);
    expect(Number((await readFile(pidFile, 'utf8')).trim())).toBe(pid);
    expect((await sh(SCRIPTS.stopPid, pidFile, '10')).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    expect((await sh(SCRIPTS.stopPid, pidFile, '10')).code).toBe(0); // nothing to stop
  });
});
