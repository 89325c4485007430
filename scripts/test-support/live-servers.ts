/**
 * Test support: live video sources on 127.0.0.1, made from real ffmpeg output, shared by the
 * live-source tests (start once per file, stop in afterAll):
 *
 * - one HTTP server: `/hls/live.m3u8` (a live HLS playlist a running ffmpeg keeps writing, 1 s
 *   segments, no end), `/mjpeg` (multipart MJPEG, the same few JPEGs made by ffmpeg sent at
 *   10 fps; `mjpeg.set('stall' | 'down' | 'up')` stops sending, drops every connection and
 *   refuses new ones, or goes on), `/private/mjpeg` (HTTP 401 without the Basic login),
 *   `/page` (an HTML page: not video), anything else 404;
 * - a TCP server that accepts and never answers (a URL that times out);
 * - a closed port (a URL that is refused);
 * - an RTSP server (GStreamer's gst-rtsp-server via /usr/bin/python3, rtsp-server.py) with a login,
 *   when python3-gi and gir1.2-gst-rtsp-server-1.0 are installed (`rtsp` is null otherwise).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { JpegSplitter } from '../../electron/core/ffmpeg/jpeg-splitter.js';
import { locateFfmpeg } from '../../electron/core/ffmpeg/locate-ffmpeg.js';

export type MjpegMode = 'up' | 'stall' | 'down';

export interface LiveServers {
  readonly base: string;
  readonly hlsUrl: string;
  readonly mjpegUrl: string;
  /** The MJPEG stream behind a Basic login (`user:password@` in the URL). */
  privateUrl(login?: { user: string; password: string }): string;
  readonly login: { readonly user: string; readonly password: string };
  readonly pageUrl: string;
  readonly notFoundUrl: string;
  /** http:// to a server that accepts and never answers. */
  readonly silentUrl: string;
  /** http:// to a closed port. */
  readonly refusedUrl: string;
  /** rtsp:// with or without the login; null when no RTSP server could be started here. */
  readonly rtsp: { url(login?: { user: string; password: string }): string } | null;
  readonly mjpeg: {
    set(mode: MjpegMode): void;
    readonly framesSent: number;
    readonly connections: number;
  };
  close(): Promise<void>;
}

const BOUNDARY = 'ffmpeg';

function makeJpegs(ffmpegPath: string): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    execFile(
      ffmpegPath,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=10',
        '-frames:v',
        '20',
        '-c:v',
        'mjpeg',
        '-q:v',
        '8',
        '-f',
        'image2pipe',
        '-',
      ],
      { encoding: 'buffer', maxBuffer: 32 << 20, timeout: 30_000 },
      (err, stdout) => {
        if (err) return reject(err);
        const out = new JpegSplitter().write(stdout);
        if (out.length === 0) reject(new Error('ffmpeg made no JPEG'));
        else resolve(out);
      },
    );
  });
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} did not come within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startRtsp(login: {
  user: string;
  password: string;
}): Promise<{ proc: ChildProcess; port: number } | null> {
  const script = path.join(import.meta.dirname, 'rtsp-server.py');
  if (!existsSync('/usr/bin/python3')) return Promise.resolve(null);
  return closedPort().then(
    (port) =>
      new Promise((resolve) => {
        const proc = spawn('/usr/bin/python3', [script, String(port), login.user, login.password], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          resolve(null);
        }, 10_000);
        proc.stdout.on('data', (d: Buffer) => {
          out += String(d);
          if (out.includes('READY')) {
            clearTimeout(timer);
            resolve({ proc, port });
          }
        });
        proc.stderr.resume();
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve(null);
        });
      }),
  );
}

