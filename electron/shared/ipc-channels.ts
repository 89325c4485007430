/**
 * The names that cross Electron's IPC, and the shape of the preload's bridge — with no
 * dependency at all, because the sandboxed preload imports this file and a sandboxed preload's
 * `require` resolves only `electron`, `events`, `timers` and `url` (Electron docs,
 * "Process Sandboxing" → "Preload scripts"). The contract (contract.ts) is typed against these
 * lists, so a channel cannot be added to one and forgotten in the other.
 *
 * Keep this file free of imports. The built preload is checked for that
 * (electron/preload/preload-bundle.test.ts).
 */

/** Every request/response call of the contract (contract.ts `invoke` has exactly these keys). */
export const INVOKE_CHANNELS = [
  'connection:connect',
  'connection:disconnect',
  'connection:status',
  'connection:recent',
  'profiles:list',
  'profiles:save',
  'profiles:delete',
  'profiles:import',
  'topics:list',
  'topics:create',
  'topics:delete',
  'video:choose',
  'video:open-path',
  'produce:start',
  'produce:stop',
  'watch:start',
  'watch:stop',
  'watch:control',
  'watch:fallback',
  'topics:range',
  'setup:saved-servers',
  'setup:forget-server',
  'setup:connect',
  'setup:disconnect',
  'setup:choose-tarball',
  'setup:plan',
  'setup:install',
  'setup:cancel',
  'setup:cluster-plan',
  'setup:cluster-install',
  'setup:rolling-restart',
  'doctor:run',
  'doctor:fix-on-server',
  'setup:service',
  'export:start',
  'export:cancel',
  'topics:streams',
] as const;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];

/** Every host → page event of the contract (contract.ts `events` has exactly these keys). */
export const EVENT_CHANNELS = [
  'connection:status',
  'produce:progress',
  'produce:ended',
  'watch:stats',
  'setup:step',
  'setup:log',
  'setup:ended',
  'export:progress',
  'export:ended',
] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(c);
}

export function isEventChannel(c: unknown): c is EventChannel {
  return typeof c === 'string' && (EVENT_CHANNELS as readonly string[]).includes(c);
}

/** Electron IPC channel names (main ⇄ preload). */
export const IPC = {
  /** `kvs:call:<InvokeChannel>`: one ipcMain.handle per contract call, never a generic channel. */
  callPrefix: 'kvs:call:',
  /** The page's first words: main makes this page's client and its frame port. */
  hello: 'kvs:hello',
  /** main → preload: `{ channel, payload }` of a contract event. */
  event: 'kvs:event',
  /** main → preload: the MessagePort that carries this page's frames (ports[0]). */
  framePort: 'kvs:frame-port',
} as const;

/** The global the preload exposes through contextBridge. */
export const BRIDGE_GLOBAL = 'kvsElectron';

/** What the preload posts to the page with `window.postMessage(…, '*', [port])`. */
export const FRAME_PORT_MESSAGE = 'kvs:frame-port';
export interface FramePortMessage {
  readonly type: typeof FRAME_PORT_MESSAGE;
  /** The nonce the page passed to requestFramePort: the page takes only the port it asked for. */
  readonly nonce: string;
}

/** The page → main message on the frame port: one frame of this viewer was drawn (or dropped). */
export interface FrameAckMessage {
  readonly type: 'frame-ack';
  readonly viewerId: string;
}

/** main's answer to `kvs:hello`. */
export interface HelloReply {
  /** This page's client id: every call carries it, and main refuses a stale one. */
  readonly client: string;
}

/** A call's envelope from the preload to main. */
export interface CallEnvelope {
  readonly client: string;
  readonly args: unknown;
}

/**
 * The answer to every call, as plain data. contextBridge rebuilds a thrown Error as
 * `new Error(message)` and drops `code`/`detail` (Electron docs, contextBridge "Parameter /
 * Error / Return Type support"), so errors never cross the bridge as throws: the page parses
 * this with the contract's InvokeReply and throws its own KvsCallError.
 */
export type BridgeReply =
  | { readonly ok: true; readonly result: unknown }
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string; readonly detail?: string };
    };

/**
 * What the preload exposes as `window.kvsElectron`. Every function returns nothing or a
 * Promise of plain data: nothing the page needs is lost to contextBridge's copying.
 */
export interface KvsElectronBridge {
  readonly transport: 'electron';
  /** One function per contract call, each bound to its own IPC channel. */
  readonly calls: Readonly<Record<InvokeChannel, (args: unknown) => Promise<BridgeReply>>>;
  /** Every contract event, as `(channel, payload)`; the page parses the payload. */
  onEvent(listener: (channel: string, payload: unknown) => void): void;
  /**
   * Ask for this page's frame port: it arrives as a window `message` event whose data is a
   * {@link FramePortMessage} with this nonce and whose `ports[0]` is the port
   * (the pattern of Electron's docs/tutorial/message-ports.md).
   */
  requestFramePort(nonce: string): void;
}
