#!/usr/bin/env node
// The `kvs` command line. It runs the TypeScript sources through tsx's loader,
// so `npx kvs` always runs the code in this checkout, with no build step.
import { register } from 'tsx/esm/api';

register();
// `kvs … | head`: a reader that stops early is not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('../electron/cli/kvs.ts');
process.exitCode = await main(process.argv.slice(2));
