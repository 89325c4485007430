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
let framePort: MessagePort | null = null;
ipcRenderer.on(FRAME_PORT_CHANNEL, (e) => {
  framePort?.close();
  framePort = e.ports[0] ?? null;
  if (!framePort) return;
  framePort.onmessage = (m: MessageEvent<{ viewerId?: unknown; packet?: unknown }>) => {
    const { viewerId, packet } = m.data ?? {};
    if (typeof viewerId !== 'string' || !(packet instanceof Uint8Array)) return;
    const listeners = frameListeners.get(viewerId);
    if (!listeners || listeners.size === 0) return;
    const buffer = packet.buffer.slice(packet.byteOffset, packet.byteOffset + packet.byteLength);
    for (const l of listeners) l(buffer as ArrayBuffer);
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
    return () => set.delete(listener);
  },
  ackFrame(viewerId: string): void {
    framePort?.postMessage({ type: 'frame-ack', viewerId });
  },
});
