/**
 * The one KvsClient of the page: Electron's preload bridge when present, else the
 * WebSocket transport to the `kvs serve` server that served this page.
 */
import { WS_PATH } from '../../../electron/shared/ws-protocol.js';
import { BrowserTransport } from './browser-transport.js';
import { ElectronClient } from './electron-client.js';
import type { KvsClient } from './types.js';

let api: KvsClient | null = null;

export function getApi(): KvsClient {
  if (api) return api;
  if (window.kvsElectron) {
    api = new ElectronClient({ bridge: window.kvsElectron, window });
    return api;
  }
  const { protocol, host } = window.location;
  const served = protocol === 'http:' || protocol === 'https:';
  const transport = new BrowserTransport({
    wsUrl: `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${WS_PATH}`,
    servicesLabel: served ? host : 'this page',
    fatal: served
      ? null
      : 'This page was opened from a file, so it has no service to talk to. Run `npx kvs serve` and open the address it prints (http://127.0.0.1:…/?token=…).',
  });
  // Back online or back in view: do not wait for the next backoff step.
  window.addEventListener('online', () => transport.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') transport.reconnectNow();
  });
  api = transport;
  return api;
}
