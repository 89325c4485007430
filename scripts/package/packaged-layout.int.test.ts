// Builds the Linux unpacked app with electron-builder (stand-in Electron, nothing downloaded) and
// checks every packaging rule of electron-builder.yml. Needs out/ (`npm run build`; `npm test`
// builds before vitest). Measured here: the electron-builder run takes about 6 s on a 2-core
// machine; the budget below is well under the suite's patience.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPackagedLayout,
  DEV_ONLY,
  EXCLUDED_ON_PURPOSE,
  FACT_IDS,
  packagesIn,
  type FactId,
  type PackagedLayout,
} from './packaged-layout.js';

const BUILD_BUDGET_MS = 60_000;

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

  it(`builds within ${BUILD_BUDGET_MS / 1000} s`, () => {
    expect(layout.buildMs).toBeGreaterThan(0);
    expect(layout.buildMs).toBeLessThan(BUILD_BUDGET_MS);
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
