/**
 * The stand-in `electron` module a built main bundle imports when it runs in plain Node
 * (register.mjs maps the specifier `electron` here). It is NOT Electron: it models the parts of
 * Electron's main-process API that Kafka Video Studio uses, with the behaviour Electron's source
 * and docs give them (cited per rule; source at 96f3996d, the 45 line), and it lets a test
 * harness (main-process.ts) play the renderer side. Anything else throws, so a main bundle that
 * starts using more of Electron fails here until the stand-in learns it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import { cloneOrThrow } from './context-bridge.js';
import { StandinIpcMain, type StandinIpcRenderer } from './ipc.js';

// ---- the harness's side ----------------------------------------------------------------------------

export interface StandinConfig {
  /** The app folder (its package.json names the app), as `electron <folder>` or a packaged app's resources/app.asar. */
  readonly appPath: string;
  /** `app.isPackaged`: false for `electron <folder>` (the binary is named electron), true for a packaged app (electron_api_app.cc IsPackaged 920–949). */
  readonly isPackaged: boolean;
  /** A packaged app's resources folder (`process.resourcesPath`). */
  readonly resourcesPath?: string;
  /** Where `app.getPath('appData')` and friends point. */
  readonly homeDir: string;
}

/** What the harness is told about the renderer side. */
export interface RendererHooks {
  /** A window's webContents started loading `url`: run its preload, bind its page. */
  load(contents: StandinWebContents, url: string): void;
  /** The renderer of this webContents is gone (reload, crash, destroy). */
  unload(contents: StandinWebContents): void;
}

const notices: Array<{ at: number; what: string }> = [];
export function notice(what: string): void {
  notices.push({ at: Date.now(), what });
}
export function noticesSoFar(): ReadonlyArray<{ at: number; what: string }> {
  return notices;
}

let config: StandinConfig | null = null;
let hooks: RendererHooks | null = null;
export function configureStandin(c: StandinConfig, h: RendererHooks): void {
  config = c;
  hooks = h;
  if (c.resourcesPath)
    Object.defineProperty(process, 'resourcesPath', { value: c.resourcesPath, configurable: true });
}
function cfg(): StandinConfig {
  if (!config) throw new Error('the electron stand-in was imported before configureStandin()');
  return config;
}

function unsupported(what: string): never {
  throw new Error(`${what} is not part of the Electron stand-in`);
}

// ---- app ------------------------------------------------------------------------------------------------

/** `app.name`: productName, else name, of the app folder's package.json; "Electron" without one (lib/browser/init.ts 104–138; default_app/main.ts 101–127). */
function appNameOf(appPath: string): string {
  const file = path.join(appPath, 'package.json');
  if (!existsSync(file)) return 'Electron';
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { productName?: string; name?: string };
  return (pkg.productName ?? pkg.name ?? 'Electron').trim();
}

class PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

class StandinApp extends EventEmitter {
  private readyResolve!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.readyResolve = resolve));
  private ready = false;
  private readonly paths = new Map<string, string>();
  quitting = false;
  exited: Promise<number>;
  private exit!: (code: number) => void;

  constructor() {
    super();
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }

  get name(): string {
    return appNameOf(cfg().appPath);
  }
  get isPackaged(): boolean {
    return cfg().isPackaged;
  }
  getAppPath(): string {
    return cfg().appPath;
  }
  getPath(name: string): string {
    const set = this.paths.get(name);
    if (set) return set;
    const appData = path.join(cfg().homeDir, '.config');
    if (name === 'appData') return appData;
    if (name === 'userData') return path.join(appData, this.name);
    if (name === 'home') return cfg().homeDir;
    if (name === 'temp') return path.join(cfg().homeDir, 'tmp');
    return unsupported(`app.getPath('${name}')`);
  }
  setPath(name: string, value: string): void {
    // docs/api/app.md setPath: "If the path specifies a directory that does not exist, an Error is thrown"… for userData it is created on ready; both are fine here
    this.paths.set(name, value);
  }
  isReady(): boolean {
    return this.ready;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** The harness: `will-finish-launching`, the default menu, then `ready` (lib/browser/init.ts 176–182). */
  launch(): void {
    this.emit('will-finish-launching');
    setDefaultApplicationMenu();
    this.ready = true;
    this.emit('ready', new PreventableEvent(), {});
    this.readyResolve();
  }
  /**
   * `before-quit` first — a synchronous preventDefault() cancels (browser.cc Quit() 120–131,
   * electron_api_app.cc 578–588; async work in the listener is not awaited) — then every
   * window closes, `will-quit`, `quit`, and the process ends (docs/api/app.md 518–520).
   */
  quit(): void {
    if (this.quitting) return;
    const before = new PreventableEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) {
      notice('before-quit prevented');
      return;
    }
    this.quitting = true;
    for (const w of [...windows]) w.destroy();
    const will = new PreventableEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) {
      this.quitting = false;
      return;
    }
    this.emit('quit', new PreventableEvent(), 0);
    notice('quit');
    this.exit(0);
  }
  exitNow(code: number): void {
    this.exit(code);
  }
  setName(): void {
    unsupported('app.setName');
  }
}

