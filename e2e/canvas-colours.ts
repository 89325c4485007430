/**
 * What the viewer's canvas shows, for specs: how many distinct colours (a blank or black canvas has one).
 *
 * The canvas is drawn by a worker (its control transferred to an OffscreenCanvas: no 2D context on
 * the page), so its pixels are read from the screen: a screenshot of the canvas element with the
 * overlays above it hidden, decoded by the page's own PNG decoder (createImageBitmap of a Blob: no
 * fetch, so the CSP's connect-src is not involved).
 */
import type { Page } from '@playwright/test';

/** Hides what sits over the canvas on the stage (the empty-stage text, notes, numbers). */
const ONLY_THE_CANVAS = '.stage > :not(canvas) { visibility: hidden !important; }';

/** Distinct colours on the first viewer's canvas, sampled (testsrc2 is colourful). */
export async function distinctColours(page: Page): Promise<number> {
  const canvas = page.getByTestId('watch-canvas').first();
  const png = await canvas.screenshot({ style: ONLY_THE_CANVAS, animations: 'disabled' });
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const { width, height } = bitmap;
    if (width === 0 || height === 0) return 0;
    const ctx = new OffscreenCanvas(width, height).getContext('2d');
    if (!ctx) return 0;
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const { data } = ctx.getImageData(0, 0, width, height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97)
      seen.add(
        ((data[i] ?? 0) >> 4) * 256 + ((data[i + 1] ?? 0) >> 4) * 16 + ((data[i + 2] ?? 0) >> 4),
      );
    return seen.size;
  }, png.toString('base64'));
}
