// electron-builder `afterPack` hook (electron-builder.yml). Plain JavaScript, because
// electron-builder imports it as it is — `npx electron-builder` runs without tsx.
//
// npm leaves the ffprobe binary as the tarball and its postinstall make it (0644, or 0744 after
// `chmod u+x`), and asar copies that mode into app.asar.unpacked. Installed by the deb as root,
// a 0744 file cannot be run by anyone else, so locate-ffmpeg would silently skip it. Every
// ffmpeg/ffprobe in the unpacked packages becomes 0755.
import { chmod, readdir } from 'node:fs/promises';
import path from 'node:path';

const PACKAGE_DIRS = ['ffmpeg-static', '@ffprobe-installer'];
const BINARY = /^ff(mpeg|probe)$/;

/** Every file called ffmpeg or ffprobe under `dir` (missing folders are fine). */
async function findBinaries(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findBinaries(full)));
    else if (entry.isFile() && BINARY.test(entry.name)) found.push(full);
  }
  return found;
}

/** Makes the unpacked ffmpeg/ffprobe binaries under `resourcesDir` 0755; returns their paths. */
export async function makeBinariesExecutable(resourcesDir) {
  const modules = path.join(resourcesDir, 'app.asar.unpacked', 'node_modules');
  const binaries = [];
  for (const dir of PACKAGE_DIRS) binaries.push(...(await findBinaries(path.join(modules, dir))));
  for (const file of binaries) await chmod(file, 0o755);
  return binaries;
}

/** @param {{ appOutDir: string, electronPlatformName: string, packager: { getResourcesDir(appOutDir: string): string } }} context */
export default async function afterPack(context) {
  if (context.electronPlatformName === 'win32') return; // no execute bit on Windows
  await makeBinariesExecutable(context.packager.getResourcesDir(context.appOutDir));
}
