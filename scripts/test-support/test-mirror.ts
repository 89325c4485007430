/**
 * A tiny Apache-mirror stand-in for tests: serves files over HTTP on an address of this machine
 * (a network namespace's veth end), honours `Range: bytes=N-` (what `curl -C -` sends to resume),
 * and can misbehave on purpose: cut a transfer part-way or stall it, to test resume and cancel.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the next GET of a file does: serve it, cut it after `bytes`, or send `bytes` and then stall. */
export type MirrorBehaviour = { kind: 'serve' } | { kind: 'cut'; bytes: number } | { kind: 'stall'; bytes: number };

export interface MirrorRequest {
  path: string;
  /** The start of a `Range: bytes=N-` request, or null for a whole-file request. */
  rangeStart: number | null;
}

export interface TestMirror {
  /** e.g. http://10.232.7.1:40123 */
  readonly url: string;
  readonly requests: MirrorRequest[];
  /** Applies to the following GETs of `urlPath` (default: serve). */
  setBehaviour(urlPath: string, behaviour: MirrorBehaviour): void;
  close(): Promise<void>;
}

function parseRange(req: IncomingMessage): number | null {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  return m ? Number(m[1]) : null;
}

export async function startTestMirror(host: string, files: Record<string, string>): Promise<TestMirror> {
  const behaviours = new Map<string, MirrorBehaviour>();
  const requests: MirrorRequest[] = [];
  const server: Server = createServer((req, res) => {
    const urlPath = new URL(req.url ?? '/', 'http://mirror').pathname;
    const file = Object.hasOwn(files, urlPath) ? files[urlPath] : undefined;
    const rangeStart = parseRange(req);
    requests.push({ path: urlPath, rangeStart });
    if (file === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end('not found');
      return;
    }
    void stat(file).then(
      (st) => {
        const start = rangeStart ?? 0;
        if (start >= st.size && st.size > 0) {
          res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
          return;
        }
        const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Content-Length': st.size - start, 'Accept-Ranges': 'bytes' };
        if (rangeStart !== null) headers['Content-Range'] = `bytes ${start}-${st.size - 1}/${st.size}`;
        res.writeHead(rangeStart !== null ? 206 : 200, headers);
        if (req.method === 'HEAD') return void res.end();
        const b = behaviours.get(urlPath) ?? { kind: 'serve' };
        if (b.kind === 'serve') {
          createReadStream(file, { start }).pipe(res);
          return;
        }
        const end = Math.min(st.size - 1, start + b.bytes - 1);
        const part = createReadStream(file, { start, end });
        // every byte of the part reaches the socket before a cut: destroying with data still
        // buffered in Node would drop it, and under load the client got less than `bytes`
        let flushed: Promise<void> = Promise.resolve();
        part.on('data', (c) => {
          flushed = new Promise<void>((resolve) => {
            if (!res.write(c, () => resolve())) {
              part.pause();
              res.once('drain', () => part.resume());
            }
          });
        });
        part.on('end', () => {
          // 'cut': the connection drops mid-transfer; 'stall': it stays open, sending nothing
          if (b.kind === 'cut') void flushed.then(() => res.destroy());
        });
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    setBehaviour(urlPath, behaviour) {
      behaviours.set(urlPath, behaviour);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
