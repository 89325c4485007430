/**
 * The viewer's canvas, as the renderer draws on it. The canvas element hands itself over
 * through its ref callback, so the renderer (made once, during the first render) holds no React
 * ref; it draws outside render, whenever a frame is decoded.
 */
export class CanvasSurface {
  private canvas: HTMLCanvasElement | null = null;

  /** The canvas element's ref callback calls this (null when it goes away). */
  attach(canvas: HTMLCanvasElement | null): void {
    this.canvas = canvas;
  }

  /** Draws the picture, resizing the canvas to it. */
  draw(picture: CanvasImageSource & { readonly width: number; readonly height: number }): void {
    const canvas = this.canvas;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    if (canvas.width !== picture.width) canvas.width = picture.width;
    if (canvas.height !== picture.height) canvas.height = picture.height;
    ctx.drawImage(picture, 0, 0);
  }

  clear(): void {
    const canvas = this.canvas;
    canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
  }
}
