/**
 * Starts the drawing worker (draw-worker.ts), inlined by Vite and started from a blob: URL
 * (`?worker&inline`; on Vite's dev server, from the server's own origin). Kept apart from
 * canvas-surface.ts so its unit tests, which inject their own worker, never load this import.
 */
import DrawWorker from './draw-worker.ts?worker&inline';

/** A new drawing worker, or null where the page cannot start one. */
export function startDrawWorker(): Worker | null {
  try {
    return new DrawWorker({ name: 'kvs-draw' });
  } catch {
    return null;
  }
}
