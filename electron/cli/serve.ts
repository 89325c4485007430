/**
 * `kvs serve` — the browser transport: the same app as the desktop window, in a browser, served
 * by this process. One HTTP server (node:http) serves the built page (`out/renderer`), takes
 * uploads, and carries the contract over one WebSocket (`/ws`) on the same port, exactly as
 * electron/shared/ws-protocol.ts describes. The work is done by the Electron-free host
 * (electron/host); this file only moves bytes and checks who is asking.
 *
 * Security (see the report in ARCHITECTURE.md):
 * - Binds 127.0.0.1 by default; anything else prints a warning.
 * - A fresh 32-byte token per run, printed in the URL. `GET /?token=T` sets an HttpOnly,
 *   SameSite=Strict cookie; every other request (assets, /ws, /upload) needs the cookie or the
 *   `x-kvs-token` header, else 403. Tokens are compared in constant time.
 * - The WebSocket also needs an Origin equal to `http://<Host>` (no cross-site sockets), and on a
 *   loopback bind the Host header must be a loopback name with our port (DNS rebinding).
 * - Static files: resolved (and realpath'ed) inside the static folder, or 403/404.
 * - Uploads are streamed to disk with a size cap (413); the name is sanitized by the host.
 * - When a socket closes, its viewers stop; produce jobs keep running (a page reload must not
 *   cut a stream) and their events reach every page.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ErrorPayload } from '../shared/contract.js';
import {
  ClientMessage,
  TOKEN_COOKIE,
  TOKEN_HEADER,
  UPLOAD_PATH,
  WS_PATH,
  type ServerMessage,
} from '../shared/ws-protocol.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { createHost, type Host } from '../host/host.js';
import { userDataDir } from '../host/user-data-dir.js';
import { UploadTooLargeError } from '../host/video-registry.js';
import { intOption, parse } from './args.js';
import type { CliIo } from './kvs.js';

/** Same policy as renderer/index.html's meta tag, plus the directives only a header can carry. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const NOT_BUILT_MESSAGE =
  'The page is not built: run `npx electron-vite build` (or `npm run build`).';
const FORBIDDEN_MESSAGE =
  'Forbidden: open the address that `kvs serve` printed (it carries the access token).';
const WS_MAX_PAYLOAD = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

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
  /** The host service behind the socket. */
  readonly service: Host;
  /** Messages from pages that were not understood and ignored; open sockets. */
  stats(): { ignoredMessages: number; sockets: number };
  /** Stop viewers and jobs, close every socket and the server. Idempotent. */
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

function tokenDigest(t: string): Buffer {
  return createHash('sha256').update(t, 'utf8').digest();
}

