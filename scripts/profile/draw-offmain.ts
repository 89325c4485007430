/**
 * Profile: where the page's drawing costs main-thread time, and what moving it off the main
 * thread would save (issue 14, item 3). `node --import tsx scripts/profile/draw-offmain.ts`
 * [--seconds 8] [--only jpeg-720,…] [--viewers 1,4] [--modes 2d,bitmaprenderer,worker].
 *
 * The page the app draws with does this per frame: JPEG → `createImageBitmap(Blob)` →
 * `drawImage` on a 2D canvas → `close()`; H.264 → a `VideoDecoder` per stream, its output
 * callback `drawImage(videoFrame)` → `close()` (canvas-surface.ts, viewer-renderer.ts). This
 * script plays the same frames (ffmpeg testsrc2, 720p and 1080p, JPEG and H.264) into 1 or 4
 * canvases at 30 fps each in headless Chromium (the machine's: software rendering), newest frame
 * wins as in frame-scheduler.ts, and draws them in one of these ways:
 *   nodraw         decoded and closed, not drawn: the harness's own cost, to subtract
 *   2d             the app today: drawImage on the main thread
 *   bitmaprenderer transferFromImageBitmap (an H.264 frame becomes an ImageBitmap first)
 *   worker         the canvas transferred to one dedicated worker (OffscreenCanvas); the
 *                  ImageBitmap / VideoFrame transferred to it, drawn and closed there
 *   worker-each    the same with one worker per viewer
 * For each it reports: frames drawn per second (of 30 × viewers), the main thread's busy time
 * (CDP TaskDuration, per drawn frame), the synchronous draw call (performance.now around it),
 * long tasks, how late a 10 ms timer fires (the page's responsiveness), and CPU per thread of the
 * renderer process (/proc: CrRendererMain, the worker, the compositor and raster threads) and of
 * the GPU (viz, software compositing) process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test-support/chromium.js';
import { allProcs, clockTicksPerSecond, descendants, parseProcStat } from '../bench/proc.js';

type Codec = 'jpeg' | 'h264';
type Mode = 'nodraw' | '2d' | 'bitmaprenderer' | 'worker' | 'worker-each';

interface Clip {
  readonly name: string;
  readonly codec: Codec;
  readonly width: number;
  readonly height: number;
  /** One JPEG or one Annex B access unit each. */
  readonly frames: Buffer[];
  readonly codecString: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const SECONDS = Number(arg('seconds', '8'));
const ONLY = arg('only', 'jpeg-720,jpeg-1080,h264-720,h264-1080').split(',');
const VIEWERS = arg('viewers', '1,4').split(',').map(Number);
const MODES = arg('modes', 'nodraw,2d,bitmaprenderer,worker,worker-each').split(',') as Mode[];
const FRAMES = 90;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** Cut an Annex B stream at its access unit delimiters (NAL type 9). */
function accessUnits(buf: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1 && ((buf[i + 3] ?? 0) & 0x1f) === 9)
      starts.push(i > 0 && buf[i - 1] === 0 ? i - 1 : i);
  }
  return starts.map((s, k) => buf.subarray(s, starts[k + 1] ?? buf.length));
}

function jpegs(buf: Buffer): Buffer[] {
  // testsrc2 JPEGs from ffmpeg: each starts with FF D8 FF and ends with FF D9; cut at each SOI after an EOI
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 2; i + 2 < buf.length; i++) {
    if (buf[i - 2] === 0xff && buf[i - 1] === 0xd9 && buf[i] === 0xff && buf[i + 1] === 0xd8) {
      out.push(buf.subarray(start, i));
      start = i;
    }
  }
  out.push(buf.subarray(start));
  return out;
}

