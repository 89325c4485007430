/**
 * Find a working ffmpeg and a working ffprobe.
 *
 * Each tool is looked for in this order (first hit wins):
 *   1. Its environment variable, `FFMPEG_PATH` / `FFPROBE_PATH` ("env").
 *   2. The optional npm packages: ffmpeg from `ffmpeg-static` ("ffmpeg-static"), ffprobe from
 *      `@ffprobe-installer/ffprobe` ("ffprobe-package"). ffmpeg-static ships no ffprobe, so the
 *      second package exists for it: per-platform optional packages, so `npm ci` fetches only this
 *      platform's binary (ARCHITECTURE.md, "Packaging"). Before the package, ffprobe is looked for
 *      next to an ffmpeg that came from FFMPEG_PATH or ffmpeg-static ("beside-ffmpeg"): a folder
 *      that holds both is one install, and its two tools belong together.
 *   3. PATH ("path"), pure Node: PATH split by the platform's delimiter; on Windows each directory
 *      is tried with the PATHEXT extensions that can be spawned without a shell. On macOS
 *      `/opt/homebrew/bin` and `/usr/local/bin` come after PATH: an app started from Finder gets
 *      `PATH=/usr/bin:/bin:/usr/sbin:/sbin`, which misses Homebrew's ffmpeg.
 *
 * Every candidate is checked by running `<bin> -version` (argv, no shell, with a timeout); the
 * result is cached per process and per path.
 *
 * Decision — a set but broken `FFMPEG_PATH`/`FFPROBE_PATH` is an error, it does NOT fall through:
 * someone who sets the variable means "use this one", and silently running another ffmpeg would
 * hide their mistake. The error (FFMPEG_NOT_FOUND) names the variable and its value.
 *
 * Paths inside an Electron `app.asar` archive cannot be executed; they are rewritten to the
 * `app.asar.unpacked` twin (where electron-builder's asarUnpack puts binaries).
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { KvsError } from '../../shared/errors.js';

/** Where ffmpeg came from. "path" includes the macOS Homebrew folders searched after PATH. */
export type FfmpegSource = 'env' | 'ffmpeg-static' | 'path';
/** Where ffprobe came from. "path" includes the macOS Homebrew folders searched after PATH. */
export type FfprobeSource = 'env' | 'beside-ffmpeg' | 'ffprobe-package' | 'path';

export interface FfmpegPaths {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Where ffmpeg came from. */
  readonly source: FfmpegSource;
  /** Where ffprobe came from (ffmpeg-static ships none, so usually not the same place). */
  readonly ffprobeSource: FfprobeSource;
}

export type EnvLike = Readonly<Record<string, string | undefined>>;

export interface LocateFfmpegDeps {
  /** Environment to read FFMPEG_PATH, FFPROBE_PATH, PATH, PATHEXT from. Default `process.env`. */
  readonly env?: EnvLike;
  /** Default `process.platform`. Decides PATH delimiter, path flavour and `.exe` handling. */
  readonly platform?: NodeJS.Platform;
  /**
   * Loads the ffmpeg-static module and returns its default export (the ffmpeg path or null).
   * Throws (or rejects) when the package is not installed. Default: `createRequire` + require.
   */
  readonly loadFfmpegStatic?: () => unknown;
  /**
   * Loads the `@ffprobe-installer/ffprobe` package and returns its export (`{ path }`). Throws
   * (or rejects) when it is not installed or has no binary for this platform. Default:
   * `createRequire` + require.
   */
  readonly loadFfprobePackage?: () => unknown;
  /** Is this an existing file we may execute? Default: fs.stat + fs.access(X_OK) (isFile on Windows). */
  readonly isExecutableFile?: (file: string) => Promise<boolean>;
  /** Runs `<bin> -version`; resolves true when it is the expected tool. Default: {@link verifyBinary}. */
  readonly verify?: (bin: string, tool: 'ffmpeg' | 'ffprobe') => Promise<boolean>;
}

const VERSION_TIMEOUT_MS = 5_000;
const verifyCache = new Map<string, Promise<boolean>>();

/** Forget cached `-version` results (tests). */
export function clearLocateCache(): void {
  verifyCache.clear();
}

/**
 * Run `<bin> -version` (no shell, 5 s timeout) and check it prints "<tool> version".
 * Cached per process: a binary is spawned at most once per tool.
 */
export function verifyBinary(bin: string, tool: 'ffmpeg' | 'ffprobe'): Promise<boolean> {
  const key = `${tool}\0${bin}`;
  let hit = verifyCache.get(key);
  if (!hit) {
    hit = new Promise<boolean>((resolve) => {
      try {
        execFile(
          bin,
          ['-version'],
          {
            timeout: VERSION_TIMEOUT_MS,
            killSignal: 'SIGKILL',
            windowsHide: true,
            maxBuffer: 1 << 20,
          },
          (err, stdout) => {
            resolve(!err && String(stdout).toLowerCase().includes(`${tool} version`));
          },
        );
      } catch {
        resolve(false);
      }
    });
    verifyCache.set(key, hit);
  }
  return hit;
}

