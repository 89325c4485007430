/**
 * `kvs serve`: the token, cookie and Origin checks, static files and path containment, the
 * WebSocket protocol (electron/shared/ws-protocol.ts), uploads, and — with a real broker — an
 * uploaded video produced by id and watched back as binary frame packets over the socket.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { ConnectionStatus, VideoRef, type ErrorPayload } from '../shared/contract.js';
import { decodeFramePacket, type FramePacketHeader } from '../shared/frame-packet.js';
import { ServerMessage, TOKEN_COOKIE, TOKEN_HEADER } from '../shared/ws-protocol.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { serveCommand } from '../cli/serve.js';
import { readCookie } from './access.js';
import { startServer, type RunningServer } from './browser-server.js';
import { contentTypeOf } from './replies.js';
import { isInside, NOT_BUILT_MESSAGE } from './static-files.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';

/** ws-protocol.ts's ServerMessage is a discriminatedUnion with two 'reply' members, which zod 4 refuses to parse with; a plain union of the same options parses the same messages. */
const ServerMessageSchema = z.union(ServerMessage.options);

const INDEX = '<!doctype html><title>fake page</title>';
const SECRET = `top secret ${randomBytes(8).toString('hex')}`;

let dir: string;
let staticDir: string;
let server: RunningServer;
let cookie: string;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with the path sent exactly as given (fetch would normalize `..` away). */
function rawGet(pathname: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: pathname, method: 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function upload(
  name: string | null,
  body: Buffer | NodeJS.ReadableStream,
  headers: Record<string, string> = { cookie },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const query = name === null ? '' : `?name=${encodeURIComponent(name)}`;
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: `/upload${query}`, method: 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** Open a socket; resolves when open, rejects with the HTTP status when refused. */
function openSocket(
  opts: { cookie?: string; origin?: string; headers?: Record<string, string> } = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookie) headers.cookie = opts.cookie;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
      headers,
      ...(opts.origin ? { origin: opts.origin } : {}),
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`refused: HTTP ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });
}

/** One page's view of the socket: invoke with replies, events, binary frames. */
class Page {
  private nextId = 1;
  private readonly pending = new Map<number, (m: ServerMessage) => void>();
  readonly events: Array<{ channel: string; payload: unknown }> = [];
  readonly frames: Array<{ header: FramePacketHeader; size: number }> = [];
  constructor(
    readonly ws: WebSocket,
    ackFrames = true,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const decoded = decodeFramePacket(new Uint8Array(data as Buffer));
        if (!decoded.ok) throw new Error(decoded.error);
        this.frames.push({ header: decoded.header, size: decoded.image.length });
        if (ackFrames)
          ws.send(JSON.stringify({ type: 'frame-ack', viewerId: decoded.header.viewerId }));
        return;
      }
      const msg = ServerMessageSchema.parse(JSON.parse(String(data)));
      if (msg.type === 'reply') this.pending.get(msg.id)?.(msg);
      else this.events.push({ channel: msg.channel, payload: msg.payload });
    });
  }

  invoke(
    channel: string,
    args: unknown,
  ): Promise<{ ok: true; result: unknown } | { ok: false; error: ErrorPayload }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, (m) => {
        this.pending.delete(id);
        if (m.type !== 'reply') return;
        resolve(m.ok ? { ok: true, result: m.result } : { ok: false, error: m.error });
      });
      this.ws.send(JSON.stringify({ type: 'invoke', id, channel, args }));
    });
  }

  async ok(channel: string, args: unknown): Promise<unknown> {
    const reply = await this.invoke(channel, args);
    if (!reply.ok) throw new Error(`${channel}: ${reply.error.code} ${reply.error.message}`);
    return reply.result;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-serve-'));
  staticDir = path.join(dir, 'www');
  await mkdir(path.join(staticDir, 'assets'), { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), INDEX);
  await writeFile(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log("hi");');
  await writeFile(path.join(staticDir, 'assets', 'style.css'), 'body{}');
  await writeFile(path.join(dir, 'secret.txt'), SECRET);
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    staticDir,
    userDataDir: path.join(dir, 'user'),
    maxUploadBytes: 5 * 1024 * 1024,
  });
  cookie = `${TOKEN_COOKIE}=${server.token}`;
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('helpers', () => {
  it('reads cookies, checks containment, knows content types', () => {
    expect(readCookie('a=1; kvs_token=abc; b=2', 'kvs_token')).toBe('abc');
    expect(readCookie(undefined, 'kvs_token')).toBeUndefined();
    expect(isInside('/srv/www', '/srv/www/a/b.js')).toBe(true);
    expect(isInside('/srv/www', '/srv/www')).toBe(true);
    expect(isInside('/srv/www', '/srv/www-evil/a')).toBe(false);
    expect(isInside('/srv/www', '/etc/passwd')).toBe(false);
    expect(contentTypeOf('a/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a/x.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('a/x.unknown')).toBe('application/octet-stream');
  });

  it('refuses to start without a built page, saying how to build it', async () => {
    await expect(
      startServer({ staticDir: path.join(dir, 'nothing'), userDataDir: path.join(dir, 'user2') }),
    ).rejects.toThrow(NOT_BUILT_MESSAGE);
  });

  it('refuses a page folder with a link that leads outside it (sirv would follow it)', async () => {
    const www = path.join(dir, 'linked-www');
    await mkdir(path.join(www, 'assets'), { recursive: true });
    await writeFile(path.join(www, 'index.html'), INDEX);
    // a link that stays inside is fine
    await symlink(path.join(www, 'index.html'), path.join(www, 'assets', 'same.html'));
    const inside = await startServer({ staticDir: www, userDataDir: path.join(dir, 'user3') });
    await inside.close();
    await symlink(dir, path.join(www, 'assets', 'up'));
    await expect(
      startServer({ staticDir: www, userDataDir: path.join(dir, 'user3') }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/assets\/up/),
    });
  });

  it('prints a loopback URL with a 32-byte token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });
});

describe('the kvs serve command', () => {
  function io() {
    const out: string[] = [];
    let err = '';
    return {
      io: {
        out: (l: string) => void out.push(l),
        err: (t: string) => void (err += t),
        isTTY: false,
      },
      out,
      err: () => err,
    };
  }

  it('says plainly when the page is not built', async () => {
    const { io: cli } = io();
    await expect(
      serveCommand([], cli, new AbortController().signal, { staticDir: path.join(dir, 'nothing') }),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: NOT_BUILT_MESSAGE,
    });
  });

  it('refuses a host that is not an IP address', async () => {
    const { io: cli } = io();
    await expect(
      serveCommand(['--host', 'example.com'], cli, new AbortController().signal, { staticDir }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('prints the URL on stdout, warns for a non-loopback bind, and stops on the signal', async () => {
    const { io: cli, out, err } = io();
    const stop = new AbortController();
    const prev = process.env.KVS_USER_DATA_DIR;
    process.env.KVS_USER_DATA_DIR = path.join(dir, 'cmd-user');
    try {
      const running = serveCommand(['--host', '0.0.0.0', '--port', '0'], cli, stop.signal, {
        staticDir,
      });
      await until(() => out.length > 0, 'the URL');
      expect(out[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      expect(err()).toMatch(/Warning: listening on 0\.0\.0\.0/);
      expect(err()).toMatch(/Anyone on your network/);
      const res = await fetch(out[0] ?? '');
      expect(res.status).toBe(200);
      stop.abort();
      expect(await running).toBe(0);
      await expect(fetch(out[0] ?? '')).rejects.toThrow();
    } finally {
      if (prev === undefined) delete process.env.KVS_USER_DATA_DIR;
      else process.env.KVS_USER_DATA_DIR = prev;
    }
  });
});

describe('HTTP: token, cookie, headers', () => {
  it('refuses a request without the token', async () => {
    const res = await fetch(`${server.origin}/`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await res.text()).toMatch(/Forbidden: open the address/);
    expect((await fetch(`${server.origin}/assets/app-1234.js`)).status).toBe(403);
    expect((await fetch(`${server.origin}/?token=wrong`)).status).toBe(403);
    expect(
      (await fetch(`${server.origin}/`, { headers: { cookie: `${TOKEN_COOKIE}=nope` } })).status,
    ).toBe(403);
  });

  it('serves the page for the token and sets an HttpOnly SameSite=Strict cookie', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(`${TOKEN_COOKIE}=${server.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(
      /default-src 'self'; script-src 'self'/,
    );
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves assets with the cookie or the header, with their content types', async () => {
    const js = await fetch(`${server.origin}/assets/app-1234.js`, { headers: { cookie } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log("hi");');
    const css = await fetch(`${server.origin}/assets/style.css`, {
      headers: { [TOKEN_HEADER]: server.token },
    });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const index = await fetch(`${server.origin}/`, { headers: { cookie } });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-store');
    expect(
      (await fetch(`${server.origin}/assets/missing.js`, { headers: { cookie } })).status,
    ).toBe(404);
    expect((await fetch(`${server.origin}/assets`, { headers: { cookie } })).status).toBe(404);
    expect(
      (
        await fetch(`${server.origin}/assets/app-1234.js`, {
          method: 'DELETE',
          headers: { cookie },
        })
      ).status,
    ).toBe(405);
  });

  it('never serves a file outside the static folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../etc/passwd',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/%00../secret.txt',
      '//etc/passwd',
      '/assets/../../secret.txt',
      `/${'..%2f'.repeat(12)}etc%2fpasswd`,
    ];
    for (const p of attempts) {
      const res = await rawGet(p, { cookie });
      expect([400, 403, 404], `${p} → ${res.status}`).toContain(res.status);
      expect(res.body).not.toContain(SECRET);
      expect(res.body).not.toContain('root:');
    }
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await rawGet('/', { cookie, host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
    const ok = await rawGet('/', { cookie, host: `localhost:${server.port}` });
    expect(ok.status).toBe(200);
  });
});

describe('WebSocket', () => {
  it('refuses a socket without the cookie', async () => {
    await expect(openSocket({ origin: server.origin })).rejects.toThrow(/403/);
  });

  it('refuses a socket from another origin, or with none', async () => {
    await expect(openSocket({ cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(
      openSocket({ cookie, origin: `http://localhost:${server.port + 1}` }),
    ).rejects.toThrow(/403/);
    await expect(openSocket({ cookie })).rejects.toThrow(/403/);
  });

  it('answers invoke with a reply; ignores garbage without closing', async () => {
    const ws = await openSocket({ cookie, origin: server.origin });
    const page = new Page(ws);
    try {
      const before = server.stats().ignoredMessages;
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'shout', id: 1 }));
      ws.send(JSON.stringify({ type: 'invoke', id: -1, channel: 'connection:status', args: {} }));
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send(JSON.stringify({ type: 'frame-ack', viewerId: 'nobody' }));
      const status = ConnectionStatus.parse(await page.ok('connection:status', {}));
      expect(status.state).toBe('disconnected');
      expect(server.stats().ignoredMessages - before).toBe(4);
      const unknown = await page.invoke('nope', {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
      const bad = await page.invoke('connection:connect', { bootstrap: 'http://x:1' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'BOOTSTRAP_INVALID' } });
      const openPath = await page.invoke('video:open-path', { path: path.join(dir, 'secret.txt') });
      expect(openPath).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.close();
    }
  });
});

describe('uploads', () => {
  it('refuses an upload without the token', async () => {
    const res = await upload('a.mp4', Buffer.from('x'), {});
    expect(res.status).toBe(403);
  });

  it('refuses a bad name with 400 and an oversized body with 413', async () => {
    expect((await upload(null, Buffer.from('x'))).status).toBe(400);
    const dots = await upload('..', Buffer.from('x'));
    expect(dots.status).toBe(400);
    expect(JSON.parse(dots.body)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const big = Buffer.alloc(5 * 1024 * 1024 + 1);
    const declared = await upload('big.mp4', big);
    expect(declared.status).toBe(413);
    // chunked, no Content-Length: refused while streaming, nothing left on disk
    const { Readable } = await import('node:stream');
    const chunked = await upload(
      'big2.mp4',
      Readable.from(
        (function* () {
          for (let i = 0; i < 12; i++) yield Buffer.alloc(512 * 1024);
        })(),
      ),
      { cookie, 'transfer-encoding': 'chunked' },
    ).catch((e: unknown) => ({ status: -1, headers: {}, body: String(e) }));
    expect([413, -1]).toContain(chunked.status);
    const left = await readdir(path.join(dir, 'user', 'uploads')).catch(() => []);
    expect(left.filter((f) => f.includes('big'))).toEqual([]);
  });

  it('refuses an upload from another origin', async () => {
    const res = await upload('a.mp4', Buffer.from('x'), { cookie, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });
});

const target = kafkaModes()[0];

describe.skipIf(!hasKafka())(
  `upload, produce and watch over the socket (${target?.mode ?? 'none'})`,
  () => {
    it('uploads a generated mp4, produces it by id and receives binary frame packets', async () => {
      const bootstrap = target?.bootstrap ?? '';
      const video = await makeTestVideo({ dir, seconds: 2, width: 320, height: 180, fps: 10 });
      const res = await upload('../../../my clip.mp4', createReadStream(video), {
        cookie,
        'content-length': String((await stat(video)).size),
      });
      expect(res.status).toBe(200);
      const ref = VideoRef.parse(JSON.parse(res.body));
      expect(ref.name).toBe('my clip.mp4');
      expect(ref.sizeBytes).toBe((await stat(video)).size);
      expect(res.body).not.toContain(dir);

      const ws = await openSocket({ cookie, origin: server.origin });
      const page = new Page(ws);
      try {
        const status = ConnectionStatus.parse(await page.ok('connection:connect', { bootstrap }));
        expect(status.state).toBe('connected');
        expect(page.events.some((e) => e.channel === 'connection:status')).toBe(true);

        const topic = `serve-${randomBytes(3).toString('hex')}`;
        const { jobId } = (await page.ok('produce:start', {
          videoId: ref.videoId,
          topic,
          realtime: false,
          loop: false,
          format: 'kvs',
        })) as { jobId: string };
        await until(
          () =>
            page.events.some(
              (e) =>
                e.channel === 'produce:ended' && (e.payload as { jobId: string }).jobId === jobId,
            ),
          'produce:ended',
          60_000,
        );
        const ended = page.events.find((e) => e.channel === 'produce:ended')?.payload;
        expect(ended).toMatchObject({ ok: true, acked: 20, frames: 20 });

        // a second page gets the events but not the first page's frames
        const other = new Page(await openSocket({ cookie, origin: server.origin }));
        const stopped: string[] = [];
        server.service.onEvent((channel, payload) => {
          if (channel === 'watch:stats' && payload.state === 'stopped')
            stopped.push(payload.viewerId);
        });
        // paced (as the page plays "from the beginning"): the page's acks keep up, so every frame
        // arrives; unpaced, a whole fetch would arrive at once and newest-frame-wins would drop most
        const { viewerId } = (await page.ok('watch:start', {
          viewerId: newViewerId(),
          topic,
          from: { kind: 'beginning' },
          pace: true,
        })) as { viewerId: string };
        await until(() => page.frames.length >= 20, 'frames over the socket');
        expect(page.frames.map((f) => f.header.seq)).toEqual([...Array(20).keys()]);
        expect(
          page.frames.every(
            (f) => f.header.viewerId === viewerId && f.header.type === 'image/jpeg' && f.size > 100,
          ),
        ).toBe(true);
        await until(
          () =>
            page.events.some(
              (e) => e.channel === 'watch:stats' && (e.payload as { frames: number }).frames === 20,
            ),
          'watch:stats',
        );
        expect(other.frames).toEqual([]);
        expect(other.events.some((e) => e.channel === 'watch:stats')).toBe(true);
        other.ws.close();

        // the page goes away: the server stops its viewer
        ws.close();
        await until(() => stopped.includes(viewerId), 'the viewer of the closed socket to stop');
      } finally {
        ws.close();
      }
      await until(() => server.stats().sockets === 0, 'sockets closed');
    });
  },
);
