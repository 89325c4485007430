/**
 * The viewer's canvas, as the renderer draws on it. The canvas element hands itself over
 * through its ref callback, so the renderer (made once, during the first render) holds no React
 * ref; it draws outside render, whenever a frame is decoded.
 *
 * Where the page can (OffscreenCanvas, `transferControlToOffscreen`, a worker that starts), the
 * canvas is handed to a drawing worker of its own (draw-worker.ts) and every picture is
 * transferred to it: the main thread only posts it (ARCHITECTURE.md, "The path of one frame",
 * has the profile). Otherwise, or when the worker fails to start, it draws with a 2D context here.
 *
 * Ownership: the caller closes what it passed in, as before. An `ImageBitmap` is transferred
 * (the caller's object is then detached, its `close()` does nothing); a `VideoFrame` is cloned
 * (the same picture, no copy) and the clone transferred, so the caller may still read it. The
 * worker closes what it receives (offscreen-drawer.ts).
 */
import { fitWithin, type FromDrawer, type ToDrawer } from './offscreen-drawer.js';
import { startDrawWorker } from './draw-worker-start.js';

type Picture = CanvasImageSource & { readonly width: number; readonly height: number };

/** How a surface starts its worker (tests inject one); null: no worker, draw here. */
export type DrawWorkerStarter = () => Worker | null;

interface SurfaceOptions {
  readonly startWorker?: DrawWorkerStarter;
  /** How long the worker may take to say it is ready before the surface draws here instead. */
  readonly readyTimeoutMs?: number;
}

/** True where a canvas can be drawn by a worker. */
export function offscreenDrawingAvailable(): boolean {
  return (
    typeof OffscreenCanvas !== 'undefined' &&
    typeof Worker !== 'undefined' &&
    typeof HTMLCanvasElement !== 'undefined' &&
    'transferControlToOffscreen' in HTMLCanvasElement.prototype
  );
}

type Mode =
  | { readonly kind: 'none' }
  | { readonly kind: 'main' }
  /** The worker is starting: the newest picture waits (owned here). */
  | {
      readonly kind: 'starting';
      readonly worker: Worker;
      readonly timer: ReturnType<typeof setTimeout>;
    }
  | { readonly kind: 'worker'; readonly worker: Worker };

export class CanvasSurface {
  private canvas: HTMLCanvasElement | null = null;
  private mode: Mode = { kind: 'none' };
  /** The newest picture while the worker starts, ours to close. */
  private pending: ImageBitmap | VideoFrame | null = null;
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;
  /** Draw no larger than this (a grid tile's size on screen); null: the picture's size. */
  private sizeLimit: { width: number; height: number } | null = null;
  private readonly startWorker: DrawWorkerStarter;
  private readonly readyTimeoutMs: number;

  constructor(options: SurfaceOptions = {}) {
    this.startWorker =
      options.startWorker ?? (() => (offscreenDrawingAvailable() ? startDrawWorker() : null));
    this.readyTimeoutMs = options.readyTimeoutMs ?? 3000;
  }

  /** Where the pictures are drawn now; the canvas says it too (`data-draws-in`, for e2e specs). */
  get drawsIn(): Mode['kind'] {
    return this.mode.kind;
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    if (this.canvas !== null) this.canvas.dataset['drawsIn'] = mode.kind;
  }

  /**
   * The canvas element's ref callback calls this (null when it goes away). React may hand the same
   * element back at once (StrictMode): the worker stays; it ends only when no canvas came back.
   */
  attach(canvas: HTMLCanvasElement | null): void {
    if (canvas !== null && canvas === this.canvas) {
      if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
      this.releaseTimer = null;
      return;
    }
    if (canvas === null) {
      if (this.canvas !== null && this.releaseTimer === null)
        this.releaseTimer = setTimeout(() => this.release(), 0);
      return;
    }
    this.release();
    this.canvas = canvas;
    const worker = this.startWorker();
    if (worker === null) {
      this.setMode({ kind: 'main' });
      return;
    }
    const timer = setTimeout(() => this.fallBack(worker), this.readyTimeoutMs);
    this.setMode({ kind: 'starting', worker, timer });
    worker.onmessage = (event: MessageEvent<FromDrawer>) => this.fromWorker(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.fallBack(worker);
    };
  }

  /**
   * Draw no larger than width × height device pixels (a grid tile: its size on screen), keeping
   * the picture's shape; 0 × 0: the picture's own size. Less to draw and composite per frame.
   */
  limit(width: number, height: number): void {
    const w = Math.max(0, Math.round(width));
    const h = Math.max(0, Math.round(height));
    const now = this.sizeLimit;
    if (now !== null && now.width === w && now.height === h) return;
    this.sizeLimit = { width: w, height: h };
    const mode = this.mode;
    if (mode.kind === 'worker') this.post(mode.worker, { kind: 'limit', width: w, height: h }, []);
  }

