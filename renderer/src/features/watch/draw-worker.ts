/**
 * The drawing worker: one per viewer's canvas (canvas-surface.ts starts it). Vite inlines it into
 * the page's bundle and starts it from a blob: URL (`?worker&inline`), so it starts the same way
 * from Electron's file:// page and from `kvs serve`'s http://127.0.0.1 page (a worker script from
 * a file:// URL is refused: the page's origin is opaque); the CSP allows `worker-src 'self' blob:`.
 */
import { OffscreenDrawer, type FromDrawer, type ToDrawer } from './offscreen-drawer.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToDrawer>) => void) | null;
  postMessage(message: FromDrawer): void;
}

const scope = self as unknown as WorkerScope;
const drawer = new OffscreenDrawer(
  (task) => setTimeout(task, 0),
  (message) => scope.postMessage(message),
);
scope.onmessage = (event) => drawer.handle(event.data);
scope.postMessage({ kind: 'ready' });
