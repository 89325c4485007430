/**
 * The page's Content-Security-Policy, one for every place the page runs: only `connect-src`
 * differs — `kvs serve` (and the page's own meta tag, renderer/index.html) allow the page's own
 * origin, whose WebSocket CSP Level 3's 'self' covers; the desktop app allows nothing (calls go
 * through the preload, frames through a MessagePort), or only Vite's dev server in development.
 * `worker-src 'self' blob:`: the viewers' drawing worker (renderer/src/features/watch/draw-worker.ts)
 * is inlined into the page's bundle and started from a blob: URL — a worker script from a file://
 * URL is refused (opaque origin) — and from the dev server's own origin in development.
 */
export function contentSecurityPolicy(connectSrc: string): string {
  return `default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src ${connectSrc}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`;
}

/** `kvs serve`'s policy (= the meta tag's, plus frame-ancestors, which only a header carries). */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy("'self'");
