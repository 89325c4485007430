// The facts about what ships beside app.asar: the unpacked ffmpeg and ffprobe binaries, the icon.
import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { unpackAsarPath, verifyBinary } from '../../electron/core/ffmpeg/locate-ffmpeg.js';
import { type LayoutInspection } from './layout-rules.js';

/** Records the ffmpeg-static, ffprobe and icon facts. */
export async function checkResourceFacts(x: LayoutInspection): Promise<void> {
  const { root, resourcesDir, byPath, files, entries, fact, progress } = x;
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
  const iconInAsar = entries.some((e) => e.path === 'icon.png' || e.path.startsWith('resources/'));
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
}

const mode = (m: number): string => (m & 0o777).toString(8).padStart(4, '0');

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