/**
 * Searched after PATH on macOS: Homebrew's prefix on Apple silicon, then on Intel (and other
 * /usr/local installs). An app started from Finder has `PATH=/usr/bin:/bin:/usr/sbin:/sbin`.
 */
export const MACOS_EXTRA_DIRS: readonly string[] = ['/opt/homebrew/bin', '/usr/local/bin'];

/** `…/app.asar/…` → `…/app.asar.unpacked/…` (binaries cannot run from inside an asar archive). */
export function unpackAsarPath(p: string): string {
  return p.replace(/([\\/]app\.asar)(?=[\\/]|$)/g, '$1.unpacked');
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Environment lookup, case-insensitive on Windows (`Path` vs `PATH`). */
function getEnv(env: EnvLike, name: string, platform: NodeJS.Platform): string | undefined {
  const direct = env[name];
  if (direct !== undefined || platform !== 'win32') return direct;
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

async function defaultIsExecutableFile(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Candidate file names for `name` in one directory. On Windows: PATHEXT extensions, but only
 * those that can be spawned without a shell (.EXE, .COM); .BAT/.CMD need cmd.exe and we never
 * use a shell. A name that already has an extension is also tried as it is.
 */
export function executableNames(name: string, env: EnvLike, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [name];
  const pathext = getEnv(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD';
  const exts = pathext
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e === '.exe' || e === '.com');
  if (!exts.includes('.exe')) exts.push('.exe');
  const names = [...new Set(exts)].map((e) => name + e);
  if (path.win32.extname(name) !== '') names.unshift(name);
  return names;
}

/**
 * Every existing executable called `name` on PATH, in PATH order (pure Node, no `which`), then in
 * `extraDirs` (searched after PATH, skipped when PATH already has them).
 */
export async function findOnPath(
  name: string,
  opts: {
    env?: EnvLike;
    platform?: NodeJS.Platform;
    isExecutableFile?: (f: string) => Promise<boolean>;
    extraDirs?: readonly string[];
  } = {},
): Promise<string[]> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const p = pathApi(platform);
  const isExec = opts.isExecutableFile ?? ((f: string) => defaultIsExecutableFile(f, platform));
  const rawPath = getEnv(env, 'PATH', platform) ?? '';
  const dirs = rawPath
    .split(p.delimiter)
    .map((d) => (platform === 'win32' ? d.trim().replace(/^"(.*)"$/, '$1') : d))
    .filter((d) => d !== '' && p.isAbsolute(d)); // relative PATH entries are a hijack risk
  dirs.push(...(opts.extraDirs ?? []));
  const found: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    for (const file of executableNames(name, env, platform)) {
      const full = p.join(dir, file);
      if (await isExec(full)) found.push(full);
    }
  }
  return found;
}

// createRequire keeps both packages optional runtime dependencies: no static import for bundlers
// or tsc to resolve, and a missing package is just a thrown MODULE_NOT_FOUND. In the packaged app
// this resolves inside app.asar; the paths they export are rewritten to app.asar.unpacked below.
function requireOptional(name: string): unknown {
  return createRequire(import.meta.url)(name);
}

function defaultLoadFfmpegStatic(): unknown {
  return requireOptional('ffmpeg-static');
}

function defaultLoadFfprobePackage(): unknown {
  return requireOptional('@ffprobe-installer/ffprobe');
}

function moduleDefault(mod: unknown): unknown {
  if (mod !== null && typeof mod === 'object' && 'default' in mod) {
    return (mod as { default: unknown }).default;
  }
  return mod;
}

/** ffmpeg-static exports the path (or null); @ffprobe-installer/ffprobe exports `{ path }`. */
function exportedPath(mod: unknown): string | undefined {
  const value = moduleDefault(mod);
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (value !== null && typeof value === 'object' && 'path' in value) {
    const p = (value as { path: unknown }).path;
    if (typeof p === 'string' && p !== '') return p;
  }
  return undefined;
}

const HOW_TO =
  'Set FFMPEG_PATH and FFPROBE_PATH to the ffmpeg and ffprobe programs, install the ffmpeg-static ' +
  'and @ffprobe-installer/ffprobe packages (npm install ffmpeg-static @ffprobe-installer/ffprobe), ' +
  'or install ffmpeg and put it on your PATH (ffmpeg and ffprobe must both be there).';

/** Locate ffmpeg and ffprobe; throws KvsError FFMPEG_NOT_FOUND. See the file comment for the order. */
export async function locateFfmpeg(deps: LocateFfmpegDeps = {}): Promise<FfmpegPaths> {
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  const p = pathApi(platform);
  const isExec = deps.isExecutableFile ?? ((f: string) => defaultIsExecutableFile(f, platform));
  const verify = deps.verify ?? verifyBinary;
  const extraDirs = platform === 'darwin' ? MACOS_EXTRA_DIRS : [];
  const works = async (bin: string, tool: 'ffmpeg' | 'ffprobe'): Promise<boolean> =>
    (await isExec(bin)) && (await verify(bin, tool));

  const firstOnPath = async (tool: 'ffmpeg' | 'ffprobe'): Promise<string | undefined> => {
    const candidates = await findOnPath(tool, {
      env,
      platform,
      isExecutableFile: isExec,
      extraDirs,
    });
    for (const candidate of candidates) {
      if (await verify(candidate, tool)) return candidate;
    }
    return undefined;
  };
  const sibling = async (ffmpegPath: string): Promise<string | undefined> => {
    for (const file of executableNames('ffprobe', env, platform)) {
      const candidate = p.join(p.dirname(ffmpegPath), file);
      if (await works(candidate, 'ffprobe')) return candidate;
    }
    return undefined;
  };
  /** The binary an optional package points at, unpacked from app.asar, if it works. */
  const fromPackage = async (
    load: () => unknown,
    tool: 'ffmpeg' | 'ffprobe',
  ): Promise<string | undefined> => {
    try {
      const exported = exportedPath(await load());
      if (exported === undefined) return undefined; // e.g. ffmpeg-static's null: no binary here
      const candidate = unpackAsarPath(exported);
      return (await works(candidate, tool)) ? candidate : undefined;
    } catch {
      return undefined; // not installed, no binary for this platform, or broken
    }
  };

  // 1. Environment variables: a set but broken one is an error (see the file comment).
  const envFfmpeg = getEnv(env, 'FFMPEG_PATH', platform)?.trim() || undefined;
  const envFfprobe = getEnv(env, 'FFPROBE_PATH', platform)?.trim() || undefined;
  const badEnv = (variable: string, value: string, tool: string): KvsError =>
    new KvsError(
      'FFMPEG_NOT_FOUND',
      `${variable} is set to "${value}", but that is not a working ${tool}. ` +
        `Point ${variable} at the ${tool} program, or unset it to use the ${tool} from the npm package or your PATH.`,
    );
  if (envFfprobe !== undefined && !(await works(unpackAsarPath(envFfprobe), 'ffprobe'))) {
    throw badEnv('FFPROBE_PATH', envFfprobe, 'ffprobe');
  }
  let ffmpeg: { path: string; source: FfmpegSource } | undefined;
  if (envFfmpeg !== undefined) {
    const ffmpegPath = unpackAsarPath(envFfmpeg);
    if (!(await works(ffmpegPath, 'ffmpeg'))) throw badEnv('FFMPEG_PATH', envFfmpeg, 'ffmpeg');
    ffmpeg = { path: ffmpegPath, source: 'env' };
  }

  // 2. ffmpeg: ffmpeg-static, then 3. PATH.
  if (ffmpeg === undefined) {
    const staticPath = await fromPackage(
      deps.loadFfmpegStatic ?? defaultLoadFfmpegStatic,
      'ffmpeg',
    );
    if (staticPath !== undefined) ffmpeg = { path: staticPath, source: 'ffmpeg-static' };
  }
  if (ffmpeg === undefined) {
    const pathFfmpeg = await firstOnPath('ffmpeg');
    if (pathFfmpeg !== undefined) ffmpeg = { path: pathFfmpeg, source: 'path' };
  }

  // ffprobe: FFPROBE_PATH, next to an ffmpeg from FFMPEG_PATH/ffmpeg-static, the package, PATH.
  let ffprobe: { path: string; source: FfprobeSource } | undefined;
  if (envFfprobe !== undefined) ffprobe = { path: unpackAsarPath(envFfprobe), source: 'env' };
  if (ffprobe === undefined && ffmpeg !== undefined && ffmpeg.source !== 'path') {
    const besideFfmpeg = await sibling(ffmpeg.path);
    if (besideFfmpeg !== undefined) ffprobe = { path: besideFfmpeg, source: 'beside-ffmpeg' };
  }
  if (ffprobe === undefined) {
    const packagePath = await fromPackage(
      deps.loadFfprobePackage ?? defaultLoadFfprobePackage,
      'ffprobe',
    );
    if (packagePath !== undefined) ffprobe = { path: packagePath, source: 'ffprobe-package' };
  }
  if (ffprobe === undefined) {
    const pathFfprobe = await firstOnPath('ffprobe');
    if (pathFfprobe !== undefined) ffprobe = { path: pathFfprobe, source: 'path' };
  }

  if (ffmpeg !== undefined && ffprobe !== undefined) {
    return {
      ffmpegPath: ffmpeg.path,
      ffprobePath: ffprobe.path,
      source: ffmpeg.source,
      ffprobeSource: ffprobe.source,
    };
  }
  const missing =
    ffmpeg === undefined && ffprobe === undefined
      ? 'neither ffmpeg nor ffprobe was found'
      : ffmpeg === undefined
        ? 'ffmpeg was not found'
        : `ffprobe was not found (ffmpeg was: ${ffmpeg.path})`;
  throw new KvsError(
    'FFMPEG_NOT_FOUND',
    `Kafka Video Studio needs ffmpeg and ffprobe, but ${missing}. ${HOW_TO}`,
  );
}
