/**
 * `npm run package:check`: build the Linux unpacked app with a stand-in Electron and check its
 * layout (scripts/package/packaged-layout.ts). Exit code 1 when the layout is wrong.
 *
 *   npm run package:check            # builds out/ first, checks, removes the temporary build
 *   npm run package:check -- --keep  # keeps the built folder and prints where it is
 */
import { checkPackagedLayout, formatReport } from './packaged-layout.js';

const keep = process.argv.includes('--keep');
const result = await checkPackagedLayout({ keep, onProgress: (line) => console.log(line) });
console.log(formatReport(result));
if (keep) console.log(`\nKept: ${result.appOutDir}`);
if (result.problems.length > 0) {
  if (result.facts.some((f) => f.id === 'build' && !f.ok)) console.log(`\n${result.log}`);
  process.exitCode = 1;
}
