/**
 * Builds the packaged app's Linux folder (`electron-builder --linux dir`) without the Electron
 * binary, and checks what is in it.
 *
 * The Electron binary cannot be downloaded here, so electron-builder gets a stand-in unpacked
 * Electron (`electronDist`: a folder holding an `electron` shell script and an empty `resources/`
 * — for a folder without `electron-v<version>-linux-<arch>.zip` inside, app-builder-lib's
 * ElectronFramework.js `unpack()` copies the folder as it is, and LinuxPackager renames
 * `electron` to the app's executable) and `electronVersion` from node_modules/electron, so nothing
 * is downloaded. Everything else is the real thing: the real CLI (`node
 * node_modules/electron-builder/cli.js`, as `npx electron-builder` runs it), the real
 * electron-builder.yml, the real afterPack hook, the real asar. The output goes to a temporary
 * folder, never to release/.
 *
 * The checks are the packaging rules of electron-builder.yml: the app files and package.json in
 * app.asar, node_modules = the production dependency closure (minus ssh2's build-only natives),
 * no dev packages, tests, sourcemaps or native builds, ffmpeg/ffprobe unpacked as real
 * executable files, the window icon beside app.asar.
 */
import { extractFile, getRawHeader } from '@electron/asar';
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { unpackAsarPath, verifyBinary } from '../../electron/core/ffmpeg/locate-ffmpeg.js';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** Production packages electron-builder.yml leaves out on purpose (ssh2 falls back to JS). */
export const EXCLUDED_ON_PURPOSE: readonly string[] = ['cpu-features', 'buildcheck', 'nan'];
/** Must never be in the app: build tools, the renderer's bundled libraries, the CLI's server. */
export const DEV_ONLY: readonly string[] = [
  'tsx',
  'esbuild',
  'react',
  'react-dom',
  'ws',
  'electron',
  'vite',
  'electron-vite',
  'playwright',
  '@playwright/test',
  'typescript',
  'vitest',
  'electron-builder',
];
/** Files the app cannot start without (electron-vite's output) and the manifest. */
const APP_FILES = [
  'package.json',
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];

/** Every check, in report order. */
export const FACT_IDS = [
  'build',
  'executable',
  'asar-top-level',
  'asar-app-files',
  'asar-package-json',
  'asar-node-modules',
  'asar-no-dev-packages',
  'asar-no-tests-or-sourcemaps',
  'no-native-builds',
  'ffmpeg-static-unpacked',
  'ffprobe-unpacked',
  'icon',
] as const;
export type FactId = (typeof FACT_IDS)[number];

export interface LayoutFact {
  readonly id: FactId;
  /** What the packaged app must be like, one line. */
  readonly rule: string;
  readonly ok: boolean;
  /** What was found; on failure, what is wrong. */
  readonly detail: string;
}

export interface PackagedLayout {
  /** The temporary folder electron-builder wrote to (removed unless `keep`). */
  readonly outputDir: string;
  /** The unpacked app: `<outputDir>/linux-unpacked`. */
  readonly appOutDir: string;
  /** `<appOutDir>/resources`: app.asar, app.asar.unpacked/, icon.png. */
  readonly resourcesDir: string;
  /** Wall time of the electron-builder run. */
  readonly buildMs: number;
  readonly facts: readonly LayoutFact[];
  /** The failed facts, as `rule: detail` lines. Empty when the layout is right. */
  readonly problems: readonly string[];
  /** Packages under node_modules/ in app.asar, as `name@version`. */
  readonly asarModules: readonly string[];
  /** What they must be: the production closure minus {@link EXCLUDED_ON_PURPOSE}. */
  readonly expectedModules: readonly string[];
  /** electron-builder's own output (for a failed build). */
  readonly log: string;
}

export interface PackagedLayoutOptions {
  /** The project to package. Default: this checkout. */
  readonly projectRoot?: string;
  /** Keep the output folder (the caller removes `outputDir`). Default false. */
  readonly keep?: boolean;
  /** Progress lines. */
  readonly onProgress?: (line: string) => void;
}

interface AsarEntry {
  readonly path: string; // relative, '/'-separated
  readonly kind: 'file' | 'dir' | 'link';
  readonly unpacked: boolean;
  readonly size: number;
}

