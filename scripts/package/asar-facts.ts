// The facts about app.asar's content: top level, app files, package.json, node_modules = the
// production closure, no dev packages, no tests or sourcemaps, no native builds.
import { extractFile } from '@electron/asar';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { nameAtVersion, packagesIn } from './asar-contents.js';
import { APP_FILES, DEV_ONLY, EXCLUDED_ON_PURPOSE, type LayoutInspection } from './layout-rules.js';
import { productionClosure } from './production-closure.js';

/** Records the asar facts; resolves with the packages found in app.asar and those expected. */
export async function checkAsarFacts(
  x: LayoutInspection,
): Promise<{ asarModules: string[]; expectedModules: string[] }> {
  const { root, resourcesDir, asarPath, entries, byPath, files, fact } = x;
  const topLevel = entries.filter((e) => !e.path.includes('/')).map((e) => e.path);
  const extraTop = topLevel.filter((p) => !['out', 'node_modules', 'package.json'].includes(p));
  fact(
    'asar-top-level',
    'app.asar holds only out/, node_modules/ and package.json',
    extraTop.length === 0,
    extraTop.length === 0 ? topLevel.sort().join(', ') : `also: ${extraTop.join(', ')}`,
  );

  const assets = files.filter((e) => e.path.startsWith('out/renderer/assets/'));
  const missingApp = APP_FILES.filter((f) => byPath.get(f)?.kind !== 'file');
  const hasJs = assets.some((e) => e.path.endsWith('.js'));
  const hasCss = assets.some((e) => e.path.endsWith('.css'));
  fact(
    'asar-app-files',
    'app.asar has out/main/index.js, out/preload/index.cjs, out/renderer/index.html + assets, package.json',
    missingApp.length === 0 && hasJs && hasCss,
    missingApp.length === 0 && hasJs && hasCss
      ? `${APP_FILES.join(', ')}, ${assets.length} renderer assets`
      : `missing: ${[...missingApp, ...(hasJs ? [] : ['a renderer .js']), ...(hasCss ? [] : ['a renderer .css'])].join(', ')}`,
  );

  const manifest = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8')) as {
    main?: unknown;
    dependencies?: Record<string, string>;
  };
  const sourceManifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    main?: unknown;
  };
  fact(
    'asar-package-json',
    'package.json in app.asar starts out/main/index.js',
    manifest.main === sourceManifest.main && byPath.has(String(manifest.main)),
    `main: ${String(manifest.main)}`,
  );

  // Compared as name@version: electron-builder hoists nested copies (npm's
  // fluent-ffmpeg/node_modules/which lands as node_modules/which when nothing else needs one).
  const asarModules = packagesIn(files.map((e) => e.path))
    .map((p) => nameAtVersion(extractFile(asarPath, `node_modules/${p}/package.json`)))
    .sort();
  const closure = await productionClosure(root);
  const expectedModules = [
    ...new Set(
      await Promise.all(
        closure.map(async (p) =>
          nameAtVersion(await readFile(path.join(root, 'node_modules', p, 'package.json'))),
        ),
      ),
    ),
  ]
    .filter((m) => !EXCLUDED_ON_PURPOSE.includes(m.slice(0, m.lastIndexOf('@'))))
    .sort();
  const missingMods = expectedModules.filter((m) => !asarModules.includes(m));
  const extraMods = asarModules.filter((m) => !expectedModules.includes(m));
  const duplicates = asarModules.filter((m, i) => asarModules.indexOf(m) !== i);
  fact(
    'asar-node-modules',
    `node_modules in app.asar = the production closure (npm ls --omit=dev) minus ${EXCLUDED_ON_PURPOSE.join(', ')}`,
    missingMods.length + extraMods.length + duplicates.length === 0,
    missingMods.length + extraMods.length + duplicates.length === 0
      ? `${asarModules.length} packages: ${asarModules.join(', ')}`
      : [
          missingMods.length > 0 ? `missing: ${missingMods.join(', ')}` : '',
          extraMods.length > 0 ? `not in the closure: ${extraMods.join(', ')}` : '',
          duplicates.length > 0 ? `twice: ${duplicates.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
  );

  const devFound = asarModules.filter((m) => {
    const name = m.slice(0, m.lastIndexOf('@'));
    return DEV_ONLY.includes(name) || name.startsWith('@esbuild/');
  });
  fact(
    'asar-no-dev-packages',
    `no ${DEV_ONLY.join(', ')} in app.asar`,
    devFound.length === 0,
    devFound.length === 0 ? 'none' : `found: ${devFound.join(', ')}`,
  );

  const testsOrMaps = files
    .map((e) => e.path)
    .filter(
      // ours only: a package's own files are its business — kafkajs loads
      // src/retry/defaults.test.js when NODE_ENV=test, and an app without it then crashes
      (p) =>
        /^out\/.*\.(test|int\.test)\.[cm]?[jt]sx?$/.test(p) ||
        p.endsWith('.map') ||
        /^node_modules\/(.*\/)?coverage\//.test(p),
    );
  const tsInOut = files.map((e) => e.path).filter((p) => /^out\/.*\.tsx?$/.test(p));
  fact(
    'asar-no-tests-or-sourcemaps',
    'no test files or TypeScript sources of ours, no sourcemaps or coverage reports in app.asar',
    testsOrMaps.length + tsInOut.length === 0,
    testsOrMaps.length + tsInOut.length === 0
      ? 'none'
      : `found: ${[...testsOrMaps, ...tsInOut].slice(0, 10).join(', ')}`,
  );

  const native = entries
    .map((e) => e.path)
    .filter(
      (p) =>
        p.endsWith('.node') ||
        /(^|\/)node_modules\/cpu-features(\/|$)/.test(p) ||
        p.startsWith('node_modules/ssh2/lib/protocol/crypto/build'),
    );
  const unpackedNative = existsSync(path.join(resourcesDir, 'app.asar.unpacked'))
    ? (await listFiles(path.join(resourcesDir, 'app.asar.unpacked'))).filter(
        (p) => p.endsWith('.node') || p.includes('cpu-features') || p.includes('crypto/build'),
      )
    : [];
  fact(
    'no-native-builds',
    'no native addon (*.node), no cpu-features, no ssh2 crypto/build',
    native.length + unpackedNative.length === 0,
    native.length + unpackedNative.length === 0
      ? 'none (ssh2 uses its JavaScript ciphers)'
      : `found: ${[...native, ...unpackedNative].slice(0, 10).join(', ')}`,
  );
  return { asarModules, expectedModules };
}

/** Every file under `dir`, relative and '/'-separated. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}
