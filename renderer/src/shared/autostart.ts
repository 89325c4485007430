/**
 * `npm run demo` opens the page with `#bootstrap=<list>&watch=<topic>`: connect to that
 * broker and start the first viewer on that topic by themselves. Pure; validated with the
 * same rules as the forms (anything invalid is ignored).
 */
import { parseBootstrap } from '../../../electron/shared/bootstrap.js';
import { topicNameError } from './topic-name.js';

export interface Autostart {
  readonly bootstrap: string | null;
  readonly watch: string | null;
  /** `watchFrom=<ms since epoch>`: the first viewer starts at that time instead of live. */
  readonly watchFrom: string | null;
}

export function readAutostart(hash: string): Autostart {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const b = params.get('bootstrap');
  const parsed = b === null ? null : parseBootstrap(b);
  const w = params.get('watch')?.trim() ?? null;
  const from = params.get('watchFrom')?.trim() ?? null;
  return {
    bootstrap: parsed?.ok ? parsed.normalized : null,
    watch: w !== null && topicNameError(w) === null ? w : null,
    watchFrom: from !== null && /^\d{1,15}$/.test(from) ? from : null,
  };
}

/** Read once per page load; each part is used at most once. */
const initial: Autostart =
  typeof location === 'undefined'
    ? { bootstrap: null, watch: null, watchFrom: null }
    : readAutostart(location.hash);
const used = new Set<keyof Autostart>();

export function takeAutostart(key: keyof Autostart): string | null {
  if (used.has(key)) return null;
  used.add(key);
  return initial[key];
}

/**
 * `#…&bench=1`: `npm run bench` asks the watch panel to record every drawn frame in
 * `window.__kvsBench` (see renderer/src/features/watch/bench-hook.ts). Off by default.
 */
export function readBenchFlag(hash: string): boolean {
  return new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash).get('bench') === '1';
}

/** Read once per page load, like the autostart parameters. */
export const benchEnabled: boolean =
  typeof location === 'undefined' ? false : readBenchFlag(location.hash);

export function peekAutostart(key: keyof Autostart): string | null {
  return used.has(key) ? null : initial[key];
}
