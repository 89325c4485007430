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
 *
 * This file builds and puts the report together; the parts: stand-in-build.ts (the build),
 * asar-contents.ts and production-closure.ts (what is in app.asar, what should be),
 * layout-rules.ts (the facts), asar-facts.ts and resource-facts.ts (the checks).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listAsar } from './asar-contents.js';
import { checkAsarFacts } from './asar-facts.js';
import { APP_FILES, type FactId, type LayoutFact } from './layout-rules.js';
import { checkResourceFacts } from './resource-facts.js';
import { buildWithStandInElectron } from './stand-in-build.js';

export { listAsar, packagesIn } from './asar-contents.js';
export {
  DEV_ONLY,
  EXCLUDED_ON_PURPOSE,
  FACT_IDS,
  type FactId,
  type LayoutFact,
} from './layout-rules.js';
export { productionClosure } from './production-closure.js';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

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
  let asarModules: string[] = [];
  let expectedModules: string[] = [];
  let log = '';
  let buildMs = 0;
  try {
    const builder = await buildWithStandInElectron(root, outputDir, progress);
    buildMs = builder.buildMs;
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

    const inspection = { root, resourcesDir, asarPath, entries, byPath, files, fact, progress };
    ({ asarModules, expectedModules } = await checkAsarFacts(inspection));
    await checkResourceFacts(inspection);
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
