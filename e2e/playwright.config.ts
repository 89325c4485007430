import { defineConfig } from '@playwright/test';

/**
 * End-to-end specs, run three times:
 * - `browser`: the renderer in Debian's Chromium (playwright-core driving /usr/bin/chromium,
 *   or CHROMIUM_PATH) against `kvs serve` and a real Kafka broker. Runs everywhere.
 * - `electron-standin`: the desktop app's own code path without the Electron binary — the built
 *   main bundle (stand-in `electron` module), the built preload under the sandbox's rules, the
 *   real page in Chromium bound to what that preload exposed. A stand-in, not Electron.
 * - `electron`: the same specs in the desktop app via `_electron.launch`. Runs where the
 *   Electron binary is installed; elsewhere every test is reported as skipped with the reason.
 */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts/,
  outputDir: '../test-results/e2e',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    { name: 'browser', metadata: { transport: 'browser' } },
    { name: 'electron-standin', metadata: { transport: 'electron' } },
    { name: 'electron', metadata: { transport: 'electron' } },
  ],
});