/** `hls` / `rtsp` false: leave that server out (a test that does not read it starts faster). */
export async function startLiveServers(
  opts: { readonly hls?: boolean; readonly rtsp?: boolean } = {},
): Promise<LiveServers> {
  const { ffmpegPath } = await locateFfmpeg();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-live-'));
  const login = { user: 'cam-user', password: 'pa55-w0rd-secret' };
  const jpegs = await makeJpegs(ffmpegPath);

  // a live HLS playlist, written by ffmpeg as long as the servers run
  const hls =
    opts.hls === false
      ? null
      : spawn(
          ffmpegPath,
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-nostdin',
            '-re',
            '-f',
            'lavfi',
            '-i',
            'testsrc2=size=160x120:rate=10',
            '-c:v',
            'libx264',
            '-preset',
            'ultrafast',
            '-tune',
            'zerolatency',
            '-g',
            '10',
            '-pix_fmt',
            'yuv420p',
            '-f',
            'hls',
            '-hls_time',
            '1',
            '-hls_list_size',
            '4',
            '-hls_flags',
            'delete_segments+omit_endlist',
            path.join(dir, 'live.m3u8'),
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
  hls?.stderr?.resume();

  let mode: MjpegMode = 'up';
  let framesSent = 0;
  const clients = new Set<http.ServerResponse>();
  const sockets = new Set<net.Socket>();
  let frame = 0;
  const tick = setInterval(() => {
    if (mode !== 'up' || clients.size === 0) return;
    const jpeg = jpegs[frame++ % jpegs.length] ?? Buffer.alloc(0);
    for (const res of clients) {
      res.write(
        `--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`,
      );
      res.write(jpeg);
      res.write('\r\n');
    }
    framesSent++;
  }, 100);

  const streamTo = (res: http.ServerResponse): void => {
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace;boundary=${BOUNDARY}`,
      'Cache-Control': 'no-cache',
    });
    clients.add(res);
    res.on('close', () => clients.delete(res));
  };
  const expectedAuth = `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/hls/')) {
      const name = path.basename(url.slice(5).split('?')[0] ?? '');
      readFile(path.join(dir, name)).then(
        (data) => {
          res.writeHead(200, {
            'Content-Type': name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
          });
          res.end(data);
        },
        () => {
          res.writeHead(404).end();
        },
      );
      return;
    }
    if (url === '/mjpeg' || url === '/private/mjpeg') {
      if (mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (url === '/private/mjpeg' && req.headers.authorization !== expectedAuth) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="camera"' }).end('unauthorized');
        return;
      }
      streamTo(res);
      return;
    }
    if (url === '/page') {
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<html><body>A camera page</body></html>');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;

  const silentSockets = new Set<net.Socket>();
  const silent = net.createServer((s) => {
    silentSockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => silentSockets.delete(s));
  });
  const silentPort = await listen(silent);
  const refused = await closedPort();
  const rtsp = opts.rtsp === false ? null : await startRtsp(login);

  // a live playlist is read from a few segments before its end: wait for three
  let segments = hls ? 0 : 3;
  await waitFor(() => {
    void readFile(path.join(dir, 'live.m3u8'), 'utf8').then(
      (t) => (segments = t.split('\n').filter((l) => l.endsWith('.ts')).length),
      () => undefined,
    );
    return segments >= 3;
  }, 'the HLS playlist');

  return {
    base,
    hlsUrl: `${base}/hls/live.m3u8`,
    mjpegUrl: `${base}/mjpeg`,
    privateUrl: (l) =>
      l
        ? `http://${l.user}:${l.password}@127.0.0.1:${port}/private/mjpeg`
        : `${base}/private/mjpeg`,
    login,
    pageUrl: `${base}/page`,
    notFoundUrl: `${base}/nothing-here.m3u8`,
    silentUrl: `http://127.0.0.1:${silentPort}/stream.mjpg`,
    refusedUrl: `http://127.0.0.1:${refused}/stream.mjpg`,
    rtsp: rtsp
      ? {
          url: (l) =>
            l
              ? `rtsp://${l.user}:${l.password}@127.0.0.1:${rtsp.port}/cam`
              : `rtsp://127.0.0.1:${rtsp.port}/cam`,
        }
      : null,
    mjpeg: {
      set(m) {
        mode = m;
        if (m === 'down') {
          for (const res of clients) res.destroy();
          clients.clear();
        }
      },
      get framesSent() {
        return framesSent;
      },
      get connections() {
        return clients.size;
      },
    },
    async close() {
      clearInterval(tick);
      hls?.kill('SIGKILL');
      rtsp?.proc.kill('SIGKILL');
      for (const s of sockets) s.destroy();
      for (const s of silentSockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => server.close(() => r())),
        new Promise<void>((r) => silent.close(() => r())),
      ]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
