/**
 * Preload: the only bridge between the page and main. It exposes one method
 * per contract operation (`calls[channel]`, each bound to its own IPC channel),
 * event subscription filtered to the contract's events, and binary frames from
 * the MessagePort main hands over. Never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { events, invoke, type EventChannel, type InvokeChannel } from '../shared/contract.js';

const IPC_PREFIX = 'kvs:';
const EVENT_CHANNEL = 'kvs:event';
const FRAME_PORT_CHANNEL = 'kvs:frame-port';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

function unwrap(reply: Reply): unknown {
  if (reply.ok) return reply.result;
  const err = new Error(reply.error.message);
  Object.assign(err, { code: reply.error.code });
  throw err;
}

const calls = Object.fromEntries(
  (Object.keys(invoke) as InvokeChannel[]).map((channel) => [
    channel,
    (args: unknown) => ipcRenderer.invoke(`${IPC_PREFIX}${channel}`, args).then((r: Reply) => unwrap(r)),
  ]),
) as Record<InvokeChannel, (args: unknown) => Promise<unknown>>;

const eventListeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
ipcRenderer.on(EVENT_CHANNEL, (_e, msg: { channel?: unknown; payload?: unknown }) => {
  if (typeof msg?.channel !== 'string' || !Object.hasOwn(events, msg.channel)) return;
  for (const l of eventListeners.get(msg.channel as EventChannel) ?? []) l(msg.payload);
});

const frameListeners = new Map<string, Set<(packet: ArrayBuffer) => void>>();
// The host may send a viewer's first frames before the page has its viewer id (the
// watch:start reply and the frames travel on different channels). Keep a few per
// viewer until someone listens; the host sends no more than that before an ack.
const EARLY_LIMIT = 8;
const early = new Map<string, ArrayBuffer[]>();
let framePort: MessagePort | null = null;
ipcRenderer.on(FRAME_PORT_CHANNEL, (e) => {
  framePort?.close();
  framePort = e.ports[0] ?? null;
  if (!framePort) return;
  framePort.onmessage = (m: MessageEvent<{ viewerId?: unknown; packet?: unknown }>) => {
    const { viewerId, packet } = m.data ?? {};
    if (typeof viewerId !== 'string' || !(packet instanceof Uint8Array)) return;
    const buffer = packet.buffer.slice(packet.byteOffset, packet.byteOffset + packet.byteLength) as ArrayBuffer;
    const listeners = frameListeners.get(viewerId);
    if (!listeners || listeners.size === 0) {
      const list = early.get(viewerId) ?? [];
      list.push(buffer);
      if (list.length > EARLY_LIMIT) list.shift();
      early.set(viewerId, list);
      if (early.size > 64) early.delete(early.keys().next().value as string);
      return;
    }
    for (const l of listeners) l(buffer);
  };
});

contextBridge.exposeInMainWorld('kvsElectron', {
  transport: 'electron',
  calls,
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void {
    if (!Object.hasOwn(events, channel)) throw new Error(`Unknown event ${String(channel)}`);
    const set = eventListeners.get(channel) ?? new Set();
    set.add(listener);
    eventListeners.set(channel, set);
    return () => set.delete(listener);
  },
  onFrame(viewerId: string, listener: (packet: ArrayBuffer) => void): () => void {
    const set = frameListeners.get(viewerId) ?? new Set();
    set.add(listener);
    frameListeners.set(viewerId, set);
    const waiting = early.get(viewerId);
    if (waiting) {
      early.delete(viewerId);
      for (const packet of waiting) listener(packet);
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) frameListeners.delete(viewerId);
    };
  },
  ackFrame(viewerId: string): void {
    framePort?.postMessage({ type: 'frame-ack', viewerId });
  },
});
