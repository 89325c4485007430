// The production dependency closure as npm installed it (what electron-builder should copy).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { run } from './run-process.js';

/**
 * The production dependency closure as npm installed it: `npm ls --omit=dev --all --parseable`,
 * as install paths relative to node_modules/ (what electron-builder copies into the asar).
 */
export async function productionClosure(root: string): Promise<string[]> {
  // npm_execpath is npm's JS entry when this runs under `npm run` / `npm test`: run it with this
  // Node (no shell needed, also on Windows). Otherwise the `npm` on PATH.
  const npmCli = process.env['npm_execpath'];
  const args = ['ls', '--omit=dev', '--all', '--parseable'];
  const { out } =
    npmCli !== undefined && /npm-cli\.js$/.test(npmCli)
      ? await run(process.execPath, [npmCli, ...args], root)
      : await run('npm', args, root);
  // npm ls exits 1 on UNMET OPTIONAL dependencies (other platforms' binaries); the list is fine.
  const modules = path.join(realpathSync(root), 'node_modules') + path.sep;
  return out
    .split(/\r?\n/)
    .filter((line) => line.startsWith(modules))
    .map((line) => line.slice(modules.length).split(path.sep).join('/'))
    .sort();
}
