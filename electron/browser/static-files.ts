/**
 * The built page, served read-only: index.html (never cached) and the assets beside it, each
 * resolved and realpath'ed inside the static folder (else 403/404), with the hardening headers.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
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

/** `staticRoot`: the static folder, resolved and realpath'ed. */
export function createStaticFiles(staticRoot: string): StaticFiles {
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

  const serveStatic = async (
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
  ): Promise<void> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'Bad request: the path is not valid.');
    }
    if (decoded.includes('\0')) return sendText(res, 400, 'Bad request: the path is not valid.');
    if (decoded === '/' || decoded === '/index.html') return serveIndex(req, res);
    const file = path.resolve(staticRoot, `.${decoded.replace(/\\/g, '/')}`);
    if (!isInside(staticRoot, file)) return sendText(res, 403, 'Forbidden.');
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return sendText(res, 404, 'Not found.');
    }
    if (!isInside(staticRoot, real)) return sendText(res, 403, 'Forbidden.');
    const st = await stat(real).catch(() => null);
    if (!st?.isFile()) return sendText(res, 404, 'Not found.');
    const hashed = /^\/assets\//.test(decoded);
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': contentTypeOf(real),
      'Content-Length': st.size,
      // Vite's assets carry a content hash in their names; anything else is revalidated
      'Cache-Control': hashed ? 'private, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(real);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  };

  return { serveIndex, serveStatic };
}