export const app = new StandinApp();

// ---- menus ------------------------------------------------------------------------------------------------

export interface StandinMenu {
  readonly template: unknown[];
}
let applicationMenu: StandinMenu | null = null;
let applicationMenuWasSet = false;

/** lib/browser/default-menu.ts 5–25 + menu-item-roles.ts viewmenu 321–333: set at will-finish-launching unless the app set one. */
function setDefaultApplicationMenu(): void {
  if (applicationMenuWasSet) return;
  applicationMenu = {
    template: [
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      {
        role: 'viewMenu',
        submenu: [
          { role: 'reload' },
          { role: 'forceReload' },
          { role: 'toggleDevTools' },
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { role: 'togglefullscreen' },
        ],
      },
      { role: 'windowMenu' },
    ],
  };
}

export const Menu = {
  buildFromTemplate(template: unknown[]): StandinMenu {
    return { template: cloneOrThrow(template) as unknown[] };
  },
  setApplicationMenu(menu: StandinMenu | null): void {
    applicationMenu = menu;
    applicationMenuWasSet = true;
  },
  getApplicationMenu(): StandinMenu | null {
    return applicationMenu;
  },
};

// ---- ipcMain, MessageChannelMain ---------------------------------------------------------------------------

export const ipcMain = new StandinIpcMain();

/**
 * MessagePortMain: an EventEmitter ('message' with `{ data, ports }`, 'close'); messages queue
 * until start() (docs/api/message-port-main.md 3–55). Built on a Node MessagePort, whose other
 * end is what the renderer gets (a DOM-like MessagePort: onmessage / postMessage / close).
 */
export class MessagePortMain extends EventEmitter {
  private started = false;
  constructor(readonly nodePort: NodeMessagePort) {
    super();
    nodePort.on('close', () => this.emit('close'));
  }
  start(): void {
    if (this.started) return;
    this.started = true;
    this.nodePort.on('message', (data: unknown) => this.emit('message', { data, ports: [] }));
  }
  postMessage(message: unknown, transfer: unknown[] = []): void {
    if (transfer.length > 0) unsupported('MessagePortMain.postMessage with transferred ports');
    this.nodePort.postMessage(cloneOrThrow(message));
  }
  close(): void {
    this.nodePort.close();
  }
}

export class MessageChannelMain {
  readonly port1: MessagePortMain;
  readonly port2: MessagePortMain;
  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port1 = new MessagePortMain(port1);
    this.port2 = new MessagePortMain(port2);
  }
}

// ---- webContents, BrowserWindow -------------------------------------------------------------------------------

let nextId = 1;

export interface WindowOpenHandlerResult {
  readonly action: 'allow' | 'deny';
}

