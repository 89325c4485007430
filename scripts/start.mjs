// `npm start`: run the desktop app where the Electron binary is installed; say
// plainly what to do where it is not (no desktop here, or it could not be downloaded).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', 'node_modules', 'electron');
const pathTxt = path.join(dir, 'path.txt');
const bin = existsSync(pathTxt) ? path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
if (!bin || !existsSync(bin)) {
  console.error(
    [
      'Kafka Video Studio: the Electron binary is not installed, so the desktop window cannot open here.',
      '- To install it (needs internet): node node_modules/electron/install.js   (then npm start again)',
      '- Or use the same app in a browser: npx kvs serve   (prints the address to open)',
    ].join('\n'),
  );
  process.exit(1);
}
const r = spawnSync('npx', ['electron-vite', 'dev'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