function makeClips(dir: string): Clip[] {
  const clips: Clip[] = [];
  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    const src = ['-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=30`, '-frames:v', `${FRAMES}`];
    const j = join(dir, `${h}.mjpeg`);
    ffmpeg([...src, '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', j]);
    clips.push({
      name: `jpeg-${h}`,
      codec: 'jpeg',
      width: w,
      height: h,
      frames: jpegs(readFileSync(j)),
      codecString: 'image/jpeg',
    });
    const v = join(dir, `${h}.h264`);
    ffmpeg([
      ...src,
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'high',
      '-bf',
      '0',
      '-g',
      '30',
      '-b:v',
      h === 720 ? '2M' : '4M',
      '-x264-params',
      'aud=1:repeat-headers=1',
      '-f',
      'h264',
      v,
    ]);
    clips.push({
      name: `h264-${h}`,
      codec: 'h264',
      width: w,
      height: h,
      frames: accessUnits(readFileSync(v)),
      codecString: h === 720 ? 'avc1.64001f' : 'avc1.640028',
    });
  }
  return clips.filter((c) => ONLY.includes(c.name));
}

/** CPU ticks per thread name of every Chromium process under this one (renderer and gpu only). */
function threadTicks(): Map<string, number> {
  const procs = allProcs();
  const out = new Map<string, number>();
  for (const p of descendants(procs, process.pid)) {
    let type: string;
    try {
      // Chromium rewrites its process title: the arguments may be joined by spaces
      const args = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split(/[\0 ]/);
      type = args.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    } catch {
      continue;
    }
    if (type !== 'renderer' && type !== 'gpu-process') continue;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const s = parseProcStat(readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8'));
        if (!s) continue;
        const key = `${type === 'renderer' ? 'r' : 'gpu'}:${s.comm.replace(/\d+$/, '')}`;
        out.set(key, (out.get(key) ?? 0) + s.utime + s.stime);
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}

// ---- the page -----------------------------------------------------------------------------

const WORKER = `
const canvases = new Map();
self.onmessage = (e) => {
  const m = e.data;
  if (m.canvas) { canvases.set(m.id, { canvas: m.canvas, ctx: m.canvas.getContext('2d') }); return; }
  const c = canvases.get(m.id);
  const src = m.src;
  const w = src.displayWidth ?? src.width, h = src.displayHeight ?? src.height;
  if (c) {
    if (c.canvas.width !== w) c.canvas.width = w;
    if (c.canvas.height !== h) c.canvas.height = h;
    c.ctx.drawImage(src, 0, 0, w, h);
  }
  src.close();
  self.postMessage({ id: m.id });
};`;

const PAGE = `<!doctype html><meta charset=utf-8><body style="margin:0;background:#222">
<div id=stage style="display:grid;grid-template-columns:repeat(2,640px);gap:4px"></div>
<script>
const WORKER_SRC = ${JSON.stringify(WORKER)};
window.runProfile = async function (opts) {
  const { codec, codecString, frames: urls, viewers, mode, seconds } = opts;
  const frames = await Promise.all(urls.map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())));
  const stage = document.getElementById('stage');
  stage.innerHTML = '';
  const workerUrl = URL.createObjectURL(new Blob([WORKER_SRC], { type: 'text/javascript' }));
  const each = mode === 'worker-each';
  let worker = null;
  if (mode === 'worker') worker = new Worker(workerUrl);
  const drawTimes = [];
  const longTasks = [];
  const lags = [];
  const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); });
  obs.observe({ type: 'longtask' });
  let drawn = 0, dropped = 0, closedLeak = 0, measuring = false;
  const views = [];
  for (let v = 0; v < viewers; v++) {
    const canvas = document.createElement('canvas');
    canvas.width = 640; canvas.height = 360;
    canvas.style.width = '640px'; canvas.style.height = '360px';
    stage.appendChild(canvas);
    const view = { id: v, canvas, busy: false, waiting: null, decoder: null, inDecoder: 0 };
    if (each) {
      view.worker = new Worker(workerUrl);
      view.worker.onmessage = () => { view.busy = false; done(view); next(view); };
    }
    if (mode === 'worker' || each) {
      const off = canvas.transferControlToOffscreen();
      (view.worker ?? worker).postMessage({ id: v, canvas: off }, [off]);
    } else if (mode !== 'nodraw') view.ctx = canvas.getContext(mode === '2d' ? '2d' : 'bitmaprenderer');
    views.push(view);
  }
  const done = (view) => { if (measuring) drawn++; };
  if (worker) worker.onmessage = (e) => { const view = views[e.data.id]; view.busy = false; done(view); next(view); };
  function drawSource(view, src) {
    // src: ImageBitmap or VideoFrame; returns true when drawn synchronously
    const t0 = performance.now();
    if (mode === 'nodraw') {
      src.close();
      if (measuring) drawTimes.push(performance.now() - t0);
      return true;
    }
    if (mode === '2d') {
      const w = src.displayWidth ?? src.width, h = src.displayHeight ?? src.height;
      if (view.canvas.width !== w) view.canvas.width = w;
      if (view.canvas.height !== h) view.canvas.height = h;
      view.ctx.drawImage(src, 0, 0, w, h);
      src.close();
      if (measuring) drawTimes.push(performance.now() - t0);
      return true;
    }
    if (mode === 'bitmaprenderer') {
      view.ctx.transferFromImageBitmap(src);
      if (measuring) drawTimes.push(performance.now() - t0);
      return true;
    }
    (view.worker ?? worker).postMessage({ id: view.id, src }, [src]);
    if (measuring) drawTimes.push(performance.now() - t0);
    return false;
  }
  function next(view) {
    const w = view.waiting; view.waiting = null;
    if (w !== null) push(view, w);
  }
  // JPEG: the scheduler (one decode at a time, newest waiting wins)
  function push(view, i) {
    if (codec === 'h264') return pushH264(view, i);
    if (view.busy) { if (view.waiting !== null && measuring) dropped++; view.waiting = i; return; }
    view.busy = true;
    createImageBitmap(new Blob([frames[i]], { type: 'image/jpeg' })).then((bmp) => {
      if (drawSource(view, bmp)) { view.busy = false; done(view); next(view); }
    });
  }
  // H.264: every access unit into the view's decoder; the output callback draws
  function pushH264(view, i) {
    if (!view.decoder) {
      view.decoder = new VideoDecoder({
        output: (frame) => {
          const t0 = performance.now();
          if (mode === 'bitmaprenderer') {
            createImageBitmap(frame).then((bmp) => { frame.close(); drawSource(view, bmp); done(view); });
          } else if (drawSource(view, frame)) done(view);
          if (measuring) cbTimes.push(performance.now() - t0);
        },
        error: (e) => console.error(e),
      });
      view.decoder.configure({ codec: codecString, optimizeForLatency: true });
    }
    if (view.decoder.decodeQueueSize > 4) { if (measuring) dropped++; }
    view.decoder.decode(new EncodedVideoChunk({ type: i % 30 === 0 ? 'key' : 'delta', timestamp: view.ts = (view.ts ?? -33333) + 33333, data: frames[i] }));
  }
  const cbTimes = [];
  // responsiveness probe: a 10 ms timer's lateness
  let expected = performance.now() + 10;
  const probe = setInterval(() => { const now = performance.now(); if (measuring) lags.push(Math.max(0, now - expected)); expected = now + 10; }, 10);
  // 30 fps per viewer, starting at frame 0 (a keyframe)
  let tick = 0;
  const start = performance.now();
  const warm = 1500;
  const total = warm + seconds * 1000;
  await new Promise((resolve) => {
    const step = () => {
      const now = performance.now();
      const due = Math.floor((now - start) / (1000 / 30));
      while (tick <= due) { for (const v of views) push(v, tick % frames.length); tick++; }
      if (!measuring && now - start >= warm) { measuring = true; window.__mark = 'start'; }
      if (now - start >= total) return resolve();
      setTimeout(step, 4);
    };
    step();
  });
  measuring = false;
  clearInterval(probe);
  obs.disconnect();
  for (const v of views) { if (v.decoder && v.decoder.state !== 'closed') v.decoder.close(); }
  worker?.terminate();
  for (const v of views) v.worker?.terminate();
  const pct = (a, p) => { if (a.length === 0) return null; const s = [...a].sort((x, y) => x - y); return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 100) / 100; };
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  return {
    drawnPerSec: Math.round((drawn / seconds) * 10) / 10,
    dropped,
    drawCallMs: { p50: pct(drawTimes, 0.5), p95: pct(drawTimes, 0.95), max: pct(drawTimes, 1) },
    decodeCallbackMs: codec === 'h264' ? { p50: pct(cbTimes, 0.5), p95: pct(cbTimes, 0.95) } : null,
    longTasks: longTasks.length, longTaskMs: Math.round(sum(longTasks)),
    timerLagMs: { p50: pct(lags, 0.5), p95: pct(lags, 0.95), max: pct(lags, 1) },
  };
};
</script>`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-profile-'));
  const clips = makeClips(dir);
  const files = new Map<string, Buffer>();
  for (const c of clips) c.frames.forEach((f, i) => files.set(`/f/${c.name}/${i}`, f));
  const server: Server = createServer((req, res) => {
    const body = req.url === '/' ? Buffer.from(PAGE) : files.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': req.url === '/' ? 'text/html' : 'application/octet-stream',
    });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await launchChromium();
  const hz = clockTicksPerSecond();
  console.log(
    `load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()}; ${SECONDS} s per run, 30 fps per viewer`,
  );
  const rows: string[] = [];
  try {
    for (const clip of clips) {
      for (const viewers of VIEWERS) {
        for (const mode of MODES) {
          const page = await browser.newPage({ viewport: { width: 1300, height: 760 } });
          await page.goto(`http://127.0.0.1:${port}/`);
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Performance.enable');
          const metric = async (): Promise<number> =>
            (await cdp.send('Performance.getMetrics')).metrics.find(
              (m) => m.name === 'TaskDuration',
            )?.value ?? 0;
          const run = page.evaluate(
            (o) =>
              (
                globalThis as unknown as {
                  runProfile(o: unknown): Promise<Record<string, unknown>>;
                }
              ).runProfile(o),
            {
              codec: clip.codec,
              codecString: clip.codecString,
              frames: clip.frames.map((_, i) => `/f/${clip.name}/${i}`),
              viewers,
              mode,
              seconds: SECONDS,
            },
          );
          await page.waitForFunction(() => (globalThis as { __mark?: string }).__mark === 'start');
          const m0 = await metric();
          const th0 = threadTicks();
          const t0 = performance.now();
          const result = await run;
          const ms = performance.now() - t0;
          const m1 = await metric();
          const th1 = threadTicks();
          const threads: Record<string, number> = {};
          for (const [k, v] of th1) {
            const pct = Math.round(((v - (th0.get(k) ?? 0)) / hz / (ms / 1000)) * 1000) / 10;
            if (pct >= 1) threads[k] = pct;
          }
          const drawnPerSec = result.drawnPerSec as number;
          const mainPct = Math.round(((m1 - m0) / (ms / 1000)) * 1000) / 10;
          const mainMsPerFrame =
            drawnPerSec > 0
              ? Math.round((((m1 - m0) * 1000) / ((drawnPerSec * ms) / 1000)) * 100) / 100
              : null;
          const line = JSON.stringify({
            clip: clip.name,
            viewers,
            mode,
            mainThreadBusyPct: mainPct,
            mainMsPerDrawnFrame: mainMsPerFrame,
            ...result,
            cpuPctByThread: threads,
          });
          console.log(line);
          rows.push(line);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    console.log(`load average at end: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  }
}

await main();
