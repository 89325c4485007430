// Builds the Linux unpacked app with electron-builder (stand-in Electron, nothing downloaded),
// checks every packaging rule of electron-builder.yml, then starts the packaged main bundle from
// the unpacked app with the stand-in `electron` module (app.isPackaged, process.resourcesPath,
// its node_modules only those in the asar) and the real page in Chromium. Needs out/
// (`npm run build`; `npm test` builds before vitest). The electron-builder run took about 6 s
// on a 2-core machine (printed; speed is not asserted here).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../test-support/chromium.js';
import { StandinApp } from '../test-support/electron-standin/standin-app.js';
import { asarAsFolder } from './asar-as-folder.js';
import {
  checkPackagedLayout,
  DEV_ONLY,
  EXCLUDED_ON_PURPOSE,
  FACT_IDS,
  packagesIn,
  type FactId,
  type PackagedLayout,
} from './packaged-layout.js';

let layout: PackagedLayout;
const fact = (id: FactId) => {
  const found = layout.facts.find((f) => f.id === id);
  if (found === undefined) throw new Error(`no fact ${id}`);
  return found;
};

beforeAll(async () => {
  // keep: the test looks at the folder itself too, then removes it.
  layout = await checkPackagedLayout({ keep: true });
  console.log(
    `packaged layout: electron-builder --linux dir took ${(layout.buildMs / 1000).toFixed(1)} s`,
  );
}, 180_000);

afterAll(async () => {
  if (layout !== undefined) await rm(layout.outputDir, { recursive: true, force: true });
});

describe('packaged layout (electron-builder --linux dir, stand-in Electron)', () => {
  it('reports every check and no problems', () => {
    expect(layout.facts.map((f) => f.id)).toEqual([...FACT_IDS]);
    expect(layout.problems).toEqual([]);
  });

  it.each(FACT_IDS)('%s', (id) => {
    const f = fact(id);
    expect(f.ok, `${f.rule}: ${f.detail}`).toBe(true);
  });

  it('returns the unpacked app for callers (appOutDir, resourcesDir)', () => {
    expect(layout.appOutDir).toBe(path.join(layout.outputDir, 'linux-unpacked'));
    expect(layout.resourcesDir).toBe(path.join(layout.appOutDir, 'resources'));
    expect(existsSync(path.join(layout.resourcesDir, 'app.asar'))).toBe(true);
    expect(existsSync(path.join(layout.resourcesDir, 'icon.png'))).toBe(true);
    expect(existsSync(path.join(layout.appOutDir, 'kafka-video-studio'))).toBe(true);
  });

  it('node_modules: the runtime packages, none of the dev-only or build-only ones', () => {
    const names = layout.asarModules.map((m) => m.slice(0, m.lastIndexOf('@')));
    for (const runtime of [
      'kafkajs',
      'ssh2',
      'zod',
      'fluent-ffmpeg',
      '@ffprobe-installer/ffprobe',
    ]) {
      expect(names).toContain(runtime);
    }
    for (const dev of [...DEV_ONLY, ...EXCLUDED_ON_PURPOSE]) expect(names).not.toContain(dev);
    expect(layout.asarModules).toEqual(layout.expectedModules);
  });

  it('ffmpeg-static: unpacked when installed, and the report says when it is not', () => {
    const installed = (() => {
      try {
        createRequire(import.meta.url).resolve('ffmpeg-static/package.json');
        return true;
      } catch {
        return false;
      }
    })();
    const detail = fact('ffmpeg-static-unpacked').detail;
    if (installed) expect(detail).toContain('unpacked:');
    else expect(detail).toContain('not installed on this machine');
  });
});

describe('packagesIn', () => {
  it('finds top-level, scoped and nested packages, not sub-folders with a package.json', () => {
    expect(
      packagesIn([
        'node_modules/ssh2/package.json',
        'node_modules/ssh2/lib/index.js',
        'node_modules/@ffprobe-installer/ffprobe/package.json',
        'node_modules/zod/v4/package.json',
        'node_modules/fluent-ffmpeg/node_modules/which/package.json',
        'node_modules/a/node_modules/@s/b/package.json',
        'out/main/package.json',
        'package.json',
      ]),
    ).toEqual([
      '@ffprobe-installer/ffprobe',
      'a/node_modules/@s/b',
      'fluent-ffmpeg/node_modules/which',
      'ssh2',
    ]);
  });
});

describe('the packaged app starts (its own main bundle and preload, stand-in electron)', () => {
  let browser: Browser;
  let app: StandinApp | null = null;
  let resources = '';

  beforeAll(async () => {
    resources = await asarAsFolder(layout.resourcesDir);
    browser = await launchChromium({ fileAccess: true });
    const page = await browser.newPage();
    app = await StandinApp.start({
      page,
      mainFile: path.join(resources, 'app.asar/out/main/index.js'),
      appPath: path.join(resources, 'app.asar'),
      packaged: true,
      resourcesPath: resources,
      // a packaged app must not let an environment variable pick the page it trusts
      env: {
        ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/',
        KVS_USER_DATA_DIR: path.join(resources, '..', 'user-data'),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await browser?.close();
    if (resources) await rm(path.dirname(resources), { recursive: true, force: true });
  });

  it('loads its preload under the sandbox rules and its own page, not the one ELECTRON_RENDERER_URL names', async () => {
    expect(app?.loads[0]?.preloadError).toBeNull();
    expect(app?.loads[0]?.url).toBe(
      `file://${path.join(resources, 'app.asar/out/renderer/index.html')}`,
    );
    const info = await app?.query<{ name: string; isPackaged: boolean }>({ q: 'app' });
    expect(info).toMatchObject({ name: 'Kafka Video Studio', isPackaged: true });
  });

  it('has a menu without Reload, Force Reload or Toggle Developer Tools', async () => {
    const menu = JSON.stringify(await app?.query({ q: 'menu' }));
    expect(menu).toContain('editMenu');
    for (const role of ['reload', 'forceReload', 'toggleDevTools', 'viewMenu'])
      expect(menu).not.toContain(`"${role}"`);
  });

  it('takes its window icon from the resources folder', async () => {
    const [win] = (await app?.query<Array<{ options: { icon: string } }>>({ q: 'windows' })) ?? [];
    expect(win?.options.icon).toBe(path.join(resources, 'icon.png'));
    expect(existsSync(win?.options.icon ?? '')).toBe(true);
  });

  it('answers a call with only the packaged node_modules', async () => {
    const reply = await app?.page.evaluate(() =>
      (
        window as unknown as {
          kvsElectron: { calls: Record<string, (a: unknown) => Promise<unknown>> };
        }
      ).kvsElectron.calls['connection:status']!({}),
    );
    expect(reply).toMatchObject({ ok: true, result: { state: 'disconnected' } });
  });
});
