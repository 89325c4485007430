// Builds the `kvs` command line into out/cli/bin.js (one ESM file; npm packages stay imports), so
// `npx kvs` runs plain JavaScript and tsx is a development tool only. Part of `npm run build`.
// esbuild: the bundler electron-vite and Vite already use, so no new tool.
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
await build({
  entryPoints: [path.join(root, 'electron/cli/bin.ts')],
  outfile: path.join(root, 'out/cli/bin.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
