// electron-vite's command-line script (its package.json "bin"), to run as
// `node <script>`: no npx, no shell, the same on Windows, macOS and Linux.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @param {string} root the project folder @returns {string} */
export function electronViteCli(root) {
  const require = createRequire(path.join(root, 'package.json'));
  const pkgFile = require.resolve('electron-vite/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['electron-vite'];
  if (typeof rel !== 'string')
    throw new Error('electron-vite has no command-line script (package.json "bin")');
  return path.join(path.dirname(pkgFile), rel);
}