type HeaderNode = {
  files?: Record<string, HeaderNode>;
  link?: string;
  size?: number;
  unpacked?: boolean;
};

/** Every entry of an asar archive, from its header (no file data is read). */
export function listAsar(asarPath: string): AsarEntry[] {
  const entries: AsarEntry[] = [];
  const walk = (node: HeaderNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const p = prefix === '' ? name : `${prefix}/${name}`;
      if (child.files !== undefined) {
        entries.push({ path: p, kind: 'dir', unpacked: child.unpacked === true, size: 0 });
        walk(child, p);
      } else {
        entries.push({
          path: p,
          kind: child.link !== undefined ? 'link' : 'file',
          unpacked: child.unpacked === true,
          size: Number(child.size ?? 0),
        });
      }
    }
  };
  walk(getRawHeader(asarPath).header as HeaderNode, '');
  return entries;
}

function nameAtVersion(packageJson: Buffer): string {
  const pkg = JSON.parse(packageJson.toString('utf8')) as { name?: unknown; version?: unknown };
  return `${String(pkg.name)}@${String(pkg.version)}`;
}

/** Install paths of the packages in a node_modules tree: `x`, `@s/x`, `x/node_modules/y`. */
export function packagesIn(paths: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    const m =
      /^node_modules\/((?:.*\/node_modules\/)?(?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(p);
    if (m?.[1] !== undefined) found.add(m[1]);
  }
  return [...found].sort();
}

function run(
  file: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { cwd, env, maxBuffer: 64 << 20, windowsHide: true },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * The production dependency closure as npm installed it: `npm ls --omit=dev --all --parseable`,
 * as install paths relative to node_modules/ (what electron-builder copies into the asar).
 */
export async function productionClosure(root: string): Promise<string[]> {
  // npm_execpath is npm's JS entry when this runs under `npm run` / `npm test`: run it with this
  // Node (no shell needed, also on Windows). Otherwise the `npm` on PATH.
  const npmCli = process.env['npm_execpath'];
  const args = ['ls', '--omit=dev', '--all', '--parseable'];
  const { out } =
    npmCli !== undefined && /npm-cli\.js$/.test(npmCli)
      ? await run(process.execPath, [npmCli, ...args], root)
      : await run('npm', args, root);
  // npm ls exits 1 on UNMET OPTIONAL dependencies (other platforms' binaries); the list is fine.
  const modules = path.join(realpathSync(root), 'node_modules') + path.sep;
  return out
    .split(/\r?\n/)
    .filter((line) => line.startsWith(modules))
    .map((line) => line.slice(modules.length).split(path.sep).join('/'))
    .sort();
}

/** A folder shaped like an unpacked Linux Electron: `electron` (a script that says so), resources/. */
async function makeStandInElectron(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'resources'), { recursive: true });
  await writeFile(
    path.join(dir, 'electron'),
    '#!/bin/sh\necho "stand-in Electron from scripts/package: there is no real Electron binary here" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  await writeFile(path.join(dir, 'LICENSE'), 'Stand-in for Electron’s LICENSE file.\n');
}

function electronVersion(root: string): string {
  const req = createRequire(path.join(root, 'package.json'));
  const pkg: unknown = req('electron/package.json');
  const version = (pkg as { version?: unknown }).version;
  if (typeof version !== 'string')
    throw new Error('node_modules/electron/package.json has no version');
  return version;
}

const mode = (m: number): string => (m & 0o777).toString(8).padStart(4, '0');

/** Build the Linux `--dir` app against a stand-in Electron and check its layout. */
export async function checkPackagedLayout(
  options: PackagedLayoutOptions = {},
): Promise<PackagedLayout> {
  const root = options.projectRoot ?? projectRoot;
  const progress = options.onProgress ?? ((): void => {});
  const facts: LayoutFact[] = [];
  const fact = (id: FactId, rule: string, ok: boolean, detail: string): void => {
    facts.push({ id, rule, ok, detail });
  };

  const missingOut = APP_FILES.filter(
    (f) => f.startsWith('out/') && !existsSync(path.join(root, f)),
  );
  if (missingOut.length > 0) {
    throw new Error(`${missingOut.join(', ')} missing: run \`npm run build\` first`);
  }

  const outputDir = await mkdtemp(path.join(os.tmpdir(), 'kvs-package-'));
  const appOutDir = path.join(outputDir, 'linux-unpacked');
  const resourcesDir = path.join(appOutDir, 'resources');
  const standIn = path.join(outputDir, 'stand-in-electron');
  let asarModules: string[] = [];
  let expectedModules: string[] = [];
  let log = '';
  let buildMs = 0;
  try {
    await makeStandInElectron(standIn);
    const version = electronVersion(root);
    progress(`electron-builder --linux dir (stand-in Electron ${version}) → ${outputDir}`);
    const started = performance.now();
    const builder = await run(
      process.execPath,
      [
        path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        'dir',
        '--publish',
        'never',
        `-c.electronDist=${standIn}`,
        `-c.electronVersion=${version}`,
        `-c.directories.output=${outputDir}`,
      ],
      root,
      // No code signing, no update checks; the project's own env otherwise.
      { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    );
    buildMs = Math.round(performance.now() - started);
    log = builder.out;
    const asarPath = path.join(resourcesDir, 'app.asar');
    const built = builder.code === 0 && existsSync(asarPath);
    fact(
      'build',
      'electron-builder --linux dir builds with the stand-in Electron (nothing downloaded)',
      built,
      built
        ? `built in ${(buildMs / 1000).toFixed(1)} s`
        : `exit code ${builder.code}; last lines:\n${log.trim().split('\n').slice(-15).join('\n')}`,
    );
    if (!built) return finish();

    // The executable: the stand-in, renamed by electron-builder.
    const exe = path.join(appOutDir, 'kafka-video-studio');
    fact(
      'executable',
      'the app executable is linux-unpacked/kafka-video-studio',
      existsSync(exe),
      existsSync(exe) ? exe : `missing: ${exe}`,
    );

    const entries = listAsar(asarPath);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    const files = entries.filter((e) => e.kind !== 'dir');

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
    asarModules = packagesIn(files.map((e) => e.path))
      .map((p) => nameAtVersion(extractFile(asarPath, `node_modules/${p}/package.json`)))
      .sort();
    const closure = await productionClosure(root);
    expectedModules = [
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

    // ffmpeg-static: unpacked folder; its binary only where its install script could download it.
    const staticSrc = path.join(root, 'node_modules', 'ffmpeg-static');
    if (!existsSync(path.join(staticSrc, 'package.json'))) {
      fact(
        'ffmpeg-static-unpacked',
        'node_modules/ffmpeg-static is unpacked to app.asar.unpacked (asarUnpack)',
        true,
        'ffmpeg-static is not installed on this machine (npm drops the optional package when its ' +
          'install script cannot download the binary), so there is nothing to unpack here; ' +
          'the packaged app finds ffmpeg on PATH',
      );
    } else {
      const folder = path.join(resourcesDir, 'app.asar.unpacked', 'node_modules', 'ffmpeg-static');
      const inAsar = files.filter((e) => e.path.startsWith('node_modules/ffmpeg-static/'));
      const packed = inAsar.filter((e) => !e.unpacked).map((e) => e.path);
      const binaryName = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
      const binary = await realFile(path.join(folder, binaryName));
      const binaryHere = existsSync(path.join(staticSrc, binaryName));
      const ok =
        existsSync(path.join(folder, 'package.json')) &&
        packed.length === 0 &&
        (!binaryHere || (binary.ok && binary.mode === '0755'));
      fact(
        'ffmpeg-static-unpacked',
        'node_modules/ffmpeg-static is unpacked to app.asar.unpacked (asarUnpack)',
        ok,
        [
          existsSync(path.join(folder, 'package.json')) ? `unpacked: ${folder}` : `no ${folder}`,
          packed.length > 0 ? `still packed: ${packed.join(', ')}` : '',
          binaryHere
            ? `binary: ${binary.detail}`
            : 'its ffmpeg binary itself is missing on this machine (ffmpeg-static downloads it at install, which cannot be done here)',
        ]
          .filter(Boolean)
          .join('; '),
      );
    }

    // ffprobe: the binary @ffprobe-installer/ffprobe points at, unpacked, executable, working.
    let probeRel: string | undefined;
    try {
      const req = createRequire(path.join(root, 'package.json'));
      const exported = req('@ffprobe-installer/ffprobe') as { path?: unknown };
      if (typeof exported.path === 'string') {
        probeRel = path.relative(root, exported.path).split(path.sep).join('/');
      }
    } catch (e) {
      probeRel = undefined;
      progress(`@ffprobe-installer/ffprobe is not usable here: ${String(e)}`);
    }
    if (probeRel === undefined) {
      fact(
        'ffprobe-unpacked',
        'the ffprobe binary of @ffprobe-installer/ffprobe is unpacked, a real executable file',
        false,
        '@ffprobe-installer/ffprobe (or its package for this platform) is not installed: run npm ci',
      );
    } else {
      const inAsar = byPath.get(probeRel);
      // What the packaged app computes: the path the package exports (inside app.asar), unpacked.
      const unpacked = unpackAsarPath(path.join(resourcesDir, 'app.asar', probeRel));
      const binary = await realFile(unpacked);
      const source = await lstat(path.join(root, probeRel));
      const works = binary.ok && (await verifyBinary(unpacked, 'ffprobe'));
      const ok =
        inAsar?.kind === 'file' &&
        inAsar.unpacked &&
        binary.ok &&
        binary.size === source.size &&
        binary.mode === '0755' &&
        works;
      fact(
        'ffprobe-unpacked',
        'the ffprobe binary of @ffprobe-installer/ffprobe is unpacked, a real executable file',
        ok,
        [
          `${probeRel}: ${inAsar === undefined ? 'not in the asar header' : inAsar.unpacked ? 'marked unpacked in app.asar' : 'PACKED inside app.asar'}`,
          binary.detail,
          binary.ok && binary.size !== source.size ? `size ${binary.size} ≠ ${source.size}` : '',
          works ? '`ffprobe -version` runs' : 'does not run as ffprobe',
        ]
          .filter(Boolean)
          .join('; '),
      );
    }

    const icon = path.join(resourcesDir, 'icon.png');
    const iconOk =
      existsSync(icon) &&
      (await readFile(icon)).equals(await readFile(path.join(root, 'resources', 'icon.png')));
    const iconInAsar = entries.some(
      (e) => e.path === 'icon.png' || e.path.startsWith('resources/'),
    );
    fact(
      'icon',
      'resources/icon.png ships as <resources>/icon.png (extraResources), not in app.asar',
      iconOk && !iconInAsar,
      [
        iconOk ? icon : `missing or different: ${icon}`,
        iconInAsar ? 'resources/ (or icon.png) is also inside app.asar' : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
    return finish();
  } catch (e) {
    if (!options.keep) await rm(outputDir, { recursive: true, force: true });
    throw e;
  }

  async function finish(): Promise<PackagedLayout> {
    if (!options.keep) await rm(outputDir, { recursive: true, force: true });
    return {
      outputDir,
      appOutDir,
      resourcesDir,
      buildMs,
      facts,
      problems: facts.filter((f) => !f.ok).map((f) => `${f.rule}: ${f.detail}`),
      asarModules,
      expectedModules,
      log,
    };
  }
}

/** A real (not symlinked) file: its size and mode. */
async function realFile(
  file: string,
): Promise<{ ok: boolean; size: number; mode: string; detail: string }> {
  try {
    const st = await lstat(file);
    if (!st.isFile()) return { ok: false, size: 0, mode: '', detail: `${file} is not a real file` };
    return {
      ok: true,
      size: st.size,
      mode: mode(st.mode),
      detail: `${file} (${(st.size / 1e6).toFixed(1)} MB, mode ${mode(st.mode)})`,
    };
  } catch {
    return { ok: false, size: 0, mode: '', detail: `${file} is missing` };
  }
}

/** Every file under `dir`, relative and '/'-separated. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** The report `npm run package:check` prints. */
export function formatReport(result: PackagedLayout): string {
  const lines = result.facts.map(
    (f) => `${f.ok ? '✓' : '✗'} ${f.rule}\n    ${f.detail.split('\n').join('\n    ')}`,
  );
  lines.push(
    '',
    result.problems.length === 0
      ? `Packaged layout OK (${result.facts.length} checks; electron-builder took ${(result.buildMs / 1000).toFixed(1)} s).`
      : `${result.problems.length} problem(s) in the packaged layout.`,
  );
  return lines.join('\n');
}
