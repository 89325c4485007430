/**
 * The drawing worker's logic (draw-worker.ts runs it; the unit tests drive it with fakes): it owns
 * one viewer's canvas, transferred to it as an `OffscreenCanvas`, and draws the pictures the page
 * transfers to it (`ImageBitmap`s of JPEGs, `VideoFrame`s of H.264), resizing the canvas to each.
 *
 * - Every picture it receives is closed exactly once: after it is drawn, when a newer one replaces
 *   it before it was drawn, on `clear`, or when there is no canvas to draw on.
 * - Newest wins: a picture is drawn in a task after the one that brought it (`schedule`), so when
 *   the worker falls behind, the messages already waiting replace each other and only the newest
 *   is drawn (the page has acked them all already; `replaced` counts the others).
 */

/** What the worker draws: the part of an `ImageBitmap` or a `VideoFrame` it uses. */
export interface WorkerPicture {
  /** ImageBitmap */
  readonly width?: number;
  readonly height?: number;
  /** VideoFrame */
  readonly displayWidth?: number;
  readonly displayHeight?: number;
  close(): void;
}

export interface DrawCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): DrawContext | null;
}

export interface DrawContext {
  drawImage(picture: never, x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
}

/** Messages from the page to the worker. */
export type ToDrawer =
  | { readonly kind: 'canvas'; readonly canvas: DrawCanvas }
  | { readonly kind: 'draw'; readonly picture: WorkerPicture }
  | { readonly kind: 'clear' }
  /**
   * Draw no larger than this (a grid tile: its size on screen, in device pixels), keeping the
   * picture's shape; 0 × 0: the picture's own size.
   */
  | { readonly kind: 'limit'; readonly width: number; readonly height: number };

/** A picture's size scaled down (never up) to fit within a limit (0 × 0: no limit), keeping its shape. */
export function fitWithin(
  width: number,
  height: number,
  limit: { readonly width: number; readonly height: number } | null,
): { width: number; height: number } {
  if (limit === null || limit.width <= 0 || limit.height <= 0 || width <= 0 || height <= 0)
    return { width, height };
  const scale = Math.min(1, limit.width / width, limit.height / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** Messages from the worker to the page. */
export type FromDrawer =
  { readonly kind: 'ready' } | { readonly kind: 'failed'; readonly message: string };

export interface DrawerCounts {
  readonly drawn: number;
  readonly replaced: number;
  readonly failed: number;
}

export class OffscreenDrawer {
  private canvas: DrawCanvas | null = null;
  private ctx: DrawContext | null = null;
  private latest: WorkerPicture | null = null;
  private scheduled = false;
  private drawn = 0;
  private replaced = 0;
  private failed = 0;
  private limit: { width: number; height: number } | null = null;

  constructor(
    /** Run `task` in a later task of the worker (setTimeout 0), after the messages already waiting. */
    private readonly schedule: (task: () => void) => void,
    private readonly report: (message: FromDrawer) => void,
  ) {}

  get counts(): DrawerCounts {
    return { drawn: this.drawn, replaced: this.replaced, failed: this.failed };
  }

  handle(message: ToDrawer): void {
    switch (message.kind) {
      case 'canvas':
        this.canvas = message.canvas;
        this.ctx = message.canvas.getContext('2d');
        if (this.ctx === null) this.report({ kind: 'failed', message: 'no 2D context' });
        if (this.latest !== null) this.later();
        return;
      case 'draw':
        if (this.latest !== null) {
          this.latest.close();
          this.replaced++;
        }
        this.latest = message.picture;
        this.later();
        return;
      case 'limit':
        this.limit = { width: message.width, height: message.height };
        return;
      case 'clear': {
        this.latest?.close();
        this.latest = null;
        const c = this.canvas;
        this.ctx?.clearRect(0, 0, c?.width ?? 0, c?.height ?? 0);
        return;
      }
    }
  }

  private later(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.drawLatest();
    });
  }

  private drawLatest(): void {
    const picture = this.latest;
    const canvas = this.canvas;
    const ctx = this.ctx;
    if (picture === null) return;
    if (canvas === null || ctx === null) {
      // no canvas yet: keep the newest until it comes ('canvas' draws it); none at all: drop it
      if (canvas !== null) {
        this.latest = null;
        picture.close();
      }
      return;
    }
    this.latest = null;
    try {
      const { width, height } = fitWithin(
        picture.displayWidth ?? picture.width ?? 0,
        picture.displayHeight ?? picture.height ?? 0,
        this.limit,
      );
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      ctx.drawImage(picture as never, 0, 0, width, height);
      this.drawn++;
    } catch (err) {
      this.failed++;
      if (this.failed === 1)
        this.report({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      picture.close();
    }
  }
}
