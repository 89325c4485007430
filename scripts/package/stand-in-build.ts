// Running electron-builder --linux dir against a stand-in Electron folder, so nothing is downloaded.
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { run } from './run-process.js';

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

/** Builds the Linux `--dir` app into `outputDir` (its stand-in Electron goes there too). */
export async function buildWithStandInElectron(
  root: string,
  outputDir: string,
  progress: (line: string) => void,
): Promise<{ code: number; out: string; buildMs: number }> {
  const standIn = path.join(outputDir, 'stand-in-electron');
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
  return { ...builder, buildMs: Math.round(performance.now() - started) };
}
