import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvsError } from '../errors.js';
import {
  executableNames,
  findOnPath,
  locateFfmpeg,
  unpackAsarPath,
  verifyBinary,
  type FfmpegPaths,
} from './locate-ffmpeg.js';

const notInstalled = (): never => {
  throw Object.assign(new Error("Cannot find module 'ffmpeg-static'"), {
    code: 'MODULE_NOT_FOUND',
  });
};

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

  it('env beats ffmpeg-static and PATH', async () => {
    const found = await locateFfmpeg({
      env: {
        FFMPEG_PATH: path.join(onlyFfmpeg, 'ffmpeg'),
        FFPROBE_PATH: path.join(onlyFfprobe, 'ffprobe'),
        PATH: both,
      },
      loadFfmpegStatic: () => ({ default: path.join(both, 'ffmpeg') }),
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'env',
    });
  });

  it('FFMPEG_PATH alone: ffprobe from next to it, else from PATH', async () => {
    expect(
      await locateFfmpeg({
        env: { FFMPEG_PATH: path.join(both, 'ffmpeg'), PATH: onlyFfprobe },
        loadFfmpegStatic: notInstalled,
      }),
    ).toEqual({
      ffmpegPath: path.join(both, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'env',
    });
    expect(
      await locateFfmpeg({
        env: { FFMPEG_PATH: path.join(onlyFfmpeg, 'ffmpeg'), PATH: onlyFfprobe },
        loadFfmpegStatic: notInstalled,
      }),
    ).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'env',
    });
  });

  it('a set but broken FFMPEG_PATH is an error naming the variable (no fall-through to PATH)', async () => {
    const missing = await expectKvs(
      locateFfmpeg({
        env: { FFMPEG_PATH: path.join(empty, 'nope'), PATH: both },
        loadFfmpegStatic: notInstalled,
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(missing.message).toContain('FFMPEG_PATH');
    expect(missing.message).toContain(path.join(empty, 'nope'));
    // An executable that is not ffmpeg (node) fails the -version check.
    const notFfmpeg = await expectKvs(
      locateFfmpeg({
        env: { FFMPEG_PATH: process.execPath, PATH: both },
        loadFfmpegStatic: notInstalled,
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(notFfmpeg.message).toContain('FFMPEG_PATH');
    const badProbe = await expectKvs(
      locateFfmpeg({
        env: { FFPROBE_PATH: path.join(both, 'ffmpeg'), PATH: both },
        loadFfmpegStatic: notInstalled,
      }),
      'FFMPEG_NOT_FOUND',
    );
    expect(badProbe.message).toContain('FFPROBE_PATH');
  });

  it('an empty FFMPEG_PATH counts as unset', async () => {
    const found = await locateFfmpeg({
      env: { FFMPEG_PATH: '', PATH: both },
      loadFfmpegStatic: notInstalled,
    });
    expect(found.source).toBe('path');
  });

  it('ffmpeg-static beats PATH; ffprobe comes from next to it when present', async () => {
    const found = await locateFfmpeg({
      env: { PATH: onlyFfprobe },
      loadFfmpegStatic: () => ({ default: path.join(both, 'ffmpeg') }),
    });
    expect(found).toEqual({
      ffmpegPath: path.join(both, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'ffmpeg-static',
    });
  });

  it('ffmpeg-static ships no ffprobe: ffprobe is taken from PATH', async () => {
    const found = await locateFfmpeg({
      env: { PATH: [empty, onlyFfprobe].join(path.delimiter) },
      loadFfmpegStatic: () => path.join(onlyFfmpeg, 'ffmpeg'), // CJS-style export (no .default)
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(onlyFfprobe, 'ffprobe'),
      source: 'ffmpeg-static',
    });
  });

  it('ffmpeg-static exporting null (no binary for this platform) falls through to PATH', async () => {
    const found = await locateFfmpeg({
      env: { PATH: both },
      loadFfmpegStatic: () => ({ default: null }),
    });
    expect(found).toEqual({
      ffmpegPath: path.join(both, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'path',
    });
  });

  it('PATH: first directory that has a working ffmpeg wins; non-ffmpeg executables are skipped', async () => {
    const fake = path.join(root, 'fake');
    await mkdir(fake, { recursive: true });
    await writeFile(path.join(fake, 'ffmpeg'), '#!/bin/sh\necho not really\n', { mode: 0o755 });
    const found = await locateFfmpeg({
      env: { PATH: [fake, onlyFfmpeg, both].join(path.delimiter) },
      loadFfmpegStatic: notInstalled,
    });
    expect(found).toEqual({
      ffmpegPath: path.join(onlyFfmpeg, 'ffmpeg'),
      ffprobePath: path.join(both, 'ffprobe'),
      source: 'path',
    });
  });

  it('nothing anywhere → one FFMPEG_NOT_FOUND naming all three ways', async () => {
    const e = await expectKvs(
      locateFfmpeg({ env: { PATH: empty }, loadFfmpegStatic: notInstalled }),
      'FFMPEG_NOT_FOUND',
    );
    expect(e.message).toMatch(/FFMPEG_PATH/);
    expect(e.message).toMatch(/FFPROBE_PATH/);
    expect(e.message).toMatch(/ffmpeg-static/);
    expect(e.message).toMatch(/PATH\b.*$/);
    expect(e.message).toMatch(/on your PATH/);
  });

  it('ffmpeg without ffprobe anywhere → FFMPEG_NOT_FOUND that says ffprobe is missing', async () => {
    const e = await expectKvs(
      locateFfmpeg({ env: { PATH: onlyFfmpeg }, loadFfmpegStatic: notInstalled }),
      'FFMPEG_NOT_FOUND',
    );
    expect(e.message).toContain('ffprobe was not found');
  });

  it('rewrites app.asar paths (ffmpeg-static inside a packaged Electron app) to app.asar.unpacked', async () => {
    const checked: string[] = [];
    const found = await locateFfmpeg({
      env: { PATH: '' },
      platform: 'linux',
      loadFfmpegStatic: () => ({
        default: '/opt/KVS/resources/app.asar/node_modules/ffmpeg-static/ffmpeg',
      }),
      isExecutableFile: async (f) => {
        checked.push(f);
        return f.includes('app.asar.unpacked');
      },
      verify: async () => true,
    });
    expect(found).toEqual({
      ffmpegPath: '/opt/KVS/resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg',
      ffprobePath: '/opt/KVS/resources/app.asar.unpacked/node_modules/ffmpeg-static/ffprobe',
      source: 'ffmpeg-static',
    });
    expect(checked.some((f) => /app\.asar[\\/]/.test(f))).toBe(false);
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
      loadFfmpegStatic: notInstalled,
      isExecutableFile: async (f) => files.has(f),
      verify: async () => true,
    });
    expect(found).toEqual({
      ffmpegPath: 'C:\\ffmpeg\\bin\\ffmpeg.exe',
      ffprobePath: 'C:\\ffmpeg\\bin\\ffprobe.exe',
      source: 'path',
    });
  });
});
