/**
 * IPC between a stand-in main process and a stand-in renderer, with Electron's rules
 * (source at 96f3996d, the 45 line):
 *
 * - `ipcMain.handle(channel, fn)`: a second handler for a channel throws "Attempted to register
 *   a second handler for '<ch>'" (lib/browser/ipc-main-impl.ts 15–23).
 * - `ipcRenderer.invoke(channel, ...args)`: the arguments are structured-cloned ("An object could
 *   not be cloned." otherwise; docs/api/ipc-renderer.md 158–162); the handler gets
 *   `{ type: 'frame', processId, frameId, sender, senderFrame }` (docs/api/structures/
 *   ipc-main-invoke-event.md); a handler that throws, or no handler, rejects in the renderer with
 *   `Error invoking remote method '<ch>': <String(error)>` (lib/browser/ipc-dispatch.ts 94–122;
 *   lib/renderer/api/ipc-renderer.ts 21–27). The result is structured-cloned back.
 * - `webContents.send(channel, ...args)` / `postMessage(channel, message, [ports])`: structured
 *   clone; MessagePortMain objects arrive as DOM MessagePorts in `event.ports`
 *   (docs/api/web-contents.md 2117–2143). A Node Buffer arrives as a Uint8Array
 *   (docs/breaking-changes.md 2596–2600).
 */
import { EventEmitter } from 'node:events';
import type { MessagePort as NodeMessagePort } from 'node:worker_threads';
import { cloneOrThrow, HERE, type World } from './context-bridge.js';

export interface InvokeEvent {
  readonly type: 'frame';
  readonly processId: number;
  readonly frameId: number;
  readonly sender: unknown;
  readonly senderFrame: { readonly url: string } | null;
}

type Handler = (event: InvokeEvent, ...args: unknown[]) => unknown;

export class StandinIpcMain extends EventEmitter {
  private readonly handlers = new Map<string, Handler>();

  handle(channel: string, fn: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    if (typeof fn !== 'function')
      throw new TypeError(`Expected handler to be a function, but found type '${typeof fn}'`);
    this.handlers.set(channel, fn);
  }

  handleOnce(channel: string, fn: Handler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel);
      return fn(event, ...args);
    });
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** For tests: the channels that have a handler. */
  handledChannels(): string[] {
    return [...this.handlers.keys()];
  }

  /** The renderer's invoke arriving in main. Resolves `{ result }` or `{ error }` like ipc-dispatch.ts. */
  async dispatchInvoke(
    channel: string,
    event: InvokeEvent,
    args: unknown[],
  ): Promise<{ result?: unknown; error?: string }> {
    const handler = this.handlers.get(channel);
    if (!handler) return { error: String(new Error(`No handler registered for '${channel}'`)) };
    try {
      return { result: cloneOrThrow(await handler(event, ...args)) };
    } catch (err) {
      console.error(`Error occurred in handler for '${channel}':`, err);
      return { error: String(err) };
    }
  }
}

/** What the renderer's `ipcRenderer.on` listeners get. */
export interface RendererIpcEvent {
  readonly sender: unknown;
  readonly ports: NodeMessagePort[];
}

/** The renderer side: `ipcRenderer` for one page load. */
export class StandinIpcRenderer extends EventEmitter {
  /** The preload's world: its errors are that world's Errors (ipcRenderer lives in the isolated world). */
  world: World = HERE;

  constructor(
    private readonly toMain: (
      channel: string,
      args: unknown[],
    ) => Promise<{ result?: unknown; error?: string }>,
  ) {
    super();
  }

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const cloned = cloneOrThrow(args) as unknown[];
    const { error, result } = await this.toMain(channel, cloned);
    if (error !== undefined)
      throw new this.world.Error(`Error invoking remote method '${channel}': ${error}`);
    return result;
  }

  send(): void {
    throw new Error('ipcRenderer.send is not used by this app (the stand-in does not carry it)');
  }

  /** main → this renderer (webContents.send / postMessage). */
  deliver(channel: string, args: unknown[], ports: NodeMessagePort[] = []): void {
    const event: RendererIpcEvent = { sender: this, ports };
    this.emit(channel, event, ...(cloneOrThrow(args) as unknown[]));
  }
}