  /** Draws the picture, resizing the canvas to it; the caller closes it. */
  draw(picture: Picture): void {
    const mode = this.mode;
    if (mode.kind === 'main') {
      const { width, height } = fitWithin(picture.width, picture.height, this.sizeLimit);
      this.context(width, height)?.drawImage(picture, 0, 0, width, height);
    } else if (mode.kind === 'worker' && picture instanceof ImageBitmap) {
      this.post(mode.worker, { kind: 'draw', picture }, [picture]);
    } else if (mode.kind === 'starting' && picture instanceof ImageBitmap) {
      this.hold(structuredClone(picture, { transfer: [picture] }));
    } else if (mode.kind !== 'none') {
      // another image source (not from createImageBitmap): draw nothing rather than block
    }
  }

  /** Draws a decoded video frame (WebCodecs), resizing the canvas to it; the caller closes it. */
  drawVideoFrame(frame: VideoFrame): void {
    const mode = this.mode;
    if (mode.kind === 'main') {
      const { width, height } = fitWithin(frame.displayWidth, frame.displayHeight, this.sizeLimit);
      this.context(width, height)?.drawImage(frame, 0, 0, width, height);
    } else if (mode.kind === 'worker') {
      const copy = frame.clone();
      this.post(mode.worker, { kind: 'draw', picture: copy }, [copy]);
    } else if (mode.kind === 'starting') {
      this.hold(frame.clone());
    }
  }

  clear(): void {
    const mode = this.mode;
    this.dropPending();
    if (mode.kind === 'worker') this.post(mode.worker, { kind: 'clear' }, []);
    else if (mode.kind === 'main') {
      const canvas = this.canvas;
      canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    }
  }

  private fromWorker(worker: Worker, message: FromDrawer): void {
    const mode = this.mode;
    if (message.kind === 'failed') {
      console.warn('kvs: the drawing worker says', message.message);
      return;
    }
    if (mode.kind !== 'starting' || mode.worker !== worker || this.canvas === null) return;
    clearTimeout(mode.timer);
    let offscreen: OffscreenCanvas;
    try {
      offscreen = this.canvas.transferControlToOffscreen();
    } catch {
      this.fallBack(worker);
      return;
    }
    this.setMode({ kind: 'worker', worker });
    this.post(worker, { kind: 'canvas', canvas: offscreen as never }, [offscreen]);
    const limit = this.sizeLimit;
    if (limit !== null) this.post(worker, { kind: 'limit', ...limit }, []);
    const first = this.pending;
    this.pending = null;
    if (first !== null) this.post(worker, { kind: 'draw', picture: first }, [first]);
  }

  /** The worker did not start (a CSP, an error): draw here, the canvas was not handed over yet. */
  private fallBack(worker: Worker): void {
    const mode = this.mode;
    if (mode.kind !== 'starting' || mode.worker !== worker) return;
    clearTimeout(mode.timer);
    worker.terminate();
    this.setMode({ kind: 'main' });
    const first = this.pending;
    this.pending = null;
    if (first === null) return;
    if (first instanceof ImageBitmap) this.draw(first);
    else this.drawVideoFrame(first);
    first.close();
  }

  private hold(picture: ImageBitmap | VideoFrame): void {
    this.dropPending();
    this.pending = picture;
  }

  private dropPending(): void {
    this.pending?.close();
    this.pending = null;
  }

  private post(worker: Worker, message: ToDrawer, transfer: Transferable[]): void {
    try {
      worker.postMessage(message, transfer);
    } catch (err) {
      // not sent (e.g. an already closed picture): what we cloned is ours to close
      for (const t of transfer) if (t instanceof VideoFrame) t.close();
      console.warn('kvs: a picture could not be sent to the drawing worker', err);
    }
  }

  /** The canvas went away for good: its worker ends (what it held ends with it). */
  private release(): void {
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    this.dropPending();
    const mode = this.mode;
    if (mode.kind === 'starting') clearTimeout(mode.timer);
    if (mode.kind === 'starting' || mode.kind === 'worker') mode.worker.terminate();
    this.setMode({ kind: 'none' });
    this.canvas = null;
  }

  /** The canvas's 2D context, the canvas resized to width × height first. */
  private context(width: number, height: number): CanvasRenderingContext2D | null {
    const canvas = this.canvas;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return null;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    return ctx;
  }
}