export class StandinWebContents extends EventEmitter {
  readonly id = nextId++;
  private destroyed = false;
  private url = '';
  /** The renderer side of this page load (set by the harness). */
  renderer: StandinIpcRenderer | null = null;
  windowOpenHandler: ((details: { url: string }) => WindowOpenHandlerResult) | null = null;
  /** Every `send` on this webContents, for tests. */
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];

  get mainFrame(): { url: string; postMessage: StandinWebContents['postMessage'] } {
    return { url: this.url, postMessage: this.postMessage.bind(this) };
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  loadURL(url: string): Promise<void> {
    return this.navigate(url);
  }
  loadFile(file: string, options: { hash?: string } = {}): Promise<void> {
    const u = new URL(`file://${path.resolve(file)}`);
    if (options.hash) u.hash = options.hash;
    return this.navigate(u.toString());
  }
  /** A main-frame navigation: did-start-navigation (web-contents.md 313–337, its details first), then the new page. */
  private navigate(url: string): Promise<void> {
    const details = Object.assign(new PreventableEvent(), {
      url,
      isSameDocument: false,
      isMainFrame: true,
      processId: 1,
      routingId: 1,
    });
    this.emit('did-start-navigation', details, url, false, true, 1, 1);
    hooks?.unload(this);
    this.url = url;
    hooks?.load(this, url);
    return Promise.resolve();
  }
  reload(): void {
    void this.navigate(this.url);
  }
  /** The harness: the renderer crashed. Emitted asynchronously (electron_api_web_contents.cc 2201–2219). */
  crashRenderer(reason: 'crashed' | 'killed' | 'oom' = 'crashed'): void {
    hooks?.unload(this);
    setImmediate(() =>
      this.emit('render-process-gone', new PreventableEvent(), { reason, exitCode: 1 }),
    );
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args: cloneOrThrow(args) as unknown[] });
    this.renderer?.deliver(channel, args);
  }
  /** contents.postMessage(channel, message, [transfer]): MessagePortMain → DOM MessagePort (web-contents.md 2117–2143). */
  postMessage(channel: string, message: unknown, transfer: MessagePortMain[] = []): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.renderer?.deliver(
      channel,
      [message],
      transfer.map((p) => p.nodePort),
    );
  }
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResult): void {
    this.windowOpenHandler = handler;
  }
  destroy(): void {
    if (this.destroyed) return;
    hooks?.unload(this);
    this.destroyed = true;
    this.emit('destroyed');
  }
}

const windows: StandinBrowserWindow[] = [];

