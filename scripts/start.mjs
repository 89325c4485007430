// `npm start`: run the desktop app where the Electron binary is installed; say
// plainly what to do where it is not (no desktop here, or the download failed).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electronPath = null;
try {
  electronPath = require('electron'); // the path of the binary, or throws when it is missing
} catch {
  electronPath = null;
}
if (!electronPath) {
  console.error(
    [
      'Kafka Video Studio: the Electron binary is not installed on this machine, so the desktop window cannot open.',
      'To get it: run `node node_modules/electron/install.js` on a machine that can download it (or allow',
      "electron's install script: `npm install-scripts approve electron && npm ci`).",
      'Without a desktop, the command line works: `npx kvs help`.',
    ].join('\n'),
  );
  process.exit(1);
}
const r = spawnSync('npx', ['electron-vite', 'dev'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
