/**
 * One fixture, three ways to run the app:
 * - browser: `kvs serve` (in this process, the real app services over the real broker) and Debian's
 *   Chromium driven by playwright-core;
 * - electron-standin: the desktop app's Electron code path without Electron — the BUILT main
 *   bundle in a Node process with a stand-in `electron` module, the BUILT preload under the
 *   sandbox's rules, and the real page in Chromium bound to what that preload exposed
 *   (scripts/test-support/electron-standin/). A stand-in, not Electron;
 * - electron: the desktop app via `_electron.launch` (the project folder, so `app.name` is the
 *   product's), where the Electron binary is installed.
 * Each gets a fresh user-data folder. Specs use `app.page` and `app.pickVideo(file)` and never
 * care which one runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base, _electron, type ElectronApplication, type Page } from '@playwright/test';
import { startServer } from '../electron/browser/browser-server.js';
import { electronBinary } from '../scripts/electron-binary.js';
import { launchChromium } from '../scripts/test-support/chromium.js';
import { StandinApp } from '../scripts/test-support/electron-standin/standin-app.js';

export interface AppUnderTest {
  readonly page: Page;
  readonly transport: 'browser' | 'electron';
  /** Which way the app runs (the project's name). */
  readonly runner: 'browser' | 'electron' | 'electron-standin';
  pickVideo(file: string): Promise<void>;
  /** The setup wizard's "upload a .tgz": the native dialog (Electron) or the file input (browser). */
  pickTarball(file: string): Promise<void>;
  /** The Electron main process (electron project only), for checks that need it (security.spec.ts). */
  readonly electronApp?: ElectronApplication;
  /** The stand-in main process (electron-standin project only). */
  readonly standin?: StandinApp;
  /** The app's per-user folder (fresh for each test). */
  readonly userDataDir: string;
}

const root = path.resolve(import.meta.dirname, '..');

export const test = base.extend<{
  app: AppUnderTest;
  keyring: string | null;
  camera: 'allow' | 'deny' | null;
}>({
  /**
   * electron-standin only: the stand-in's safeStorage backend (null: 'basic_text', no keyring;
   * e.g. 'gnome_libsecret': a desktop with a keyring, so secrets can be remembered).
   */
  keyring: [null, { option: true }],
  /**
   * Chromium's fake camera, its prompt allowed or denied (e2e/camera.spec.ts); null: no camera
   * flags (every other spec).
   */
  camera: [null, { option: true }],
  app: async ({ keyring, camera }, use, testInfo) => {
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-user-'));
    try {
      if (testInfo.project.name === 'electron') {
        const bin = electronBinary();
        if ('missing' in bin) {
          testInfo.skip(
            true,
            `Electron run skipped: ${bin.missing}. The same specs ran in Chromium against kvs serve.`,
          );
          return;
        }
        const electronApp = await _electron.launch({
          executablePath: bin.path,
          // the project folder, as `electron .`: app.name comes from package.json's productName
          args: [root],
          env: { ...process.env, KVS_USER_DATA_DIR: userDataDir },
        });
        try {
          const page = await electronApp.firstWindow();
          await use({
            page,
            transport: 'electron',
            runner: 'electron',
            userDataDir,
            electronApp,
            async pickVideo(file) {
              await electronApp.evaluate(({ dialog }, chosen) => {
                dialog.showOpenDialog = () =>
                  Promise.resolve({ canceled: false, filePaths: [chosen] });
              }, file);
              await page.getByTestId('produce-choose-button').click();
            },
            async pickTarball(file) {
              await electronApp.evaluate(({ dialog }, chosen) => {
                dialog.showOpenDialog = () =>
                  Promise.resolve({ canceled: false, filePaths: [chosen] });
              }, file);
              await page.getByTestId('setup-tarball-choose').click();
            },
          });
        } finally {
          await electronApp.close();
        }
        return;
      }

      if (testInfo.project.name === 'electron-standin') {
        // Electron loads the page from file://; its module scripts need what Electron's file:// allows
        const browser = await launchChromium({ fileAccess: true, camera });
        try {
          const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
          page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
          const standin = await StandinApp.start({
            page,
            env: {
              KVS_USER_DATA_DIR: userDataDir,
              ...(keyring !== null ? { KVS_STANDIN_SAFE_STORAGE_BACKEND: keyring } : {}),
            },
          });
          try {
            const preloadError = standin.loads[0]?.preloadError;
            if (preloadError)
              throw new Error(`the built preload did not load in the sandbox: ${preloadError}`);
            await use({
              page,
              transport: 'electron',
              runner: 'electron-standin',
              userDataDir,
              standin,
              async pickVideo(file) {
                await standin.answerNextDialog(file);
                await page.getByTestId('produce-choose-button').click();
              },
              async pickTarball(file) {
                await standin.answerNextDialog(file);
                await page.getByTestId('setup-tarball-choose').click();
              },
            });
          } finally {
            await standin.close();
          }
        } finally {
          await browser.close();
        }
        return;
      }

      const server = await startServer({
        host: '127.0.0.1',
        port: 0,
        staticDir: path.join(root, 'out/renderer'),
        userDataDir,
      });
      const browser = await launchChromium({ camera });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
        await page.goto(server.url);
        await use({
          page,
          transport: 'browser',
          runner: 'browser',
          userDataDir,
          async pickVideo(file) {
            await page.getByTestId('produce-file-input').setInputFiles(file);
          },
          async pickTarball(file) {
            await page.getByTestId('setup-tarball-file').setInputFiles(file);
          },
        });
      } finally {
        await browser.close();
        await server.close();
      }
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  },
});

export { expect } from '@playwright/test';
