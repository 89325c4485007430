import type { CliIo } from './cli-io.js';

/** One updating status line on a terminal (stderr); occasional lines otherwise. */
export function makeProgressLine(io: CliIo) {
  let last = 0;
  let shown = false;
  return {
    update(text: string): void {
      const now = Date.now();
      if (now - last < (io.isTTY ? 200 : 2000)) return;
      last = now;
      if (io.isTTY) {
        io.err(`\r\x1b[K${text}`);
        shown = true;
      } else io.err(`${text}\n`);
    },
    note(text: string): void {
      if (shown) io.err('\r\x1b[K');
      shown = false;
      io.err(`${text}\n`);
    },
    done(text: string): void {
      if (shown) io.err('\r\x1b[K');
      shown = false;
      io.err(`${text}\n`);
    },
  };
}