/** Cookie header → value of `name` (first one), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Is `file` equal to or inside `root`? Both absolute and resolved. */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const bindHost = opts.host ?? '127.0.0.1';
  const staticDir = path.resolve(opts.staticDir);
  if (!existsSync(path.join(staticDir, 'index.html')))
    throw new KvsError('FILE_NOT_FOUND', NOT_BUILT_MESSAGE, staticDir);
  const staticRoot = await realpath(staticDir);
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const tokenHash = tokenDigest(token);
  const tokenOk = (candidate: string | undefined): boolean =>
    candidate !== undefined &&
    candidate.length > 0 &&
    candidate.length <= 512 &&
    timingSafeEqual(tokenDigest(candidate), tokenHash);

  const service = createHost({
    userDataDir: opts.userDataDir,
    allowOpenPath: opts.allowOpenPath ?? false,
    ...(opts.ffmpeg ? { ffmpeg: opts.ffmpeg } : {}),
    ...(opts.maxUploadBytes !== undefined ? { maxUploadBytes: opts.maxUploadBytes } : {}),
  });

  const wildcardBind = bindHost === '0.0.0.0' || bindHost === '::';
  let port = 0;
  /** Loopback (or specific-address) binds accept only Host headers naming us: no DNS rebinding. */
  const hostAllowed = (hostHeader: string | undefined): boolean => {
    if (hostHeader === undefined) return false;
    if (wildcardBind) return true;
    let u: URL;
    try {
      u = new URL(`http://${hostHeader}`);
    } catch {
      return false;
    }
    if (u.port !== String(port)) return false;
    const name = u.hostname.toLowerCase();
    return isLoopbackHost(name) || name === urlHost(bindHost).toLowerCase();
  };
  const authorized = (req: IncomingMessage): boolean =>
    tokenOk(readCookie(req.headers.cookie, TOKEN_COOKIE)) ||
    tokenOk(firstHeader(req.headers[TOKEN_HEADER]));
  const originMatchesHost = (req: IncomingMessage): boolean => {
    const origin = firstHeader(req.headers.origin);
    const host = req.headers.host;
    if (origin === undefined || host === undefined) return false;
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && u.host === host.toLowerCase();
    } catch {
      return false;
    }
  };

  // ---- HTTP -----------------------------------------------------------------------------------------

  const baseHeaders = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };

  const sendText = (
    res: ServerResponse,
    status: number,
    text: string,
    extra: Record<string, string> = {},
  ): void => {
    const body = Buffer.from(`${text}\n`, 'utf8');
    res.writeHead(status, {
      ...baseHeaders,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(body);
  };
  const sendJson = (
    res: ServerResponse,
    status: number,
    value: unknown,
    extra: Record<string, string> = {},
  ): void => {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    res.writeHead(status, {
      ...baseHeaders,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(body);
  };

  const serveIndex = async (
    req: IncomingMessage,
    res: ServerResponse,
    extra: Record<string, string> = {},
  ): Promise<void> => {
    const body = await readFile(path.join(staticRoot, 'index.html'));
    res.writeHead(200, {
      ...baseHeaders,
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
      ...baseHeaders,
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

  const handleUpload = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> => {
    const close = { Connection: 'close' };
    if (req.method !== 'POST') return sendText(res, 405, 'Use POST to upload.', { Allow: 'POST' });
    // the cookie is SameSite=Strict already; a foreign Origin is refused as well
    if (req.headers.origin !== undefined && !originMatchesHost(req))
      return sendText(res, 403, 'Forbidden: wrong origin.', close);
    const name = url.searchParams.get('name');
    const bad = (message: string): ErrorPayload => ({ code: 'INVALID_ARGUMENT', message });
    if (name === null || name.trim() === '')
      return sendJson(
        res,
        400,
        bad('The upload needs a file name: POST /upload?name=video.mp4.'),
        close,
      );
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > service.maxUploadBytes) {
      const e = new UploadTooLargeError(service.maxUploadBytes);
      return sendJson(res, 413, e.toJSON(), close);
    }
    try {
      // destroyOnReturn false: when the cap stops the upload early, the request stays usable for
      // the 413 answer (Connection: close ends it after that)
      const ref = await service.registerUpload(name, req.iterator({ destroyOnReturn: false }));
      sendJson(res, 200, ref);
    } catch (e) {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof UploadTooLargeError) return sendJson(res, 413, e.toJSON(), close);
      const err = toKvsError(e);
      sendJson(res, err.code === 'INTERNAL' ? 500 : 400, err.toJSON(), close);
    }
  };

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
        'Set-Cookie': `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`,
      });
    }
    if (!authorized(req)) return sendText(res, 403, FORBIDDEN_MESSAGE);
    if (url.pathname === UPLOAD_PATH) return handleUpload(req, res, url);
    if (url.pathname === WS_PATH)
      return sendText(res, 426, 'This address takes WebSocket connections only.', {
        Upgrade: 'websocket',
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

  // ---- WebSocket ------------------------------------------------------------------------------------

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const sockets = new Map<string, WebSocket>();
  const alive = new WeakSet<WebSocket>();
  let ignoredMessages = 0;
  let nextClient = 1;

  const refuseUpgrade = (socket: Socket, status: number, text: string): void => {
    const body = `${text}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // refused below
    }
    if (pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found.');
    if (!hostAllowed(req.headers.host))
      return refuseUpgrade(socket, 403, 'Forbidden: unexpected Host header.');
    if (!authorized(req)) return refuseUpgrade(socket, 403, FORBIDDEN_MESSAGE);
    if (!originMatchesHost(req))
      return refuseUpgrade(socket, 403, 'Forbidden: the page is not from this server (Origin).');
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };

  function onSocket(ws: WebSocket): void {
    const client = `ws-${nextClient++}`;
    sockets.set(client, ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      sockets.delete(client);
      // its viewers stop; its jobs go on (a socket also drops when the network blinks)
      void service.releaseClient(client, { jobs: false });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ignoredMessages++;
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(rawToBuffer(data).toString('utf8'));
      } catch {
        ignoredMessages++;
        return;
      }
      const parsed = ClientMessage.safeParse(json);
      if (!parsed.success) {
        ignoredMessages++;
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'frame-ack') {
        service.ackFrame(msg.viewerId, client);
        return;
      }
      void service.handle(msg.channel, msg.args, { client }).then((reply) => {
        send(
          ws,
          reply.ok
            ? { type: 'reply', id: msg.id, ok: true, result: reply.result }
            : { type: 'reply', id: msg.id, ok: false, error: reply.error },
        );
      });
    });
  }

  const offEvent = service.onEvent((channel, payload) => {
    const text = JSON.stringify({ type: 'event', channel, payload } satisfies ServerMessage);
    for (const ws of sockets.values()) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  });
  const offFrame = service.onFrame((_viewerId, packet, client) => {
    const ws = client === null ? undefined : sockets.get(client);
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(packet, { binary: true });
    return true;
  });

  const heartbeat = setInterval(() => {
    for (const ws of sockets.values()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

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
    clearInterval(heartbeat);
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
      clearInterval(heartbeat);
      await service.dispose(); // viewers and jobs stop; their last events still reach the pages
      offEvent();
      offFrame();
      await Promise.all(
        [...sockets.values()].map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === WebSocket.CLOSED) return resolve();
              const timer = setTimeout(() => {
                ws.terminate();
                resolve();
              }, 1000);
              ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              ws.close(1001, 'The server is shutting down.');
            }),
        ),
      );
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    })();
    return closing;
  };

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    host: bindHost,
    port,
    service,
    stats: () => ({ ignoredMessages, sockets: sockets.size }),
    close,
  };
}

// ---- the command ------------------------------------------------------------------------------------

/** The built page next to this checkout: `<repo>/out/renderer`. */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../out/renderer/', import.meta.url));
}

export async function serveCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
  opts: { staticDir?: string } = {},
): Promise<number> {
  const { values } = parse(
    argv,
    { host: { type: 'string' }, port: { type: 'string' }, 'open-path': { type: 'boolean' } },
    0,
  );
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0 && host !== 'localhost')
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--host must be an IP address such as 127.0.0.1 (or 0.0.0.0 for every interface), got "${host}".`,
    );
  const port = intOption(values.port, 'port', 0, 65535) ?? 0;
  const staticDir = opts.staticDir ?? defaultStaticDir();
  if (!existsSync(path.join(staticDir, 'index.html')))
    throw new KvsError('FILE_NOT_FOUND', NOT_BUILT_MESSAGE);
  const dataDir = userDataDir();
  const server = await startServer({
    host,
    port,
    staticDir,
    userDataDir: dataDir,
    allowOpenPath: values['open-path'] === true,
  });
  io.out(server.url);
  io.err(
    `Kafka Video Studio is running: open the address above in a browser. It carries an access token; don't share it. Press Ctrl-C to stop.\n`,
  );
  if (!isLoopbackHost(host))
    io.err(
      `Warning: listening on ${host}, not only on this computer. Anyone on your network who has the address with its token can use ` +
        `the app: read and delete your topics, upload files${values['open-path'] ? ' and stream any video file this account can read' : ''}. ` +
        `The connection is plain HTTP (not encrypted). Use --host 127.0.0.1 unless you need this.\n`,
    );
  if (values['open-path'])
    io.err('--open-path: the page may open video files on this computer by path.\n');
  if (!signal.aborted)
    await new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  io.err('Stopping…\n');
  await server.close();
  return 0;
}
