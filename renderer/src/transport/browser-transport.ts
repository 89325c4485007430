/**
 * KvsApi over one WebSocket to `kvs serve` (protocol: electron/shared/ws-protocol.ts).
 *
 * - invoke: `{type:'invoke', id, channel, args}` with increasing ids; args are checked
 *   against the contract before sending, replies are parsed with ServerMessage and the
 *   channel's result schema; every call has a time limit (30 s by default).
 * - events: parsed with the contract's event schemas; an invalid one is ignored with a
 *   console warning, never thrown.
 * - frames: binary messages are frame packets; each goes to the onFrame listeners of its
 *   viewerId through the FrameInbox (frame-inbox.ts) that Electron's client uses too, which
 *   decodes it once and decides which page acks reach the service.
 * - the socket drops → calls in flight fail at once, the transport retries with
 *   exponential backoff, and `getStatus()` says what is happening.
 *
 * The socket is behind a small factory so tests drive it with a fake; nothing here touches
 * `window` or `location`.
 */
import { z } from 'zod';
import {
  SLOW_CALL_MS,
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
  type VideoRef,
} from '../../../electron/shared/contract.js';
import type { DecodedFrame } from '../../../electron/shared/frame-packet.js';
import { ServerMessage, type ClientMessage } from '../../../electron/shared/ws-protocol.js';
import { checkedArgs, checkedResult } from './contract-check.js';
import { KvsCallError, transportError } from './errors.js';
import { EventHub } from './event-hub.js';
import { FrameInbox } from './frame-inbox.js';
import type { KvsClient, TransportStatus, UploadProgress } from './types.js';
import { uploadVideo } from './upload.js';

export interface SocketHandlers {
  onOpen(): void;
  /** Called once, whether the socket never opened or dropped later. */
  onClose(): void;
  onMessage(data: string | ArrayBuffer): void;
}

export interface SocketHandle {
  send(text: string): void;
  /**
   * A binary message (a camera packet); false when the socket is not open or more than
   * `maxBuffered` bytes wait in it already (the page then drops that frame).
   */
  sendBinary?(data: Uint8Array, maxBuffered: number): boolean;
  close(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

/** The real thing: a browser WebSocket with binaryType 'arraybuffer'. */
export const webSocketFactory: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  let closed = false;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    handlers.onClose();
  };
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev: MessageEvent<unknown>) => {
    const data = ev.data;
    if (typeof data === 'string' || data instanceof ArrayBuffer) handlers.onMessage(data);
  };
  ws.onerror = () => closeOnce();
  ws.onclose = () => closeOnce();
  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    sendBinary: (data, maxBuffered) => {
      if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > maxBuffered) return false;
      ws.send(data);
      return true;
    },
    close: () => {
      closed = true;
      ws.close();
    },
  };
};

export interface BrowserTransportOptions {
  /** e.g. ws://127.0.0.1:5173/ws */
  readonly wsUrl: string;
  /** For messages, e.g. 127.0.0.1:5173 */
  readonly servicesLabel: string;
  readonly createSocket?: SocketFactory;
  readonly callTimeoutMs?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly uploadPath?: string;
  readonly createXhr?: () => XMLHttpRequest;
  readonly log?: Pick<Console, 'warn' | 'error'>;
  readonly now?: () => number;
  /** When set, the page cannot reach the service at all (e.g. opened from a file): no socket is opened. */
  readonly fatal?: string | null;
}

interface PendingCall {
  readonly channel: InvokeChannel;
  readonly text: string;
  sent: boolean;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly onResult: (result: unknown) => void;
  readonly reject: (err: KvsCallError) => void;
}

/**
 * ws-protocol.ts's `ServerMessage` is a discriminated union with two 'reply' members,
 * which zod 4 refuses at the first parse ("Duplicate discriminator value"). Same members,
 * as a plain union.
 */
const ServerMessageSchema = z.union(ServerMessage.options);

export const SERVICES_NAME = 'the Kafka Video Studio service';

/** Camera packets wait in the socket up to this many bytes; past it the page drops frames. */
const CAMERA_MAX_BUFFERED = 4 * 1024 * 1024;

export class BrowserTransport implements KvsClient {
  readonly transport = 'browser' as const;
  readonly upload: (
    file: File,
    onProgress: (p: UploadProgress) => void,
    signal?: AbortSignal,
  ) => Promise<VideoRef>;

