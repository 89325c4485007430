// `npm start`: run the desktop app (electron-vite's dev mode: the page from Vite's dev server,
// main and preload built) where the Electron binary is installed; say plainly what to do where it
// is not (no desktop here, or it could not be downloaded).
//
// electron-vite is started as `node <its bin script>`, not through `npx`: spawning `npx` (a .cmd
// file on Windows) without a shell fails there since Node 20.12.2 (CVE-2024-27980), silently.
// A spawn error is reported, never swallowed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { electronViteCli } from './electron-vite-cli.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'node_modules', 'electron');

/** The Electron binary, or null when it was never downloaded. */
function electronBinary() {
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

// `npm ci` does not run Electron's download script (package.json "allowScripts": a machine that
// cannot reach the download would fail the whole install). The first `npm start` fetches it,
// saying so; KVS_NO_ELECTRON_DOWNLOAD=1 skips that (tests, offline machines).
if (
  !electronBinary() &&
  process.env.KVS_NO_ELECTRON_DOWNLOAD !== '1' &&
  existsSync(path.join(dir, 'install.js'))
) {
  console.error('Kafka Video Studio: downloading Electron (first start only)…');
  const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], {
    stdio: 'inherit',
    cwd: dir,
  });
  if (r.error)
    console.error(`Kafka Video Studio: could not run Electron's download: ${r.error.message}`);
}
if (!electronBinary()) {
  console.error(
    [
      'Kafka Video Studio: the Electron binary is not installed, so the desktop window cannot open here.',
      '- To install it (needs internet): node node_modules/electron/install.js   (then npm start again)',
      '- Or use the same app in a browser: npx kvs serve   (prints the address to open)',
    ].join('\n'),
  );
  process.exit(1);
}

let cli;
try {
  cli = electronViteCli(root);
} catch (err) {
  console.error(
    `Kafka Video Studio: cannot find electron-vite (run npm ci): ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [cli, 'dev'], { stdio: 'inherit', cwd: root });
if (r.error) {
  console.error(
    `Kafka Video Studio: could not start electron-vite (${process.execPath} ${cli} dev): ${r.error.message}`,
  );
  process.exit(1);
}
if (r.signal) console.error(`Kafka Video Studio: the app was stopped by ${r.signal}.`);
process.exit(r.status ?? 1);
