import { defineConfig } from '@playwright/test';

/**
 * End-to-end specs, run twice:
 * - `browser`: the renderer in Debian's Chromium (playwright-core driving /usr/bin/chromium,
 *   or CHROMIUM_PATH) against `kvs serve` and a real Kafka broker. Runs everywhere.
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
    { name: 'electron', metadata: { transport: 'electron' } },
  ],
});
