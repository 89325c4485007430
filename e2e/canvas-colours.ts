/** What the viewer's canvas shows, for specs: how many distinct colours (a blank or black canvas has one). */
import type { Page } from '@playwright/test';

/** Distinct colours on the first viewer's canvas, sampled (testsrc2 is colourful). */
export function distinctColours(page: Page): Promise<number> {
  return page
    .getByTestId('watch-canvas')
    .first()
    .evaluate((el) => {
      const canvas = el as HTMLCanvasElement;
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0) return 0;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 97)
        seen.add(
          ((data[i] ?? 0) >> 4) * 256 + ((data[i + 1] ?? 0) >> 4) * 16 + ((data[i + 2] ?? 0) >> 4),
        );
      return seen.size;
    });
}
