/**
 * The only place that touches ipcMain.
 *
 * - Every contract call has its own channel (`kvs:call:<channel>`, one `ipcMain.handle` each).
 *   A handler runs the call only when the sender is the app window showing the app page AND the
 *   call carries that page's current client id; then it hands the raw arguments to the app services,
 *   which parses them with the contract's zod schema. Replies are data, errors too.
 * - A page says hello once per load (`kvs:hello`): main makes a client for it and hands it a
 *   MessagePort for frames. The page's viewers and jobs belong to that client, and are released
 *   when the page goes — a main-frame navigation that happened, a reload, a crashed renderer, a
 *   closed window — or says hello again. A call from the page that was there before is refused.
 * - Frames go to the client that started the viewer, over its port, as binary packets; a frame
 *   for a client with no port is reported as not sent, so the viewer's gate does not wait for it.
 */
import {
  ipcMain,
  MessageChannelMain,
  type BrowserWindow,
  type IpcMainInvokeEvent,
  type MessagePortMain,
} from 'electron';
import { INVOKE_CHANNELS, IPC, type BridgeReply, type HelloReply } from '../shared/ipc-channels.js';
import type { AppServices } from '../services/app-services.js';
import { isAppUrl } from './security.js';

interface PageClient {
  readonly id: string;
  readonly port: MessagePortMain;
}

const NOT_THE_APP: BridgeReply = {
  ok: false,
  error: { code: 'INVALID_ARGUMENT', message: 'Refused: not the app window.' },
};
const STALE_PAGE: BridgeReply = {
  ok: false,
  error: {
    code: 'CANCELLED',
    message: 'Refused: this call came from a page that has been replaced (reloaded or navigated).',
  },
};

/** What went away, for the log line and tests. */
export type ReleaseReason =
  'navigation' | 'render-process-gone' | 'destroyed' | 'hello' | 'unregister';

export interface RegisterIpcOptions {
  readonly services: AppServices;
  readonly win: BrowserWindow;
  readonly appUrl: string;
  /** Told each time a page's client is released (tests, logs). */
  readonly onRelease?: (client: string, reason: ReleaseReason) => void;
}

export function registerIpc({ services, win, appUrl, onRelease }: RegisterIpcOptions): () => void {
  const contents = win.webContents;
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    try {
      if (event.sender !== contents) return false;
      // null, or a getter that throws, when the frame navigated away or is being destroyed
      const frame = event.senderFrame;
      return frame !== null && isAppUrl(frame.url, appUrl);
    } catch {
      return false;
    }
  };

  let seq = 0;
  let current: PageClient | null = null;
  const release = (reason: ReleaseReason): void => {
    const c = current;
    if (!c) return;
    current = null;
    c.port.close();
    onRelease?.(c.id, reason);
    // the page is gone: nobody can see or stop what it started
    void services.releaseClient(c.id, { jobs: true });
  };

  ipcMain.handle(IPC.hello, (event): HelloReply | null => {
    if (!trusted(event)) return null;
    release('hello');
    const id = `page-${++seq}`;
    const { port1, port2 } = new MessageChannelMain();
    port1.on('message', (e) => {
      const data: unknown = e.data;
      if (data === null || typeof data !== 'object') return;
      // a camera packet (camera-packet.ts): bytes the page posted (structured clone keeps a
      // Uint8Array one); the app services parse it and refuse it unless this page owns the job
      if (ArrayBuffer.isView(data)) {
        services.cameraFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), id);
        return;
      }
      if (data instanceof ArrayBuffer) {
        services.cameraFrame(new Uint8Array(data), id);
        return;
      }
      const { type, viewerId } = data as { type?: unknown; viewerId?: unknown };
      if (type === 'frame-ack' && typeof viewerId === 'string' && viewerId.length <= 64)
        services.ackFrame(viewerId, id);
    });
    port1.start();
    current = { id, port: port1 };
    contents.postMessage(IPC.framePort, null, [port2]);
    return { client: id };
  });

  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(
      `${IPC.callPrefix}${channel}`,
      async (event, envelope: unknown): Promise<BridgeReply> => {
        if (!trusted(event)) return NOT_THE_APP;
        const client = (envelope as { client?: unknown } | null)?.client;
        if (current === null || client !== current.id) return STALE_PAGE;
        return services.handle(channel, (envelope as { args?: unknown }).args, {
          client: current.id,
        });
      },
    );
  }

  const offEvent = services.onEvent((channel, payload) => {
    if (!win.isDestroyed()) contents.send(IPC.event, { channel, payload });
  });
  const offFrame = services.onFrame((_viewerId, packet, client) => {
    if (current === null || client !== current.id) return false;
    current.port.postMessage(packet);
    return true;
  });

  // The page goes away: its client goes with it. A navigation counts once it has happened:
  // Electron emits did-start-navigation before will-navigate (docs/api/web-contents.md,
  // "Document Navigations"), so a navigation that index.ts then refuses — a video file dropped
  // on the window — must not take the live page's client. did-navigate (main frame, committed,
  // not same-document) releases the client that was current when that navigation started,
  // unless the new page's hello has replaced it already.
  let navigatingFrom: string | null = null;
  const onNavigationStart = (details: { isMainFrame: boolean; isSameDocument: boolean }): void => {
    if (details.isMainFrame && !details.isSameDocument) navigatingFrom = current?.id ?? null;
  };
  const onNavigated = (): void => {
    if (current !== null && current.id === navigatingFrom) release('navigation');
    navigatingFrom = null;
  };
  const onGone = (): void => release('render-process-gone');
  const onDestroyed = (): void => release('destroyed');
  contents.on('did-start-navigation', onNavigationStart);
  contents.on('did-navigate', onNavigated);
  contents.on('render-process-gone', onGone);
  contents.on('destroyed', onDestroyed);

  return () => {
    ipcMain.removeHandler(IPC.hello);
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(`${IPC.callPrefix}${channel}`);
    if (!contents.isDestroyed()) {
      contents.off('did-start-navigation', onNavigationStart);
      contents.off('did-navigate', onNavigated);
      contents.off('render-process-gone', onGone);
      contents.off('destroyed', onDestroyed);
    }
    offEvent();
    offFrame();
    release('unregister');
  };
}
