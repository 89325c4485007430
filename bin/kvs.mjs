#!/usr/bin/env node
// The `kvs` command line: the built bundle (out/cli/bin.js, made by `npm run build`, which
// `npm ci` runs). During development, `npm run kvs:dev -- …` runs the TypeScript sources instead.
import { existsSync } from 'node:fs';

// `kvs … | head`: a reader that stops early is not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const built = new URL('../out/cli/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'kvs: the command line is not built yet: run `npm run build` (npm ci does it).\n',
  );
  process.exit(1);
}
await import(built.href);