  private readonly opts: Required<
    Omit<BrowserTransportOptions, 'createXhr' | 'uploadPath' | 'fatal'>
  > &
    Pick<BrowserTransportOptions, 'createXhr' | 'uploadPath'>;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly events: EventHub;
  private readonly inbox: FrameInbox;
  private readonly statusListeners = new Set<() => void>();
  private socket: SocketHandle | null = null;
  private socketOpen = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private status: TransportStatus;

  constructor(options: BrowserTransportOptions) {
    this.opts = {
      wsUrl: options.wsUrl,
      servicesLabel: options.servicesLabel,
      createSocket: options.createSocket ?? webSocketFactory,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      retryInitialMs: options.retryInitialMs ?? 500,
      retryMaxMs: options.retryMaxMs ?? 10_000,
      uploadPath: options.uploadPath,
      createXhr: options.createXhr,
      log: options.log ?? console,
      now: options.now ?? Date.now,
    };
    this.events = new EventHub(this.opts.log);
    this.inbox = new FrameInbox((viewerId) => this.sendFrameAck(viewerId), {
      onListenerError: (err) => this.opts.log.error('kvs: a frame listener failed', err),
      onBadPacket: (error) =>
        this.opts.log.warn(`kvs: ignored a binary message from the service: ${error}`),
    });
    this.upload = (file, onProgress, signal) =>
      uploadVideo(file, onProgress, {
        ...(this.opts.uploadPath === undefined ? {} : { path: this.opts.uploadPath }),
        ...(this.opts.createXhr === undefined ? {} : { createXhr: this.opts.createXhr }),
        ...(signal === undefined ? {} : { signal }),
      });
    const fatal = options.fatal ?? null;
    this.status = {
      state: fatal ? 'closed' : 'connecting',
      everConnected: false,
      attempt: 0,
      retryAt: null,
      servicesLabel: options.servicesLabel,
      fatal,
    };
    if (!fatal) this.connect();
  }

