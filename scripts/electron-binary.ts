/** Where the Electron binary is, or why there is none (never downloads anything). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

export function electronBinary(): { path: string } | { missing: string } {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(dir, 'package.json'))) return { missing: 'the electron package is not installed' };
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return { missing: 'the Electron binary was never downloaded (it cannot be downloaded here)' };
  const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { missing: `the Electron binary is missing at ${bin}` };
}
