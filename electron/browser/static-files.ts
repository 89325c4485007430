/**
 * The built page, served read-only: index.html (never cached, with the extra headers the caller
 * gives, e.g. the token cookie) and the assets beside it, with the hardening headers.
 *
 * The assets are served by sirv (lukeed's; the static server of Vite's preview and SvelteKit) in
 * its production mode: the folder is listed once, at start, into a table of files, and a request
 * is answered only when its decoded path is a key of that table. No part of a URL ever reaches
 * the file system, so `..`, encoded slashes or NUL cannot name a file outside the folder. sirv
 * follows links when it makes the table, so `createStaticFiles` first refuses a folder with a link
 * that leads out of it (the built page, out/renderer, has none).
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';
import { KvsError } from '../shared/errors.js';
import { BASE_HEADERS, contentTypeOf, sendText } from './replies.js';

export const NOT_BUILT_MESSAGE =
  'The page is not built: run `npx electron-vite build` (or `npm run build`).';

/** Is `file` equal to or inside `root`? Both absolute and resolved. */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface StaticFiles {
  serveIndex(
    req: IncomingMessage,
    res: ServerResponse,
    extra?: Record<string, string>,
  ): Promise<void>;
  serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
}

/** A link under `root` that leads outside it, if any (relative path), else null. */
export async function linkOutside(root: string): Promise<string | null> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isSymbolicLink()) continue;
    const file = path.join(e.parentPath, e.name);
    const real = await realpath(file).catch(() => null);
    if (real === null || !isInside(root, real)) return path.relative(root, file);
  }
  return null;
}

/**
 * `staticRoot`: the static folder, resolved and realpath'ed. Refuses (throws) a folder with a link
 * that leads out of it.
 */
export async function createStaticFiles(staticRoot: string): Promise<StaticFiles> {
  const escape = await linkOutside(staticRoot);
  if (escape !== null)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `The page folder ${staticRoot} has a link that leads outside it (${escape}); it will not be served.`,
    );
  const serveIndex = async (
    req: IncomingMessage,
    res: ServerResponse,
    extra: Record<string, string> = {},
  ): Promise<void> => {
    const body = await readFile(path.join(staticRoot, 'index.html'));
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const assets = sirv(staticRoot, {
    dev: false,
    etag: true,
    dotfiles: false,
    // a path names a file exactly: no `/x` → `/x.html` or `/x/index.html` guessing
    extensions: [],
    setHeaders(res, pathname) {
      for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
      // our types carry the charset (sirv's add it only to HTML)
      res.setHeader('Content-Type', contentTypeOf(pathname));
      // Vite's assets carry a content hash in their names; anything else is revalidated
      res.setHeader(
        'Cache-Control',
        pathname.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });

  const serveStatic = (
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
  ): Promise<void> => {
    if (pathname === '/' || pathname === '/index.html') return serveIndex(req, res);
    return new Promise<void>((resolve) => {
      res.once('close', () => resolve());
      assets(req, res, () => {
        sendText(res, 404, 'Not found.');
      });
    });
  };

  return { serveIndex, serveStatic };
}
