/**
 * The only place that touches ipcMain. Every contract call is registered on
 * its own channel (`kvs:<channel>`); each handler checks that the sender is the
 * app's own window and page, then hands the raw arguments to the host, which
 * parses them with the contract's zod schema. Errors cross as data.
 */
import { ipcMain, MessageChannelMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { invoke, type InvokeChannel, type InvokeReply } from '../shared/contract.js';
import type { Host } from '../host/host.js';
import { isAppUrl } from './security.js';

export const IPC_PREFIX = 'kvs:';
export const EVENT_CHANNEL = 'kvs:event';
export const FRAME_PORT_CHANNEL = 'kvs:frame-port';

export function registerIpc({ host, win, appUrl }: { host: Host; win: BrowserWindow; appUrl: string }): () => void {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    try {
      if (event.sender !== win.webContents) return false;
      // null, or a getter that throws, when the frame navigated away or is being destroyed
      const frame = event.senderFrame;
      return frame !== null && isAppUrl(frame.url, appUrl);
    } catch {
      return false;
    }
  };

  const channels = Object.keys(invoke) as InvokeChannel[];
  for (const channel of channels) {
    ipcMain.handle(`${IPC_PREFIX}${channel}`, async (event, args: unknown): Promise<InvokeReply> => {
      if (!trusted(event)) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'Refused: not the app window.' } };
      return host.handle(channel, args);
    });
  }

  const offEvent = host.onEvent((channel, payload) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { channel, payload });
  });

  // Frames: binary packets over a MessagePort, not one IPC message each.
  let port: Electron.MessagePortMain | null = null;
  const sendPort = (): void => {
    port?.close();
    const { port1, port2 } = new MessageChannelMain();
    port = port1;
    port1.on('message', (e) => {
      const data: unknown = e.data;
      if (data && typeof data === 'object' && (data as { type?: unknown }).type === 'frame-ack') {
        const viewerId = (data as { viewerId?: unknown }).viewerId;
        if (typeof viewerId === 'string' && viewerId.length <= 64) host.ackFrame(viewerId);
      }
    });
    port1.start();
    win.webContents.postMessage(FRAME_PORT_CHANNEL, null, [port2]);
  };
  win.webContents.on('did-finish-load', sendPort);
  const offFrame = host.onFrame((viewerId, packet) => port?.postMessage({ viewerId, packet }));

  return () => {
    for (const channel of channels) ipcMain.removeHandler(`${IPC_PREFIX}${channel}`);
    win.webContents.off('did-finish-load', sendPort);
    offEvent();
    offFrame();
    port?.close();
  };
}
