/**
 * KvsClient over Electron's preload bridge (`window.kvsElectron`, electron/preload/index.ts).
 *
 * The page does here what it does over the WebSocket (browser-transport.ts), with the same
 * contract:
 * - calls: the arguments are checked against the contract, the bridge answers with the reply
 *   as data (`{ ok, result | error }`), which is parsed with the contract's InvokeReply; an
 *   error becomes a KvsCallError here, on the page, so its `code` and `detail` survive
 *   (contextBridge would rebuild a thrown Error from its message alone);
 * - events: parsed with the contract's event schemas; an invalid one is ignored;
 * - frames: the page asks for its own MessagePort (`requestFramePort(nonce)`); the preload hands
 *   it over with `window.postMessage`, and every binary packet on it goes to the same
 *   FrameInbox the browser transport uses. Acks go back on the port.
 */
import { z } from 'zod';
import {
  InvokeReply,
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../../electron/shared/contract.js';
import type { DecodedFrame } from '../../../electron/shared/frame-packet.js';
import {
  FRAME_PORT_MESSAGE,
  type FrameAckMessage,
  type KvsElectronBridge,
} from '../../../electron/shared/ipc-channels.js';
import { checkedArgs, checkedResult } from './contract-check.js';
import { KvsCallError, transportError } from './errors.js';
import { EventHub } from './event-hub.js';
import { FrameInbox } from './frame-inbox.js';
import type { KvsClient, TransportStatus } from './types.js';

const OPEN: TransportStatus = {
  state: 'open',
  everConnected: true,
  attempt: 0,
  retryAt: null,
  servicesLabel: 'the desktop app',
  fatal: null,
};

/** How long `watch:start` waits for the frame port before saying the app is broken. */
const PORT_WAIT_MS = 10_000;

/** The window the port arrives on: just what the client uses. */
export interface PortWindow {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface ElectronClientDeps {
  readonly bridge: KvsElectronBridge;
  /** The page's window (`e.source === window` proves the preload posted the port). */
  readonly window: PortWindow;
  readonly log?: Pick<Console, 'warn' | 'error'>;
  /** Default: 16 random bytes, hex. */
  readonly nonce?: () => string;
  readonly portWaitMs?: number;
}

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class ElectronClient implements KvsClient {
  readonly transport = 'electron' as const;

  private readonly bridge: KvsElectronBridge;
  private readonly log: Pick<Console, 'warn' | 'error'>;
  private readonly inbox: FrameInbox;
  private readonly events: EventHub;
  private port: MessagePort | null = null;
  private readonly portReady: Promise<void>;
  private readonly portWaitMs: number;

  constructor(deps: ElectronClientDeps) {
    this.bridge = deps.bridge;
    this.log = deps.log ?? console;
    this.portWaitMs = deps.portWaitMs ?? PORT_WAIT_MS;
    this.inbox = new FrameInbox((viewerId) => this.sendAck(viewerId), {
      onListenerError: (err) => this.log.error('kvs: a frame listener failed', err),
      onBadPacket: (error) => this.log.warn(`kvs: ignored a frame packet: ${error}`),
    });
    this.events = new EventHub(this.log);
    this.bridge.onEvent((channel, payload) => this.events.dispatch(channel, payload));

    const nonce = (deps.nonce ?? randomNonce)();
    const win = deps.window;
    this.portReady = new Promise<void>((resolve) => {
      const onMessage = (event: MessageEvent): void => {
        // only the preload, in this very window, posts the port — and only for our nonce
        if (event.source !== (win as unknown)) return;
        const data = event.data as { type?: unknown; nonce?: unknown } | null;
        if (data?.type !== FRAME_PORT_MESSAGE || data.nonce !== nonce) return;
        const port = event.ports[0];
        if (!port) return;
        win.removeEventListener('message', onMessage);
        this.attachPort(port);
        resolve();
      };
      win.addEventListener('message', onMessage);
    });
    this.bridge.requestFramePort(nonce);
  }

  // ---- KvsApi ---------------------------------------------------------------------------------

  async invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    const parsedArgs = checkedArgs(channel, args, 'app');
    // a viewer's first frames must find the port there
    if (channel === 'watch:start') await this.framePort();
    const call = this.bridge.calls[channel];
    let raw: unknown;
    try {
      raw = await call(parsedArgs);
    } catch (err) {
      throw transportError(
        'SERVICES_UNREACHABLE',
        'The app’s main process did not answer. Restart Kafka Video Studio.',
        err instanceof Error ? err.message : String(err),
      );
    }
    const reply = InvokeReply.safeParse(raw);
    if (!reply.success)
      throw transportError(
        'BAD_REPLY',
        `The app's answer to "${channel}" is not a reply.`,
        z.prettifyError(reply.error),
      );
    if (!reply.data.ok) throw new KvsCallError(reply.data.error);
    return checkedResult(channel, reply.data.result, 'app');
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    return this.events.on(channel, listener);
  }

  onFrame(viewerId: string, listener: (frame: DecodedFrame) => void): () => void {
    return this.inbox.subscribe(viewerId, listener);
  }

  ackFrame(viewerId: string): void {
    this.inbox.ack(viewerId);
  }

  sendCameraFrame(packet: Uint8Array): boolean {
    if (!this.port) return false;
    // the bytes are cloned to main as a Uint8Array (ipc.ts parses them there)
    this.port.postMessage(packet);
    return true;
  }

  getStatus(): TransportStatus {
    return OPEN;
  }

  onStatus(): () => void {
    return () => undefined;
  }

  reconnectNow(): void {}

  // ---- frames -----------------------------------------------------------------------------------

  private attachPort(port: MessagePort): void {
    this.port = port;
    port.onmessage = (m: MessageEvent<unknown>) => {
      const data = m.data;
      if (data instanceof Uint8Array) this.inbox.receive(data as Uint8Array<ArrayBuffer>);
      else if (data instanceof ArrayBuffer) this.inbox.receive(data);
      else this.log.warn('kvs: ignored a message on the frame port that is not a frame packet');
    };
  }

  private sendAck(viewerId: string): void {
    const ack: FrameAckMessage = { type: 'frame-ack', viewerId };
    this.port?.postMessage(ack);
  }

  private framePort(): Promise<void> {
    if (this.port) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            transportError(
              'SERVICES_UNREACHABLE',
              `The app did not open its channel for video frames within ${Math.round(this.portWaitMs / 1000)} s. Restart Kafka Video Studio.`,
            ),
          ),
        this.portWaitMs,
      );
    });
    return Promise.race([this.portReady, timeout]).finally(() => clearTimeout(timer));
  }
}
