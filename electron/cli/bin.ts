/** The `kvs` command's entry: run the command line, exit with its code. Built to out/cli/bin.js. */
import { main } from './kvs.js';

process.exitCode = await main(process.argv.slice(2));
