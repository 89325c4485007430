/**
 * Preload: the only bridge between the page and main, and a small one.
 *
 * It runs sandboxed (`sandbox: true`), where `require` resolves only `electron`, `events`,
 * `timers` and `url` (Electron docs, "Process Sandboxing" → "Preload scripts"). So it imports
 * nothing but `electron` and the dependency-free channel list; it parses nothing (the page
 * parses every reply and event with the contract), and it never holds a frame: the page gets
 * its own MessagePort.
 *
 * - `calls[channel](args)`: one function per contract call, each on its own IPC channel,
 *   carrying this page's client id. The reply comes back as data — never as a throw, since
 *   contextBridge rebuilds an Error from its message alone and `code`/`detail` would be lost.
 * - `onEvent(listener)`: the contract's events, filtered to its channel names.
 * - `requestFramePort(nonce)`: the page asks for its frame port; it is forwarded to the page
 *   with `window.postMessage(…, '*', [port])`, the pattern of Electron's
 *   docs/tutorial/message-ports.md, so frames go straight from main to the page.
 *
 * Never ipcRenderer itself, never a generic invoke(channel).
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  BRIDGE_GLOBAL,
  FRAME_PORT_MESSAGE,
  INVOKE_CHANNELS,
  IPC,
  isEventChannel,
  type BridgeReply,
  type CallEnvelope,
  type FramePortMessage,
  type HelloReply,
  type InvokeChannel,
  type KvsElectronBridge,
} from '../shared/ipc-channels.js';

/** An IPC failure (main gone, no handler) as a reply the page understands. */
function unreachable(err: unknown): BridgeReply {
  const message = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    error: {
      code: 'SERVICES_UNREACHABLE',
      message: 'The app’s main process did not answer. Restart Kafka Video Studio.',
      detail: message,
    },
  };
}

function isBridgeReply(value: unknown): value is BridgeReply {
  if (value === null || typeof value !== 'object') return false;
  const r = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok === true) return 'result' in r;
  return r.ok === false && typeof r.error?.code === 'string' && typeof r.error.message === 'string';
}

// ---- this page's client, and its frame port ------------------------------------------------------

let hello: Promise<HelloReply> | null = null;
/** Say hello once per page load: main makes this page's client and sends its frame port. */
function helloOnce(): Promise<HelloReply> {
  hello ??= ipcRenderer.invoke(IPC.hello).then(
    (reply: unknown) => {
      const client = (reply as { client?: unknown } | null)?.client;
      if (typeof client !== 'string') throw new Error('main did not give this page a client id');
      return { client };
    },
    (err: unknown) => {
      // main was not ready (or not answering): the next call or ask says hello again
      hello = null;
      throw err;
    },
  );
  return hello;
}

let framePort: MessagePort | null = null;
/** The nonce of the page's pending ask, if any. */
let asked: string | null = null;
/** This client's port went to the page already. */
let forwarded = false;

function forwardPort(): void {
  if (!framePort || asked === null) return;
  const message: FramePortMessage = { type: FRAME_PORT_MESSAGE, nonce: asked };
  // the port moves to the page: from here on frames never pass through this world
  window.postMessage(message, '*', [framePort]);
  framePort = null;
  asked = null;
  forwarded = true;
}

ipcRenderer.on(IPC.framePort, (event) => {
  const port = event.ports[0];
  if (!port) return;
  framePort?.close();
  framePort = port;
  forwardPort();
});

// ---- calls and events ------------------------------------------------------------------------------

function callOn(channel: InvokeChannel): (args: unknown) => Promise<BridgeReply> {
  return async (args) => {
    try {
      const { client } = await helloOnce();
      const envelope: CallEnvelope = { client, args };
      const reply: unknown = await ipcRenderer.invoke(`${IPC.callPrefix}${channel}`, envelope);
      return isBridgeReply(reply) ? reply : unreachable(new Error('a reply that is not a reply'));
    } catch (err) {
      return unreachable(err);
    }
  };
}

const calls = Object.fromEntries(
  INVOKE_CHANNELS.map((channel) => [channel, callOn(channel)]),
) as Record<InvokeChannel, (args: unknown) => Promise<BridgeReply>>;

const eventListeners: Array<(channel: string, payload: unknown) => void> = [];
ipcRenderer.on(IPC.event, (_event, msg: { channel?: unknown; payload?: unknown } | undefined) => {
  const channel = msg?.channel;
  if (!isEventChannel(channel)) return;
  for (const listener of eventListeners) {
    try {
      listener(channel, msg?.payload);
    } catch {
      // a page listener's failure is the page's business
    }
  }
});

const bridge: KvsElectronBridge = {
  transport: 'electron',
  calls,
  onEvent(listener) {
    if (typeof listener === 'function') eventListeners.push(listener);
  },
  requestFramePort(nonce) {
    if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 128) return;
    // a second ask (the page started its transport again) gets a new client and a new port:
    // main releases the old client's viewers and jobs
    if (forwarded) {
      forwarded = false;
      hello = null;
    }
    asked = nonce;
    forwardPort();
    helloOnce().catch(() => undefined);
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