  // ---- KvsApi ---------------------------------------------------------------------------------

  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    return new Promise<InvokeResult<C>>((resolve, reject) => {
      let parsedArgs: unknown;
      try {
        parsedArgs = checkedArgs(channel, args, 'service');
      } catch (err) {
        reject(err as KvsCallError);
        return;
      }
      const { state, fatal } = this.status;
      if (fatal) {
        reject(transportError('SERVICES_UNREACHABLE', fatal));
        return;
      }
      if (state !== 'open' && state !== 'connecting') {
        reject(this.unreachableError());
        return;
      }
      const id = this.nextId++;
      const message: ClientMessage = { type: 'invoke', id, channel, args: parsedArgs };
      const timeoutMs = Math.max(this.opts.callTimeoutMs, SLOW_CALL_MS[channel] ?? 0);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          transportError(
            'SERVICES_TIMEOUT',
            `The Kafka Video Studio service did not answer "${channel}" within ${Math.round(timeoutMs / 1000)} s.`,
          ),
        );
      }, timeoutMs);
      const call: PendingCall = {
        channel,
        text: JSON.stringify(message),
        sent: false,
        timer,
        reject,
        onResult: (result) => {
          try {
            resolve(checkedResult(channel, result, 'service'));
          } catch (err) {
            reject(err as KvsCallError);
          }
        },
      };
      this.pending.set(id, call);
      if (this.socketOpen) this.send(call);
    });
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    return this.events.on(channel, listener);
  }

  onFrame(viewerId: string, listener: (frame: DecodedFrame) => void): () => void {
    return this.inbox.subscribe(viewerId, listener);
  }

  // ---- transport extras -----------------------------------------------------------------------

  /** The page is done with one frame of this viewer (see FrameInbox for what reaches the service). */
  sendCameraFrame(packet: Uint8Array): boolean {
    if (!this.socketOpen || !this.socket?.sendBinary) return false;
    return this.socket.sendBinary(packet, CAMERA_MAX_BUFFERED);
  }

  ackFrame(viewerId: string): void {
    this.inbox.ack(viewerId);
  }

  private sendFrameAck(viewerId: string): void {
    if (!this.socketOpen || !this.socket) return;
    const message: ClientMessage = { type: 'frame-ack', viewerId };
    this.socket.send(JSON.stringify(message));
  }

  getStatus(): TransportStatus {
    return this.status;
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  reconnectNow(): void {
    if (this.status.state !== 'waiting') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Stop for good: close the socket, fail pending calls, stop retrying. */
  dispose(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.socketOpen = false;
    socket?.close();
    this.failPending(() =>
      transportError('SERVICES_DISCONNECTED', 'The connection to the service was closed.'),
    );
    this.setStatus({ ...this.status, state: 'closed', retryAt: null });
  }

  // ---- socket life cycle ----------------------------------------------------------------------

  private connect(): void {
    this.setStatus({ ...this.status, state: 'connecting', retryAt: null });
    let handle: SocketHandle | null = null;
    const isCurrent = () => handle !== null && this.socket === handle;
    try {
      handle = this.opts.createSocket(this.opts.wsUrl, {
        onOpen: () => {
          if (isCurrent()) this.handleOpen();
        },
        onClose: () => {
          if (isCurrent()) this.handleClose();
        },
        onMessage: (data) => {
          if (isCurrent()) this.handleMessage(data);
        },
      });
    } catch (err) {
      this.opts.log.warn('kvs: could not open the WebSocket', err);
      this.socket = null;
      this.scheduleRetry();
      return;
    }
    this.socket = handle;
  }

  private handleOpen(): void {
    this.socketOpen = true;
    this.setStatus({
      ...this.status,
      state: 'open',
      everConnected: true,
      attempt: 0,
      retryAt: null,
    });
    for (const call of this.pending.values()) if (!call.sent) this.send(call);
  }

  private handleClose(): void {
    const wasOpen = this.socketOpen;
    this.socket = null;
    this.socketOpen = false;
    this.failPending((call) =>
      call.sent
        ? transportError(
            'SERVICES_DISCONNECTED',
            `Lost connection to ${SERVICES_NAME} before it answered "${call.channel}". Try again once it is back.`,
          )
        : this.unreachableError(),
    );
    // Frames held for a viewer belong to the old socket's viewers.
    this.inbox.clear();
    if (wasOpen) this.opts.log.warn('kvs: lost the WebSocket to the service; reconnecting');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const attempt = this.status.attempt + 1;
    const delay = Math.min(this.opts.retryMaxMs, this.opts.retryInitialMs * 2 ** (attempt - 1));
    this.setStatus({ ...this.status, state: 'waiting', attempt, retryAt: this.opts.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private send(call: PendingCall): void {
    if (!this.socket) return;
    call.sent = true;
    this.socket.send(call.text);
  }

  private failPending(errorFor: (call: PendingCall) => KvsCallError): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(errorFor(call));
    }
  }

  private unreachableError(): KvsCallError {
    return this.status.everConnected
      ? transportError(
          'SERVICES_UNREACHABLE',
          `Lost connection to ${SERVICES_NAME} — reconnecting… Try again in a moment.`,
        )
      : transportError(
          'SERVICES_UNREACHABLE',
          `Cannot reach ${SERVICES_NAME} at ${this.opts.servicesLabel}. Is \`kvs serve\` running?`,
        );
  }

  private setStatus(next: TransportStatus): void {
    this.status = next;
    for (const l of [...this.statusListeners]) {
      try {
        l();
      } catch (err) {
        this.opts.log.error('kvs: a transport status listener failed', err);
      }
    }
  }

  // ---- incoming -------------------------------------------------------------------------------

  private handleMessage(data: string | ArrayBuffer): void {
    if (typeof data === 'string') this.handleText(data);
    else this.handleBinary(data);
  }

  private handleText(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.opts.log.warn('kvs: ignored a message from the service that is not JSON');
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.opts.log.warn(
        'kvs: ignored a message from the service that does not match the protocol',
        parsed.error.issues,
      );
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'event') {
      this.events.dispatch(msg.channel, msg.payload);
      return;
    }
    const call = this.pending.get(msg.id);
    if (!call) return; // timed out already, or not ours
    this.pending.delete(msg.id);
    clearTimeout(call.timer);
    if (msg.ok) call.onResult(msg.result);
    else call.reject(new KvsCallError(msg.error));
  }

  private handleBinary(packet: ArrayBuffer): void {
    this.inbox.receive(packet);
  }
}
