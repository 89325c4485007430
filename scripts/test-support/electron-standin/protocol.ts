/**
 * Messages between the stand-in main process (main-process.ts, a child Node process that runs
 * the built main bundle and its renderers' preloads) and the test process that holds the page
 * (standin-app.ts, a real Chromium page through Playwright). Node IPC with `serialization:
 * 'advanced'` (structured clone: typed arrays cross as they are).
 */

/** A value crossing contextBridge, encoded by its rule (context-bridge.ts). */
export type Encoded =
  | { readonly k: 'v'; readonly v: unknown }
  | { readonly k: 'fn'; readonly id: number }
  | { readonly k: 'err'; readonly message: string }
  | { readonly k: 'arr'; readonly items: readonly Encoded[] }
  | { readonly k: 'obj'; readonly entries: ReadonlyArray<readonly [string, Encoded]> };

/** The exposed API's shape: every function by its path, every other value as it is. */
export type ApiShape =
  | { readonly fn: true }
  | { readonly value: unknown }
  | { readonly obj: Readonly<Record<string, ApiShape>> };

export interface LoadInfo {
  readonly wcId: number;
  readonly url: string;
  /** `exposeInMainWorld` calls of this load's preload: key → shape. */
  readonly exposed: Readonly<Record<string, ApiShape>>;
  /** What the preload threw while loading (Electron logs it, the page loads without it). */
  readonly preloadError: string | null;
  readonly required: readonly string[];
}

export type FromMain =
  | { readonly t: 'load'; readonly info: LoadInfo }
  | { readonly t: 'unload'; readonly wcId: number }
  | {
      readonly t: 'window-message';
      readonly wcId: number;
      readonly data: unknown;
      readonly portIds: readonly number[];
    }
  | { readonly t: 'port-message'; readonly portId: number; readonly data: unknown }
  | {
      readonly t: 'page-fn';
      readonly wcId: number;
      readonly fnId: number;
      readonly args: readonly Encoded[];
    }
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly t: 'log'; readonly line: string };

export type Query =
  | { readonly q: 'windows' }
  | { readonly q: 'handlers' }
  | { readonly q: 'menu' }
  | { readonly q: 'sent'; readonly channel: string }
  | { readonly q: 'notices' }
  | { readonly q: 'app' }
  | {
      readonly q: 'permission-request';
      readonly permission: string;
      readonly requestingUrl: string;
      readonly fromAppWindow: boolean;
      /** `media`: what getUserMedia asked for ('video' for a camera, 'audio' for a microphone). */
      readonly mediaTypes?: ReadonlyArray<'video' | 'audio'>;
    }
  | {
      readonly q: 'permission-check';
      readonly permission: string;
      readonly requestingUrl: string;
      readonly fromAppWindow: boolean;
      readonly mediaType?: 'video' | 'audio' | 'unknown';
    }
  | { readonly q: 'headers'; readonly url: string }
  | {
      readonly q: 'navigate';
      readonly event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect';
      readonly url: string;
    }
  | { readonly q: 'window-open'; readonly url: string }
  | { readonly q: 'opened-externally' }
  | { readonly q: 'children' };

export type Control =
  | { readonly c: 'reload' }
  | { readonly c: 'crash' }
  | { readonly c: 'close-window' }
  | { readonly c: 'quit' }
  | { readonly c: 'dialog-answer'; readonly filePaths: readonly string[] }
  | { readonly c: 'save-dialog-answer'; readonly filePath: string | null };

export type ToMain =
  | {
      readonly t: 'call';
      readonly id: number;
      readonly wcId: number;
      readonly path: readonly string[];
      readonly args: readonly Encoded[];
    }
  | { readonly t: 'port-out'; readonly portId: number; readonly data: unknown }
  | { readonly t: 'query'; readonly id: number; readonly query: Query }
  | { readonly t: 'control'; readonly id: number; readonly control: Control };
