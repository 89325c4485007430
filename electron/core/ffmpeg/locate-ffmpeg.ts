/**
 * Find a working ffmpeg + ffprobe pair.
 *
 * Order (first hit wins):
 *   1. `FFMPEG_PATH` / `FFPROBE_PATH` environment variables ("env").
 *   2. The optional `ffmpeg-static` package ("ffmpeg-static"). It ships ffmpeg only, so ffprobe
 *      is looked for next to it (a sibling `ffprobe[.exe]`) and then on PATH.
 *   3. PATH lookup ("path"), pure Node: PATH split by the platform's delimiter; on Windows each
 *      directory is tried with the PATHEXT extensions that can be spawned without a shell.
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
import { KvsError } from '../errors.js';

export type FfmpegSource = 'env' | 'ffmpeg-static' | 'path';

export interface FfmpegPaths {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Where ffmpeg came from (ffprobe may come from PATH when ffmpeg came from ffmpeg-static). */
  readonly source: FfmpegSource;
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
 * Every existing executable called `name` on PATH, in PATH order (pure Node, no `which`).
 */
export async function findOnPath(
  name: string,
  opts: {
    env?: EnvLike;
    platform?: NodeJS.Platform;
    isExecutableFile?: (f: string) => Promise<boolean>;
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
  const found: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    for (const file of executableNames(name, env, platform)) {
      const full = p.join(dir, file);
      if (await isExec(full)) found.push(full);
    }
  }
  return found;
}

function defaultLoadFfmpegStatic(): unknown {
  // createRequire keeps this an optional runtime dependency: no static import for bundlers or tsc
  // to resolve, and a missing package is just a thrown MODULE_NOT_FOUND.
  const req = createRequire(import.meta.url);
  const name = 'ffmpeg-static';
  const mod: unknown = req(name);
  return mod;
}

function moduleDefault(mod: unknown): unknown {
  if (mod !== null && typeof mod === 'object' && 'default' in mod) {
    return (mod as { default: unknown }).default;
  }
  return mod;
}

const HOW_TO =
  'Set FFMPEG_PATH and FFPROBE_PATH to the ffmpeg and ffprobe programs, install the ffmpeg-static ' +
  'package (npm install ffmpeg-static), or install ffmpeg and put it on your PATH ' +
  '(ffmpeg and ffprobe must both be there).';

/** Locate ffmpeg and ffprobe; throws KvsError FFMPEG_NOT_FOUND. See the file comment for the order. */
export async function locateFfmpeg(deps: LocateFfmpegDeps = {}): Promise<FfmpegPaths> {
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  const p = pathApi(platform);
  const isExec = deps.isExecutableFile ?? ((f: string) => defaultIsExecutableFile(f, platform));
  const verify = deps.verify ?? verifyBinary;
  const works = async (bin: string, tool: 'ffmpeg' | 'ffprobe'): Promise<boolean> =>
    (await isExec(bin)) && (await verify(bin, tool));

  const firstOnPath = async (tool: 'ffmpeg' | 'ffprobe'): Promise<string | undefined> => {
    for (const candidate of await findOnPath(tool, { env, platform, isExecutableFile: isExec })) {
      if (await verify(candidate, tool)) return candidate;
    }
    return undefined;
  };
  const sibling = async (ffmpegPath: string, tool: 'ffprobe'): Promise<string | undefined> => {
    for (const file of executableNames(tool, env, platform)) {
      const candidate = p.join(p.dirname(ffmpegPath), file);
      if (await works(candidate, tool)) return candidate;
    }
    return undefined;
  };

  // 1. Environment variables.
  const envFfmpeg = getEnv(env, 'FFMPEG_PATH', platform)?.trim() || undefined;
  const envFfprobe = getEnv(env, 'FFPROBE_PATH', platform)?.trim() || undefined;
  const badEnv = (variable: string, value: string, tool: string): KvsError =>
    new KvsError(
      'FFMPEG_NOT_FOUND',
      `${variable} is set to "${value}", but that is not a working ${tool}. ` +
        `Point ${variable} at the ${tool} program, or unset it to use ffmpeg-static or the ${tool} on your PATH.`,
    );
  if (envFfprobe !== undefined && !(await works(unpackAsarPath(envFfprobe), 'ffprobe'))) {
    throw badEnv('FFPROBE_PATH', envFfprobe, 'ffprobe');
  }
  if (envFfmpeg !== undefined) {
    const ffmpegPath = unpackAsarPath(envFfmpeg);
    if (!(await works(ffmpegPath, 'ffmpeg'))) throw badEnv('FFMPEG_PATH', envFfmpeg, 'ffmpeg');
    const ffprobePath =
      envFfprobe !== undefined
        ? unpackAsarPath(envFfprobe)
        : ((await sibling(ffmpegPath, 'ffprobe')) ?? (await firstOnPath('ffprobe')));
    if (ffprobePath === undefined) {
      throw new KvsError(
        'FFMPEG_NOT_FOUND',
        `ffmpeg was found through FFMPEG_PATH, but ffprobe was not. Set FFPROBE_PATH to the ffprobe program, ` +
          `put ffprobe next to ffmpeg, or put ffprobe on your PATH.`,
      );
    }
    return { ffmpegPath, ffprobePath, source: 'env' };
  }

  // 2. ffmpeg-static (optional dependency).
  let staticPath: string | undefined;
  try {
    const exported = moduleDefault(await (deps.loadFfmpegStatic ?? defaultLoadFfmpegStatic)());
    if (typeof exported === 'string' && exported !== '') {
      const candidate = unpackAsarPath(exported);
      if (await works(candidate, 'ffmpeg')) staticPath = candidate;
    }
  } catch {
    // Not installed (or broken): fall through to PATH.
  }
  if (staticPath !== undefined) {
    const ffprobePath =
      envFfprobe !== undefined
        ? unpackAsarPath(envFfprobe)
        : ((await sibling(staticPath, 'ffprobe')) ?? (await firstOnPath('ffprobe')));
    if (ffprobePath !== undefined)
      return { ffmpegPath: staticPath, ffprobePath, source: 'ffmpeg-static' };
    // ffmpeg-static without any ffprobe: try a complete PATH install before giving up.
  }

  // 3. PATH.
  const pathFfmpeg = await firstOnPath('ffmpeg');
  const pathFfprobe =
    envFfprobe !== undefined ? unpackAsarPath(envFfprobe) : await firstOnPath('ffprobe');
  if (pathFfmpeg !== undefined && pathFfprobe !== undefined) {
    return { ffmpegPath: pathFfmpeg, ffprobePath: pathFfprobe, source: 'path' };
  }

  const missing =
    pathFfmpeg === undefined && staticPath === undefined
      ? 'ffmpeg was not found'
      : 'ffprobe was not found';
  throw new KvsError(
    'FFMPEG_NOT_FOUND',
    `Kafka Video Studio needs ffmpeg, but ${missing}. ${HOW_TO}`,
  );
}
