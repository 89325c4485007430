/**
 * `npm start` (scripts/start.mjs): electron-vite runs as `node <its script>` — spawning `npx`
 * without a shell fails on Windows (a .cmd file; Node ≥ 20.12.2, CVE-2024-27980) — and where the
 * Electron binary is missing it says what to do instead of failing silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronViteCli } from './electron-vite-cli.mjs';
import { electronBinary } from './electron-binary.js';

const root = path.resolve(import.meta.dirname, '..');

describe('npm start', () => {
  it("finds electron-vite's own script, which node runs without a shell", () => {
    const cli = electronViteCli(root);
    expect(path.basename(cli)).toMatch(/\.js$/);
    expect(existsSync(cli)).toBe(true);
    const r = spawnSync(process.execPath, [cli, '--version'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\d+\.\d+\.\d+/);
  });

  it.skipIf(!('missing' in electronBinary()))(
    'without the Electron binary, says so and points to kvs serve (exit 1)',
    () => {
      // no download attempt from a test: this machine must not reach out
      const r = spawnSync(process.execPath, [path.join(root, 'scripts/start.mjs')], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, KVS_NO_ELECTRON_DOWNLOAD: '1' },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the Electron binary is not installed');
      expect(r.stderr).toContain('npx kvs serve');
      expect(r.stderr).not.toContain('downloading Electron');
    },
  );
});
