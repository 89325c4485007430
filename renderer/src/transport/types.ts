/**
 * What the renderer holds: the contract's `KvsApi` plus what a page needs from
 * its transport (frame acks, the transport's own health, uploads in the browser).
 */
import type { KvsApi, VideoRef } from '../../../electron/shared/contract.js';
import type { KvsElectronBridge } from '../../../electron/shared/ipc-channels.js';

/**
 * - `connecting`: a socket is being opened (first time or a retry).
 * - `open`: calls and events flow.
 * - `waiting`: the last attempt failed or the socket dropped; the next attempt is at `retryAt`.
 * - `closed`: the transport was disposed.
 */
export type TransportState = 'connecting' | 'open' | 'waiting' | 'closed';

export interface TransportStatus {
  readonly state: TransportState;
  /** True once a socket has opened at least once (tells "cannot reach" from "lost"). */
  readonly everConnected: boolean;
  /** Failed attempts in a row. */
  readonly attempt: number;
  /** ms since epoch of the next attempt, when waiting. */
  readonly retryAt: number | null;
  /** Where the service is expected (for messages), e.g. 127.0.0.1:5173. */
  readonly servicesLabel: string;
  /** Why the page cannot work at all (e.g. opened from a file); no retry then. */
  readonly fatal: string | null;
}

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export interface KvsClient extends KvsApi {
  /** Tell the service a frame of this viewer was drawn (or dropped): flow control. */
  ackFrame(viewerId: string): void;
  getStatus(): TransportStatus;
  /** Called whenever getStatus() changes. */
  onStatus(listener: () => void): () => void;
  /** Try to reach the service now instead of waiting for the next retry. */
  reconnectNow(): void;
  /** Browser only (Electron uses the `video:choose` dialog). */
  readonly upload?: (
    file: File,
    onProgress: (p: UploadProgress) => void,
    signal?: AbortSignal,
  ) => Promise<VideoRef>;
}

declare global {
  interface Window {
    /** Set by Electron's preload (electron/preload/index.ts). */
    kvsElectron?: KvsElectronBridge;
  }
}
