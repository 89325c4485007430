/**
 * The viewers' canvases are drawn by a worker (renderer/src/features/watch/draw-worker.ts), started
 * from a blob: URL that the CSP allows (`worker-src 'self' blob:`), on kvs serve's http page and on
 * the desktop's file:// page alike; the specs that play video (app, h264-watch, timeline) check the
 * picture it draws (e2e/canvas-colours.ts reads it from the screen).
 */
import { distinctColours } from './canvas-colours.js';
import { expect, test } from './fixtures.js';

test('each viewer’s canvas is handed to its drawing worker (OffscreenCanvas), not drawn on the main thread', async ({
  app,
}) => {
  const canvas = app.page.getByTestId('watch-canvas').first();
  await expect(canvas).toHaveAttribute('data-draws-in', 'worker');
  // a canvas whose control went to an OffscreenCanvas gives no context on the page
  const onPage = await canvas.evaluate((el) => {
    try {
      return (el as HTMLCanvasElement).getContext('2d') === null ? 'none' : 'a 2D context';
    } catch (err) {
      return err instanceof DOMException ? err.name : String(err);
    }
  });
  expect(onPage).toBe('InvalidStateError');
  // the pixel reader the other specs use sees a blank canvas as blank (the "No picture yet" text
  // over it is not counted), so their "> 8 colours" means a picture
  expect(await distinctColours(app.page)).toBeLessThanOrEqual(2);
});
