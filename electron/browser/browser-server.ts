/**
 * The browser transport (`kvs serve`): the same app as the desktop window, in a browser, served
 * by this process — an adapter of the app services, like electron/main. One HTTP server (node:http)
 * serves the built page (static-files.ts), takes uploads (upload.ts), and carries the contract
 * over one WebSocket on the same port (ws-bridge.ts); who may ask is access.ts. The work is done
 * by the Electron-free app services (electron/services); this folder only moves bytes and checks who is
 * asking.
 *
 * Security (docs/SECURITY.md):
 * - Binds 127.0.0.1 by default (`kvs serve` warns about anything else).
 * - Token, Host and Origin checks: access.ts.
 * - Static files: resolved (and realpath'ed) inside the static folder, or 403/404.
 * - Uploads are streamed to disk with a size cap (413); the name is sanitized by the app services.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { UPLOAD_PATH, WS_PATH } from '../shared/ws-protocol.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { createAppServices, type AppServices } from '../services/app-services.js';
import { EXPORT_DOWNLOAD_PREFIX } from '../services/export-jobs.js';
import { createAccess, FORBIDDEN_MESSAGE, tokenCookie, urlHost } from './access.js';
import { serveExportDownload } from './export-download.js';
import { sendText } from './replies.js';
import { createStaticFiles, NOT_BUILT_MESSAGE } from './static-files.js';
import { handleUpload } from './upload.js';
import { createWsBridge } from './ws-bridge.js';

export interface StartServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** The built page (index.html + assets). */
  readonly staticDir: string;
  readonly userDataDir: string;
  /** Allow `video:open-path` (`--open-path`). Default false: the page uploads instead. */
  readonly allowOpenPath?: boolean;
  readonly ffmpeg?: FfmpegPaths;
  /** Default: 32 random bytes, base64url. */
  readonly token?: string;
  /** Default 4 GiB. */
  readonly maxUploadBytes?: number;
}

export interface RunningServer {
  /** `http://HOST:PORT/?token=T`: the address to open. */
  readonly url: string;
  /** `http://HOST:PORT` */
  readonly origin: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** The app services behind the socket. */
  readonly service: AppServices;
  /** Messages from pages that were not understood and ignored; open sockets. */
  stats(): { ignoredMessages: number; sockets: number };
  /** Stop viewers and jobs, close every socket and the server. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const bindHost = opts.host ?? '127.0.0.1';
  const staticDir = path.resolve(opts.staticDir);
  if (!existsSync(path.join(staticDir, 'index.html')))
    throw new KvsError('FILE_NOT_FOUND', NOT_BUILT_MESSAGE, staticDir);
  const { serveIndex, serveStatic } = await createStaticFiles(await realpath(staticDir));
  let port = 0;
  const access = createAccess({ token: opts.token, bindHost, port: () => port });
  const { tokenOk, authorized, hostAllowed, originMatchesHost, token } = access;

  const service = createAppServices({
    userDataDir: opts.userDataDir,
    allowOpenPath: opts.allowOpenPath ?? false,
    ...(opts.ffmpeg ? { ffmpeg: opts.ffmpeg } : {}),
    ...(opts.maxUploadBytes !== undefined ? { maxUploadBytes: opts.maxUploadBytes } : {}),
  });

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host))
      return sendText(res, 403, 'Forbidden: unexpected Host header.');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendText(res, 400, 'Bad request.');
    }
    const method = req.method ?? 'GET';
    const givenToken = url.pathname === '/' ? url.searchParams.get('token') : null;
    if (givenToken !== null) {
      if (method !== 'GET' && method !== 'HEAD')
        return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
      if (!tokenOk(givenToken))
        return sendText(
          res,
          403,
          'Forbidden: this access token is not valid (was `kvs serve` restarted? Open the new address it printed).',
        );
      return serveIndex(req, res, {
        'Set-Cookie': tokenCookie(token),
      });
    }
    if (!authorized(req)) return sendText(res, 403, FORBIDDEN_MESSAGE);
    if (url.pathname === UPLOAD_PATH)
      return handleUpload(req, res, url, { service, originMatchesHost });
    if (url.pathname === WS_PATH)
      return sendText(res, 426, 'This address takes WebSocket connections only.', {
        Upgrade: 'websocket',
      });
    if (url.pathname.startsWith(EXPORT_DOWNLOAD_PREFIX))
      return serveExportDownload(req, res, url.pathname.slice(EXPORT_DOWNLOAD_PREFIX.length), {
        service,
        originMatchesHost,
      });
    if (method !== 'GET' && method !== 'HEAD')
      return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
    return serveStatic(req, res, url.pathname);
  };

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // uploads of large files take as long as they take

  const bridge = createWsBridge(server, service, access);

  // ---- listen ---------------------------------------------------------------------------------------

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: bindHost, port: opts.port ?? 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    bridge.stopHeartbeat();
    await service.dispose();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new KvsError(
        'PORT_IN_USE',
        `Port ${opts.port ?? 0} on ${bindHost} is already in use. Pick another with --port, or leave --port out to use a free one.`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new KvsError(
        'INVALID_ARGUMENT',
        `${bindHost} is not an address of this machine. Use 127.0.0.1 (or 0.0.0.0 for every interface).`,
      );
    if (code === 'EACCES')
      throw new KvsError(
        'PORT_IN_USE',
        `Not allowed to listen on port ${opts.port ?? 0} (ports below 1024 need extra rights). Pick a port above 1024.`,
      );
    throw toKvsError(e);
  }
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
  const origin = `http://${urlHost(bindHost)}:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await service.dispose(); // viewers and jobs stop; their last events still reach the pages
      await bridge.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    })();
    return closing;
  };

  return {
    url: `${origin}/?token=${access.token}`,
    origin,
    token: access.token,
    host: bindHost,
    port,
    service,
    stats: () => bridge.stats(),
    close,
  };
}
