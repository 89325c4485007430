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
    this.context(picture.width, picture.height)?.drawImage(picture, 0, 0);
  }

  /** Draws a decoded video frame (WebCodecs), resizing the canvas to it; the caller closes it. */
  drawVideoFrame(frame: VideoFrame): void {
    const { displayWidth: width, displayHeight: height } = frame;
    this.context(width, height)?.drawImage(frame, 0, 0, width, height);
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

  clear(): void {
    const canvas = this.canvas;
    canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
  }
}
