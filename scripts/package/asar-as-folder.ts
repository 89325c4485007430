/**
 * A packaged app's resources folder as plain files, for starting its main bundle in Node: Node
 * cannot read inside app.asar (Electron's fs patch does that), so app.asar is extracted into a
 * FOLDER named app.asar, beside links to the real app.asar.unpacked/ and icon.png. Every path
 * the app computes — `…/app.asar/out/main/index.js`, the `app.asar` → `app.asar.unpacked`
 * rewrite for binaries, `process.resourcesPath` — stays what it is in the packaged app, and
 * module resolution finds only the asar's own node_modules.
 */
import { extractAll } from '@electron/asar';
import { existsSync } from 'node:fs';
import { mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Returns the new resources folder (inside a fresh temporary folder; remove its parent). */
export async function asarAsFolder(resourcesDir: string): Promise<string> {
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'kvs-packaged-run-')), 'resources');
  extractAll(path.join(resourcesDir, 'app.asar'), path.join(out, 'app.asar'));
  for (const name of ['app.asar.unpacked', 'icon.png'])
    if (existsSync(path.join(resourcesDir, name)))
      await symlink(path.join(resourcesDir, name), path.join(out, name));
  return out;
}
