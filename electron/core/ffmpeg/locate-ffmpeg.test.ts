import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvsError } from '../../shared/errors.js';
import {
  executableNames,
  findOnPath,
  locateFfmpeg,
  MACOS_EXTRA_DIRS,
  unpackAsarPath,
  verifyBinary,
  type FfmpegPaths,
} from './locate-ffmpeg.js';

const notInstalled = (): never => {
  throw Object.assign(new Error("Cannot find module 'ffmpeg-static'"), {
    code: 'MODULE_NOT_FOUND',
  });
};
// Neither npm package: only the environment and PATH count.
const noPackages = { loadFfmpegStatic: notInstalled, loadFfprobePackage: notInstalled };

let real: FfmpegPaths;
let root = '';
let both = ''; // dir with ffmpeg + ffprobe symlinks
let onlyFfmpeg = ''; // dir with an ffmpeg symlink only
let onlyFfprobe = ''; // dir with an ffprobe symlink only
let empty = '';

async function expectKvs(p: Promise<unknown>, code: string): Promise<KvsError> {
  const e: unknown = await p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KvsError);
  expect((e as KvsError).code).toBe(code);
  return e as KvsError;
}

beforeAll(async () => {
  // The machine's real ffmpeg (found the ordinary way) to build fake install locations from.
  real = await locateFfmpeg();
  root = await mkdtemp(path.join(os.tmpdir(), 'kvs-locate-'));
  both = path.join(root, 'both');
  onlyFfmpeg = path.join(root, 'only ffmpeg 視頻');
  onlyFfprobe = path.join(root, 'only-ffprobe');
  empty = path.join(root, 'empty');
  for (const d of [both, onlyFfmpeg, onlyFfprobe, empty]) await mkdir(d);
  const ffmpeg = await realpath(real.ffmpegPath);
  const ffprobe = await realpath(real.ffprobePath);
  await symlink(ffmpeg, path.join(both, 'ffmpeg'));
  await symlink(ffprobe, path.join(both, 'ffprobe'));
  await symlink(ffmpeg, path.join(onlyFfmpeg, 'ffmpeg'));
  await symlink(ffprobe, path.join(onlyFfprobe, 'ffprobe'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('locateFfmpeg', () => {
  it('finds a working ffmpeg on this machine', async () => {
    expect(await verifyBinary(real.ffmpegPath, 'ffmpeg')).toBe(true);
    expect(await verifyBinary(real.ffprobePath, 'ffprobe')).toBe(true);
    // ffprobe is not ffmpeg: the -version check tells them apart.
    expect(await verifyBinary(real.ffprobePath, 'ffmpeg')).toBe(false);
  });

  it('env beats the packages and PATH', async () => {
    const found = await locateFfmpeg({
      env: {
        FFMPEG_PATH: path.join(onlyFfmpeg, 'ffmpeg'),
        FFPROBE_PATH: path.join(onlyFfprobe, 'ffprobe'),
        PATH: both,
      },
      loadFfmpegStatic: () => ({ default: path.join(both, 'ffmpeg') }),
      loadFfprobePackage: () => ({ path: path.join(both, 'ffprobe') }),
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'env',
      ffprobeSource: 'env',
    });
  });

  it('FFMPEG_PATH alone: ffprobe from next to it, else from the ffprobe package, else from PATH', async () => {
    expect(
      await locateFfmpeg({
        env: { FFMPEG_PATH: path.join(both, 'ffmpeg'), PATH: onlyFfprobe },
        loadFfmpegStatic: notInstalled,
        loadFfprobePackage: () => ({ path: path.join(onlyFfprobe, 'ffprobe') }),
      }),
    ).toEqual({
      ffmpegPath: path.join(both, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'env',
      ffprobeSource: 'beside-ffmpeg',
    });
    expect(
      await locateFfmpeg({
        env: { FFMPEG_PATH: path.join(onlyFfmpeg, 'ffmpeg'), PATH: both },
        loadFfmpegStatic: notInstalled,
        loadFfprobePackage: () => ({ path: path.join(onlyFfprobe, 'ffprobe') }),
      }),
    ).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'env',
      ffprobeSource: 'ffprobe-package',
    });
    expect(
      await locateFfmpeg({
        env: { FFMPEG_PATH: path.join(onlyFfmpeg, 'ffmpeg'), PATH: onlyFfprobe },
        ...noPackages,
      }),
    ).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'env',
      ffprobeSource: 'path',
    });
  });

  it('a set but broken FFMPEG_PATH is an error naming the variable (no fall-through to PATH)', async () => {
    const missing = await expectKvs(
      locateFfmpeg({
        env: { FFMPEG_PATH: path.join(empty, 'nope'), PATH: both },
        ...noPackages,
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(missing.message).toContain('FFMPEG_PATH');
    expect(missing.message).toContain(path.join(empty, 'nope'));
    // An executable that is not ffmpeg (node) fails the -version check.
    const notFfmpeg = await expectKvs(
      locateFfmpeg({
        env: { FFMPEG_PATH: process.execPath, PATH: both },
        ...noPackages,
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(notFfmpeg.message).toContain('FFMPEG_PATH');
    // A broken FFPROBE_PATH does not fall through to the ffprobe package either.
    const badProbe = await expectKvs(
      locateFfmpeg({
        env: { FFPROBE_PATH: path.join(both, 'ffmpeg'), PATH: both },
        loadFfmpegStatic: notInstalled,
        loadFfprobePackage: () => ({ path: path.join(both, 'ffprobe') }),
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(badProbe.message).toContain('FFPROBE_PATH');
  });

  it('an empty FFMPEG_PATH counts as unset', async () => {
    const found = await locateFfmpeg({
      env: { FFMPEG_PATH: '', PATH: both },
      ...noPackages,
    });
    expect(found.source).toBe('path');
  });

  it('ffmpeg-static beats PATH; ffprobe comes from next to it when present', async () => {
    const found = await locateFfmpeg({
      env: { PATH: onlyFfprobe },
      loadFfmpegStatic: () => ({ default: path.join(both, 'ffmpeg') }),
      loadFfprobePackage: () => ({ path: path.join(onlyFfprobe, 'ffprobe') }),
    });
    expect(found).toEqual({
      ffmpegPath: path.join(both, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'ffmpeg-static',
      ffprobeSource: 'beside-ffmpeg',
    });
  });

  it('ffmpeg-static ships no ffprobe: ffprobe comes from the ffprobe package, before PATH', async () => {
    const found = await locateFfmpeg({
      env: { PATH: both },
      loadFfmpegStatic: () => path.join(onlyFfmpeg, 'ffmpeg'), // CJS-style export (no .default)
      loadFfprobePackage: () => ({ path: path.join(onlyFfprobe, 'ffprobe') }), // CJS { path }
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'ffmpeg-static',
      ffprobeSource: 'ffprobe-package',
    });
  });

  it('without the ffprobe package, ffprobe is taken from PATH', async () => {
    const found = await locateFfmpeg({
      env: { PATH: [empty, onlyFfprobe].join(path.delimiter) },
      loadFfmpegStatic: () => path.join(onlyFfmpeg, 'ffmpeg'),
      loadFfprobePackage: notInstalled,
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'ffmpeg-static',
      ffprobeSource: 'path',
    });
  });

  it('each tool on its own: ffmpeg from PATH, ffprobe from the package (ffmpeg-static missing)', async () => {
    const found = await locateFfmpeg({
      env: { PATH: both },
      loadFfmpegStatic: notInstalled,
      // An ES-module-style namespace: { default: { path } }.
      loadFfprobePackage: () => ({ default: { path: path.join(onlyFfprobe, 'ffprobe') } }),
    });
    expect(found).toEqual({
      ffmpegPath: path.join(both, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'path',
      ffprobeSource: 'ffprobe-package',
    });
  });

  it('a package that exports no binary, a path that is not the tool, or throws, falls through to PATH', async () => {
    const fallThrough = [
      {
        loadFfmpegStatic: () => ({ default: null }), // ffmpeg-static: no binary for this platform
        // @ffprobe-installer/ffprobe throws on a platform it has no package for.
        loadFfprobePackage: () => {
          throw new Error('Unsupported platform/architecture: sunos-x64');
        },
      },
      {
        loadFfmpegStatic: () => ({ default: path.join(empty, 'ffmpeg') }), // binary missing
        loadFfprobePackage: () => ({ path: path.join(both, 'ffmpeg') }), // not an ffprobe
      },
      {
        loadFfmpegStatic: async () => ({ default: '' }),
        loadFfprobePackage: async () => ({ path: 42 }),
      },
    ];
    for (const loaders of fallThrough) {
      expect(await locateFfmpeg({ env: { PATH: both }, ...loaders })).toEqual({
        ffmpegPath: path.join(both, 'ffmpeg'),
        ffprobePath: path.join(both, 'ffprobe'),
        source: 'path',
        ffprobeSource: 'path',
      });
    }
  });

  it('PATH: first directory that has a working ffmpeg wins; non-ffmpeg executables are skipped', async () => {
    const fake = path.join(root, 'fake');
    await mkdir(fake, { recursive: true });
    await writeFile(path.join(fake, 'ffmpeg'), '#!/bin/sh\necho not really\n', { mode: 0o755 });
    const found = await locateFfmpeg({
      env: { PATH: [fake, onlyFfmpeg, both].join(path.delimiter) },
      ...noPackages,
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'path',
      ffprobeSource: 'path',
    });
  });

  it('nothing anywhere → one FFMPEG_NOT_FOUND naming all three ways', async () => {
    const e = await expectKvs(
      locateFfmpeg({ env: { PATH: empty }, ...noPackages }),
      'FFMPEG_NOT_FOUND',
    );
    expect(e.message).toContain('neither ffmpeg nor ffprobe was found');
    expect(e.message).toMatch(/FFMPEG_PATH/);
    expect(e.message).toMatch(/FFPROBE_PATH/);
    expect(e.message).toMatch(/ffmpeg-static/);
    expect(e.message).toMatch(/@ffprobe-installer\/ffprobe/);
    expect(e.message).toMatch(/on your PATH/);
  });

  it('ffmpeg without ffprobe anywhere → FFMPEG_NOT_FOUND that says ffprobe is missing', async () => {
    const e = await expectKvs(
      locateFfmpeg({ env: { PATH: onlyFfmpeg }, ...noPackages }),
      'FFMPEG_NOT_FOUND',
    );
    expect(e.message).toContain('ffprobe was not found');
    expect(e.message).toContain(path.join(onlyFfmpeg, 'ffmpeg'));
  });

  it('ffprobe without ffmpeg anywhere → FFMPEG_NOT_FOUND that says ffmpeg is missing', async () => {
    const e = await expectKvs(
      locateFfmpeg({
        env: { PATH: empty },
        loadFfmpegStatic: notInstalled,
        loadFfprobePackage: () => ({ path: path.join(onlyFfprobe, 'ffprobe') }),
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(e.message).toContain('ffmpeg was not found');
  });

  it('rewrites app.asar paths (both packages inside a packaged Electron app) to app.asar.unpacked', async () => {
    const checked: string[] = [];
    const resources = '/opt/KVS/resources';
    const found = await locateFfmpeg({
      env: { PATH: '' },
      platform: 'linux',
      loadFfmpegStatic: () => ({
        default: `${resources}/app.asar/node_modules/ffmpeg-static/ffmpeg`,
      }),
      loadFfprobePackage: () => ({
        path: `${resources}/app.asar/node_modules/@ffprobe-installer/linux-x64/ffprobe`,
      }),
      isExecutableFile: async (f) => {
        checked.push(f);
        return f.includes('app.asar.unpacked') && !f.endsWith('ffmpeg-static/ffprobe');
      },
      verify: async () => true,
    });
    expect(found).toEqual({
      ffmpegPath: `${resources}/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg`,
      ffprobePath: `${resources}/app.asar.unpacked/node_modules/@ffprobe-installer/linux-x64/ffprobe`,
      source: 'ffmpeg-static',
      ffprobeSource: 'ffprobe-package',
    });
    expect(checked.some((f) => /app\.asar[\\/]/.test(f))).toBe(false);
  });

  // The real package when npm installed it (an optional dependency: absent on a platform it has
  // no binary for). This exercises the default loader, as the packaged app uses it.
  const hasFfprobePackage = ((): boolean => {
    try {
      createRequire(import.meta.url).resolve('@ffprobe-installer/ffprobe');
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasFfprobePackage)(
    'the installed @ffprobe-installer/ffprobe is found by the default loader',
    async () => {
      const found = await locateFfmpeg({
        env: { PATH: both },
        loadFfmpegStatic: notInstalled,
      });
      expect(found.ffprobeSource).toBe('ffprobe-package');
      expect(found.ffprobePath).toMatch(/[\\/]@ffprobe-installer[\\/][^\\/]+[\\/]ffprobe(\.exe)?$/);
      expect(await verifyBinary(found.ffprobePath, 'ffprobe')).toBe(true);
    },
  );
});

describe('macOS: Homebrew folders after PATH', () => {
  // Finder starts apps with this PATH, whatever the user's shell has.
  const finderPath = '/usr/bin:/bin:/usr/sbin:/sbin';
  const fakeFs =
    (...files: string[]) =>
    async (f: string): Promise<boolean> =>
      files.includes(f);

  it('finds ffmpeg and ffprobe in /opt/homebrew/bin (Apple silicon) when PATH lacks them', async () => {
    const found = await locateFfmpeg({
      env: { PATH: finderPath },
      platform: 'darwin',
      ...noPackages,
      isExecutableFile: fakeFs('/opt/homebrew/bin/ffmpeg', '/opt/homebrew/bin/ffprobe'),
      verify: async () => true,
    });
    expect(found).toEqual({
      ffmpegPath: '/opt/homebrew/bin/ffmpeg',
      ffprobePath: '/opt/homebrew/bin/ffprobe',
      source: 'path',
      ffprobeSource: 'path',
    });
  });

  it('then /usr/local/bin (Intel Homebrew); PATH comes first, Apple silicon before Intel', async () => {
    const installed = fakeFs(
      '/usr/local/bin/ffmpeg',
      '/usr/local/bin/ffprobe',
      '/opt/homebrew/bin/ffprobe',
      '/Users/me/bin/ffmpeg',
    );
    const found = await locateFfmpeg({
      env: { PATH: `/Users/me/bin:${finderPath}` },
      platform: 'darwin',
      ...noPackages,
      isExecutableFile: installed,
      verify: async () => true,
    });
    expect(found).toMatchObject({
      ffmpegPath: '/Users/me/bin/ffmpeg',
      ffprobePath: '/opt/homebrew/bin/ffprobe',
    });
    expect(
      await findOnPath('ffmpeg', {
        env: { PATH: finderPath },
        platform: 'darwin',
        isExecutableFile: fakeFs('/usr/local/bin/ffmpeg'),
        extraDirs: MACOS_EXTRA_DIRS,
      }),
    ).toEqual(['/usr/local/bin/ffmpeg']);
  });

  it('a folder already on PATH is searched once, in its PATH position', async () => {
    const checked: string[] = [];
    await findOnPath('ffmpeg', {
      env: { PATH: `/usr/local/bin:${finderPath}` },
      platform: 'darwin',
      isExecutableFile: async (f) => {
        checked.push(f);
        return false;
      },
      extraDirs: MACOS_EXTRA_DIRS,
    });
    expect(checked).toEqual([
      '/usr/local/bin/ffmpeg',
      '/usr/bin/ffmpeg',
      '/bin/ffmpeg',
      '/usr/sbin/ffmpeg',
      '/sbin/ffmpeg',
      '/opt/homebrew/bin/ffmpeg',
    ]);
  });

  it('only on macOS: Linux does not look in the Homebrew folders', async () => {
    const e = await expectKvs(
      locateFfmpeg({
        env: { PATH: finderPath },
        platform: 'linux',
        ...noPackages,
        isExecutableFile: fakeFs('/opt/homebrew/bin/ffmpeg', '/opt/homebrew/bin/ffprobe'),
        verify: async () => true,
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(e.message).toContain('neither ffmpeg nor ffprobe was found');
  });
});

describe('unpackAsarPath', () => {
  it.each([
    ['/a/app.asar/x/ffmpeg', '/a/app.asar.unpacked/x/ffmpeg'],
    [
      'C:\\KVS\\resources\\app.asar\\node_modules\\ffmpeg-static\\ffmpeg.exe',
      'C:\\KVS\\resources\\app.asar.unpacked\\node_modules\\ffmpeg-static\\ffmpeg.exe',
    ],
    ['/a/app.asar.unpacked/x/ffmpeg', '/a/app.asar.unpacked/x/ffmpeg'],
    ['/a/myapp.asar/x', '/a/myapp.asar/x'],
    ['/usr/bin/ffmpeg', '/usr/bin/ffmpeg'],
  ])('%s', (input, expected) => {
    expect(unpackAsarPath(input)).toBe(expected);
  });
});

describe('PATH lookup on Windows (pure logic)', () => {
  it('uses PATHEXT, only the shell-free extensions, case-insensitive Path, quoted entries', async () => {
    const files = new Set(['C:\\tools\\ffmpeg.bat', 'C:\\ff bin\\ffmpeg.EXE', 'D:\\x\\ffmpeg.com']);
    const lower = new Set([...files].map((f) => f.toLowerCase()));
    const found = await findOnPath('ffmpeg', {
      platform: 'win32',
      env: { Path: 'C:\\tools;"C:\\ff bin";relative\\dir;D:\\x', PATHEXT: '.COM;.EXE;.BAT;.CMD' },
      isExecutableFile: async (f) => lower.has(f.toLowerCase()), // NTFS is case-insensitive
    });
    expect(found).toEqual(['C:\\ff bin\\ffmpeg.exe', 'D:\\x\\ffmpeg.com']);
  });

  it('executableNames', () => {
    expect(executableNames('ffmpeg', {}, 'linux')).toEqual(['ffmpeg']);
    expect(executableNames('ffmpeg', {}, 'win32')).toEqual(['ffmpeg.com', 'ffmpeg.exe']);
    expect(executableNames('ffmpeg', { PATHEXT: '.BAT' }, 'win32')).toEqual(['ffmpeg.exe']);
    expect(executableNames('ffmpeg.exe', { PATHEXT: '.EXE' }, 'win32')).toEqual([
      'ffmpeg.exe',
      'ffmpeg.exe.exe',
    ]);
  });

  it('locates ffmpeg.exe + ffprobe.exe on a Windows PATH', async () => {
    const files = new Set(['C:\\ffmpeg\\bin\\ffmpeg.exe', 'C:\\ffmpeg\\bin\\ffprobe.exe']);
    const found = await locateFfmpeg({
      platform: 'win32',
      env: { PATH: 'C:\\Windows;C:\\ffmpeg\\bin' },
      ...noPackages,
      isExecutableFile: async (f) => files.has(f),
      verify: async () => true,
    });
    expect(found).toEqual({
      ffmpegPath: 'C:\\ffmpeg\\bin\\ffmpeg.exe',
      ffprobePath: 'C:\\ffmpeg\\bin\\ffprobe.exe',
      source: 'path',
      ffprobeSource: 'path',
    });
  });
});