export class StandinBrowserWindow extends EventEmitter {
  readonly webContents = new StandinWebContents();
  private destroyed = false;
  constructor(
    readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown> = {},
  ) {
    super();
    windows.push(this);
  }
  static getAllWindows(): StandinBrowserWindow[] {
    return [...windows];
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  loadFile(file: string, options?: { hash?: string }): Promise<void> {
    return this.webContents.loadFile(file, options);
  }
  setMenu(): void {}
  close(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroy();
    windows.splice(windows.indexOf(this), 1);
    this.emit('closed');
    if (windows.length === 0 && !app.quitting) {
      // docs/api/app.md 'window-all-closed': with no listener the app quits; with one, it decides
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
}
export { StandinBrowserWindow as BrowserWindow };

// ---- session, dialog, shell, safeStorage ----------------------------------------------------------------------

type PermissionRequestHandler = (
  wc: StandinWebContents | null,
  permission: string,
  callback: (granted: boolean) => void,
  // `media` requests add mediaTypes and securityOrigin (web_contents_permission_helper.cc
  // RequestMediaAccessPermission); requestingUrl and isMainFrame are set for every request
  // (electron_permission_manager.cc RequestPermissionsWithDetails)
  details: {
    requestingUrl: string;
    isMainFrame: boolean;
    mediaTypes?: Array<'video' | 'audio'>;
    securityOrigin?: string;
  },
) => void;
type PermissionCheckHandler = (
  wc: StandinWebContents | null,
  permission: string,
  origin: string,
  // `media` checks add securityOrigin and mediaType "video" | "audio" | "unknown"
  // (web_contents_permission_helper.cc CheckMediaAccessPermission; electron_permission_manager.cc
  // CheckPermissionWithDetails)
  details: {
    requestingUrl?: string;
    isMainFrame: boolean;
    securityOrigin?: string;
    mediaType?: 'video' | 'audio' | 'unknown';
  },
) => boolean;
type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (r: { responseHeaders?: Record<string, string | string[]>; cancel?: boolean }) => void,
) => void;

export const sessionState: {
  permissionRequest: PermissionRequestHandler | null;
  permissionCheck: PermissionCheckHandler | null;
  headers: { filter: { urls: string[] } | null; listener: HeadersListener } | null;
} = { permissionRequest: null, permissionCheck: null, headers: null };

export const session = {
  defaultSession: {
    setPermissionRequestHandler(h: PermissionRequestHandler | null): void {
      sessionState.permissionRequest = h;
    },
    setPermissionCheckHandler(h: PermissionCheckHandler | null): void {
      sessionState.permissionCheck = h;
    },
    webRequest: {
      /** onHeadersReceived([filter, ]listener): "Only the last attached listener will be used" (docs/api/web-request.md 11–19). */
      onHeadersReceived(a: { urls: string[] } | HeadersListener, b?: HeadersListener): void {
        sessionState.headers =
          typeof a === 'function'
            ? { filter: null, listener: a }
            : { filter: a, listener: b as HeadersListener };
      },
    },
  },
};

/** Answers for the next open dialogs (the harness queues them, as a person would pick files). */
export const dialogAnswers: Array<{ canceled: boolean; filePaths: string[] }> = [];
/** Answers for the next save dialogs: a path, or null for a cancelled dialog. */
export const saveDialogAnswers: Array<string | null> = [];
export const dialog = {
  showOpenDialog(): Promise<{ canceled: boolean; filePaths: string[] }> {
    return Promise.resolve(dialogAnswers.shift() ?? { canceled: true, filePaths: [] });
  },
  /**
   * docs/api/dialog.md, `dialog.showSaveDialog([window, ]options)`: "Returns `Promise<Object>`
   * … `canceled` boolean - whether or not the dialog was canceled. `filePath` string - If the
   * dialog is canceled, this will be an empty string." The overwrite question
   * (`showOverwriteConfirmation`) belongs to the dialog, so a chosen path is an answer to it.
   * No answer queued: cancelled, as a person closing the dialog.
   */
  showSaveDialog(
    _window: unknown,
    _options?: { defaultPath?: string },
  ): Promise<{ canceled: boolean; filePath: string }> {
    const answer = saveDialogAnswers.shift() ?? null;
    return Promise.resolve(
      answer === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: answer },
    );
  },
};

export const openedExternally: string[] = [];
export const shell = {
  openExternal(url: string): Promise<void> {
    openedExternally.push(url);
    return Promise.resolve();
  },
};

/**
 * Linux's safeStorage (docs/api/safe-storage.md): `getSelectedStorageBackend()` names the backend.
 * By default like a machine with no keyring: 'basic_text' (a hard-coded key), which the app treats
 * as no encryption. With KVS_STANDIN_SAFE_STORAGE_BACKEND=gnome_libsecret (or kwallet5/6), like a
 * desktop with a keyring: real encryption (AES-256-GCM under a key made once per process — where
 * Chromium's os_crypt keeps its key in the keyring), so the app's "remember" path can be driven.
 */
const backend = process.env.KVS_STANDIN_SAFE_STORAGE_BACKEND ?? 'basic_text';
const keyringKey = randomBytes(32);
export const safeStorage = {
  isEncryptionAvailable: (): boolean => true,
  getSelectedStorageBackend: (): string => backend,
  encryptString: (s: string): Buffer => {
    if (backend === 'basic_text') return Buffer.from(s, 'utf8');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', keyringKey, iv);
    const body = Buffer.concat([c.update(s, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from('v11'), iv, c.getAuthTag(), body]);
  },
  decryptString: (b: Buffer): string => {
    if (backend === 'basic_text') return b.toString('utf8');
    const d = createDecipheriv('aes-256-gcm', keyringKey, b.subarray(3, 15));
    d.setAuthTag(b.subarray(15, 31));
    return Buffer.concat([d.update(b.subarray(31)), d.final()]).toString('utf8');
  },
};

export default {
  app,
  BrowserWindow: StandinBrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  safeStorage,
  session,
  shell,
};
