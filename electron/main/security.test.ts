import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BASE_HEADERS } from '../browser/replies.js';
import { CONTENT_SECURITY_POLICY } from '../shared/content-security-policy.js';
import type { AppServices, AppServicesDeps } from '../services/app-services.js';
import { INVOKE_CHANNELS, IPC, type HelloReply } from '../shared/ipc-channels.js';
import { FORBIDDEN_ROLES, packagedMenuTemplate, type MenuItemSpec } from './app-menu.js';
import {
  cspUrlFilter,
  desktopContentSecurityPolicy,
  GRANTED_PERMISSION,
  isAllowedExternal,
  isAppUrl,
  permissionGranted,
  rendererLocation,
  secureWebPreferences,
} from './security.js';

/** What kvs serve sends with every answer. */
const SERVE_CSP = BASE_HEADERS['Content-Security-Policy'];

/** The packaged app's page, as index.ts computes it (pathToFileURL of out/renderer/index.html). */
const PACKAGED_APP_URL =
  'file:///opt/Kafka%20Video%20Studio/resources/app.asar/out/renderer/index.html';
const DEV_URL = 'http://localhost:5173/';

describe('desktop shell security settings', () => {
  it('isolates the page from Node', () => {
    const p = secureWebPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(p.nodeIntegrationInWorker).toBe(false);
    expect(p.nodeIntegrationInSubFrames).toBe(false);
    expect(p.allowRunningInsecureContent).toBe(false);
  });

  it('has a CSP without inline or remote scripts', () => {
    for (const csp of [
      CONTENT_SECURITY_POLICY,
      desktopContentSecurityPolicy(null),
      desktopContentSecurityPolicy(DEV_URL),
    ]) {
      const script = csp.split(';').find((d) => d.trim().startsWith('script-src'));
      expect(script?.trim()).toBe("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(csp).toMatch(/object-src 'none'/);
    }
  });

  it('trusts only the app page as an IPC sender', () => {
    const app = PACKAGED_APP_URL;
    expect(isAppUrl(app, app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://evil.example/', app)).toBe(false);
    expect(isAppUrl('not a url', app)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/x.ts', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it('opens only https links on an allowlist, never file: or javascript:', () => {
    expect(isAllowedExternal('https://kafka.apache.org/documentation/')).toBe(true);
    for (const bad of [
      'http://kafka.apache.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://evil.example/',
      'https://user:pw@kafka.apache.org/',
      'nonsense',
    ])
      expect(isAllowedExternal(bad), bad).toBe(false);
  });
});

/** Directive name → its sources, from a CSP string. */
function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe('desktopContentSecurityPolicy', () => {
  it("connects to nothing from the built page: connect-src 'none'", () => {
    const d = directives(desktopContentSecurityPolicy(null));
    expect(d.get('connect-src')).toEqual(["'none'"]);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it("in development, connects to the dev server's origin and its hot-reload WebSocket only", () => {
    expect(directives(desktopContentSecurityPolicy(DEV_URL)).get('connect-src')).toEqual([
      'http://localhost:5173',
      'ws://localhost:5173',
    ]);
    expect(
      directives(desktopContentSecurityPolicy('https://127.0.0.1:5443/some/path?x=1')).get(
        'connect-src',
      ),
    ).toEqual(['https://127.0.0.1:5443', 'wss://127.0.0.1:5443']);
  });

  it('never allows any WebSocket or any origin at large', () => {
    for (const csp of [desktopContentSecurityPolicy(null), desktopContentSecurityPolicy(DEV_URL)]) {
      const connect = directives(csp).get('connect-src') ?? [];
      for (const source of connect) expect(source).not.toMatch(/^(ws:|wss:|\*|https?:)$/);
    }
  });
});

describe('cspUrlFilter', () => {
  it('a file:// page: file URLs only', () => {
    expect(cspUrlFilter(PACKAGED_APP_URL)).toEqual({ urls: ['file://*/*'] });
  });

  it("the dev server's page: that origin only", () => {
    expect(cspUrlFilter(DEV_URL)).toEqual({ urls: ['http://localhost:5173/*'] });
    expect(cspUrlFilter('https://127.0.0.1:5443/index.html#x')).toEqual({
      urls: ['https://127.0.0.1:5443/*'],
    });
  });
});

describe('rendererLocation', () => {
  const rendererFile = path.join(
    os.tmpdir(),
    'Kafka Video Studio',
    'out',
    'renderer',
    'index.html',
  );
  const file = { kind: 'file', url: pathToFileURL(rendererFile).toString() };

  it('a packaged app always loads its own file, whatever ELECTRON_RENDERER_URL says', () => {
    for (const dev of [DEV_URL, 'https://evil.example/', undefined])
      expect(
        rendererLocation({ isPackaged: true, env: { ELECTRON_RENDERER_URL: dev }, rendererFile }),
        String(dev),
      ).toEqual(file);
  });

  it("in development, ELECTRON_RENDERER_URL (electron-vite's dev server) is the page", () => {
    expect(
      rendererLocation({
        isPackaged: false,
        env: { ELECTRON_RENDERER_URL: DEV_URL },
        rendererFile,
      }),
    ).toEqual({ kind: 'dev-server', url: DEV_URL });
    // normalised the way the URL parser writes it
    expect(
      rendererLocation({
        isPackaged: false,
        env: { ELECTRON_RENDERER_URL: 'http://LOCALHOST:5173' },
        rendererFile,
      }),
    ).toEqual({ kind: 'dev-server', url: DEV_URL });
  });

  it('in development without a usable http(s) URL, the built file', () => {
    for (const dev of [
      undefined,
      '',
      'not a url',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'ftp://localhost/',
    ])
      expect(
        rendererLocation({ isPackaged: false, env: { ELECTRON_RENDERER_URL: dev }, rendererFile }),
        String(dev),
      ).toEqual(file);
    expect(rendererLocation({ isPackaged: false, env: {}, rendererFile })).toEqual(file);
  });
});

describe('permissionGranted', () => {
  const fromApp = { appWindow: true, requestingUrl: PACKAGED_APP_URL };

  it('grants the clipboard write to the app page in the app window', () => {
    expect(GRANTED_PERMISSION).toBe('clipboard-sanitized-write');
    expect(permissionGranted('clipboard-sanitized-write', fromApp, PACKAGED_APP_URL)).toBe(true);
    expect(
      permissionGranted(
        'clipboard-sanitized-write',
        { appWindow: true, requestingUrl: `${PACKAGED_APP_URL}#watch=t` },
        PACKAGED_APP_URL,
      ),
    ).toBe(true);
  });

  it('refuses every other permission, also to the app page', () => {
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'pointerLock',
      'midi',
      'midiSysex',
      'display-capture',
      'idle-detection',
      'hid',
      'serial',
      'usb',
      'fileSystem',
      'window-management',
      'storage-access',
      'CLIPBOARD-SANITIZED-WRITE',
      'clipboard-sanitized-write ',
      '',
    ])
      expect(permissionGranted(permission, fromApp, PACKAGED_APP_URL), permission).toBe(false);
  });

  it('refuses the clipboard write to another webContents or another page', () => {
    expect(
      permissionGranted(
        'clipboard-sanitized-write',
        { appWindow: false, requestingUrl: PACKAGED_APP_URL },
        PACKAGED_APP_URL,
      ),
    ).toBe(false);
    for (const requestingUrl of [
      'https://evil.example/',
      'file:///etc/passwd',
      PACKAGED_APP_URL.replace('index.html', 'other.html'),
      'about:blank',
      'data:text/html,x',
      '',
      'not a url',
    ])
      expect(
        permissionGranted(
          'clipboard-sanitized-write',
          { appWindow: true, requestingUrl },
          PACKAGED_APP_URL,
        ),
        requestingUrl,
      ).toBe(false);
  });
});

describe('permissionGranted: the camera', () => {
  const fromApp = { appWindow: true, requestingUrl: PACKAGED_APP_URL };

  it('grants a video-only capture (a camera) to the app page in the app window: the request (mediaTypes) and the check (mediaType)', () => {
    expect(permissionGranted('media', fromApp, PACKAGED_APP_URL, { mediaTypes: ['video'] })).toBe(
      true,
    );
    expect(permissionGranted('media', fromApp, PACKAGED_APP_URL, { mediaType: 'video' })).toBe(
      true,
    );
  });

  it('refuses a microphone, a camera with a microphone, a screen or tab capture (no type named), and an unknown type', () => {
    for (const details of [
      { mediaTypes: ['audio'] },
      { mediaTypes: ['video', 'audio'] },
      { mediaTypes: ['audio', 'video'] },
      { mediaTypes: [] },
      { mediaTypes: ['video', 'video'] },
      { mediaType: 'audio' },
      { mediaType: 'unknown' },
      {},
      // a request's mediaTypes decides, whatever else the details say
      { mediaTypes: ['audio'], mediaType: 'video' },
    ])
      expect(
        permissionGranted('media', fromApp, PACKAGED_APP_URL, details),
        JSON.stringify(details),
      ).toBe(false);
  });

  it('refuses a camera to another webContents or another page, and refuses every other permission with video details', () => {
    expect(
      permissionGranted(
        'media',
        { appWindow: false, requestingUrl: PACKAGED_APP_URL },
        PACKAGED_APP_URL,
        { mediaTypes: ['video'] },
      ),
    ).toBe(false);
    for (const requestingUrl of ['https://evil.example/', 'file:///etc/passwd', 'about:blank', ''])
      expect(
        permissionGranted('media', { appWindow: true, requestingUrl }, PACKAGED_APP_URL, {
          mediaTypes: ['video'],
        }),
        requestingUrl,
      ).toBe(false);
    for (const permission of ['display-capture', 'notifications', 'geolocation', 'MEDIA', 'media '])
      expect(
        permissionGranted(permission, fromApp, PACKAGED_APP_URL, {
          mediaTypes: ['video'],
          mediaType: 'video',
        }),
        permission,
      ).toBe(false);
  });
});

describe('one Content-Security-Policy everywhere', () => {
  it("the desktop header and kvs serve send the same policy, except connect-src ('none' on the desktop)", () => {
    expect(SERVE_CSP).toBe(CONTENT_SECURITY_POLICY);
    const desktop = directives(desktopContentSecurityPolicy(null));
    const serve = directives(SERVE_CSP);
    expect([...desktop.keys()].sort()).toEqual([...serve.keys()].sort());
    for (const [name, sources] of serve)
      if (name !== 'connect-src') expect(desktop.get(name), name).toEqual(sources);
    expect(serve.get('connect-src')).toEqual(["'self'"]);
    expect(desktop.get('connect-src')).toEqual(["'none'"]);
  });

  it('the meta tag says every directive of the header that a meta tag can carry (a file:// page may not get the header)', () => {
    const html = readFileSync(path.join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = directives(
      /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1] ?? '',
    );
    // frame-ancestors is ignored in a meta tag by the spec; the window never embeds the page anyway
    const header = [...directives(CONTENT_SECURITY_POLICY)].filter(
      ([name]) => name !== 'frame-ancestors',
    );
    for (const [name, sources] of header) expect(meta.get(name), name).toEqual(sources);
  });

  it("the page's own meta tag allows no inline, eval'd or remote script", () => {
    const html = readFileSync(path.join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(
      html,
    )?.[1];
    expect(meta, 'renderer/index.html has a CSP meta tag').toBeDefined();
    const d = directives(meta ?? '');
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(meta).not.toMatch(/unsafe-eval|unsafe-hashes|strict-dynamic|\*/);
    // every directive of the meta tag says the same as the header (the header may add more)
    const header = directives(CONTENT_SECURITY_POLICY);
    for (const [name, sources] of d) expect(header.get(name), name).toEqual(sources);
  });
});

// ---- index.ts, the Electron main process, with `electron` replaced by fakes ----------------------
//
// Each scenario imports index.ts afresh (vi.resetModules) against its own fake `electron`
// (vi.doMock), so `app.isPackaged` and ELECTRON_RENDERER_URL can differ between them. The app services is
// the real one; its dispose can be held back to see that quitting waits for it.

type Fn = (...args: never[]) => unknown;

class Emitter {
  readonly handlers = new Map<string, Fn[]>();
  on(name: string, fn: Fn): this {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), fn]);
    return this;
  }
  off(name: string, fn: Fn): this {
    this.handlers.set(
      name,
      (this.handlers.get(name) ?? []).filter((f) => f !== fn),
    );
    return this;
  }
  listeners(name: string): Fn[] {
    return this.handlers.get(name) ?? [];
  }
}

class FakeWebContents extends Emitter {
  windowOpenHandler: ((d: { url: string }) => unknown) | null = null;
  readonly postedPorts: Array<{ channel: string; ports: unknown[] }> = [];
  setWindowOpenHandler(fn: (d: { url: string }) => unknown): void {
    this.windowOpenHandler = fn;
  }
  send(): void {}
  postMessage(channel: string, _message: unknown, ports: unknown[] = []): void {
    this.postedPorts.push({ channel, ports });
  }
  isDestroyed(): boolean {
    return false;
  }
}

type PermissionRequestHandler = (
  wc: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string },
) => void;
type PermissionCheckHandler = (
  wc: unknown,
  permission: string,
  requestingOrigin: string,
  details: { requestingUrl?: string },
) => boolean;
type HeadersHandler = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (r: { responseHeaders: Record<string, string[]> }) => void,
) => void;

function makeElectronFake(isPackaged: boolean) {
  const windows: Array<{
    options: Record<string, unknown>;
    webContents: FakeWebContents;
    loaded: Array<{ how: 'file' | 'url'; args: unknown[] }>;
  }> = [];
  class FakeBrowserWindow {
    readonly webContents = new FakeWebContents();
    private readonly record: (typeof windows)[number];
    constructor(readonly options: Record<string, unknown>) {
      this.record = { options, webContents: this.webContents, loaded: [] };
      windows.push(this.record);
    }
    isDestroyed(): boolean {
      return false;
    }
    loadFile(...args: unknown[]): Promise<void> {
      this.record.loaded.push({ how: 'file', args });
      return Promise.resolve();
    }
    loadURL(...args: unknown[]): Promise<void> {
      this.record.loaded.push({ how: 'url', args });
      return Promise.resolve();
    }
  }
  const paths = new Map<string, string>();
  /** Whether each before-quit so far was prevented, in order. */
  const beforeQuits: boolean[] = [];
  const app = new (class extends Emitter {
    readonly isPackaged = isPackaged;
    quitCalls = 0;
    ready: () => void = () => undefined;
    readonly whenReadyPromise = new Promise<void>((resolve) => {
      this.ready = resolve;
    });
    whenReady(): Promise<void> {
      return this.whenReadyPromise;
    }
    getPath(name: string): string {
      const p = paths.get(name);
      if (p === undefined) throw new Error(`getPath(${name}) before setPath`);
      return p;
    }
    setPath(name: string, value: string): void {
      paths.set(name, value);
    }
    /** What Electron does on quit: before-quit, which a listener may prevent. */
    emitBeforeQuit(): boolean {
      let prevented = false;
      const event = { preventDefault: () => void (prevented = true) };
      for (const l of this.listeners('before-quit')) (l as (e: unknown) => void)(event);
      beforeQuits.push(prevented);
      return prevented;
    }
    quit(): void {
      this.quitCalls++;
      this.emitBeforeQuit();
    }
  })();
  const ipcHandlers = new Map<string, (e: unknown, a?: unknown) => unknown>();
  const session = {
    permissionRequest: null as PermissionRequestHandler | null,
    permissionCheck: null as PermissionCheckHandler | null,
    headersFilter: null as unknown,
    headersHandler: null as HeadersHandler | null,
    headersCalls: 0,
  };
  const menu = { set: [] as unknown[] };
  const opened: string[] = [];
  const module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Menu: {
      buildFromTemplate: (template: unknown) => ({ builtFrom: template }),
      setApplicationMenu: (m: unknown) => void menu.set.push(m),
    },
    dialog: { showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }) },
    safeStorage: {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: () => Buffer.alloc(0),
      decryptString: () => '',
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: PermissionRequestHandler) => {
          session.permissionRequest = fn;
        },
        setPermissionCheckHandler: (fn: PermissionCheckHandler) => {
          session.permissionCheck = fn;
        },
        webRequest: {
          // Electron's signature: (filter, listener) or (listener) for every URL
          onHeadersReceived: (...args: unknown[]) => {
            session.headersCalls++;
            const fn = args.at(-1) as HeadersHandler;
            session.headersFilter = args.length > 1 ? args[0] : null;
            session.headersHandler = fn;
          },
        },
      },
    },
    shell: {
      openExternal: (url: string) => {
        opened.push(url);
        return Promise.resolve();
      },
    },
    ipcMain: {
      handle: (channel: string, fn: (e: unknown, a?: unknown) => unknown) => {
        if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        ipcHandlers.set(channel, fn);
      },
      removeHandler: (channel: string) => void ipcHandlers.delete(channel),
    },
    MessageChannelMain: class {
      readonly port1 = { on() {}, start() {}, close() {}, postMessage() {} };
      readonly port2 = {};
    },
  };
  return { module, app, windows, paths, beforeQuits, ipcHandlers, session, menu, opened };
}

type ElectronFake = ReturnType<typeof makeElectronFake>;

/** The app services index.ts made, with a hand on their dispose. */
interface ServicesProbe {
  readonly deps: AppServicesDeps;
  readonly services: AppServices;
  disposeCalls: number;
  disposed: boolean;
  /** While set, dispose waits for it. */
  hold: Promise<void> | null;
}

interface Booted {
  readonly electron: ElectronFake;
  readonly made: ServicesProbe[];
  readonly userData: string;
  /** The page index.ts trusts. */
  readonly appUrl: string;
  readonly win: ElectronFake['windows'][number];
  readonly logs: string[];
}

/** index.ts computes its page's file from its own folder; in a test that is electron/main. */
const RENDERER_FILE = path.join(import.meta.dirname, '../renderer/index.html');
const FILE_APP_URL = pathToFileURL(RENDERER_FILE).toString();

async function boot(opts: {
  isPackaged: boolean;
  rendererUrl?: string;
  resourcesPath?: string;
}): Promise<Booted> {
  const userData = await mkdtemp(path.join(os.tmpdir(), 'kvs-main-'));
  vi.stubEnv('KVS_USER_DATA_DIR', userData);
  vi.stubEnv('KVS_AUTOSTART', undefined);
  vi.stubEnv('ELECTRON_RENDERER_URL', opts.rendererUrl);
  if (opts.resourcesPath !== undefined)
    Object.defineProperty(process, 'resourcesPath', {
      value: opts.resourcesPath,
      configurable: true,
      writable: true,
    });

  const electron = makeElectronFake(opts.isPackaged);
  const made: ServicesProbe[] = [];
  vi.resetModules();
  vi.doMock('electron', () => electron.module);
  vi.doMock('../services/app-services.js', async (importOriginal) => {
    const real = await importOriginal<typeof import('../services/app-services.js')>();
    return {
      ...real,
      createAppServices: (deps: AppServicesDeps): AppServices => {
        const services = real.createAppServices(deps);
        const realDispose = services.dispose.bind(services);
        const probe: ServicesProbe = {
          deps,
          services,
          disposeCalls: 0,
          disposed: false,
          hold: null,
        };
        services.dispose = async () => {
          probe.disposeCalls++;
          if (probe.hold) await probe.hold;
          await realDispose();
          probe.disposed = true;
        };
        made.push(probe);
        return services;
      },
    };
  });
  const logs: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    logs.push(args.map(String).join(' '));
  });

  await import('./index.js');
  electron.app.ready();
  await electron.app.whenReady();
  // index.ts's whenReady().then(…) has run when the quit handler is there
  await vi.waitFor(() => expect(electron.app.listeners('before-quit')).toHaveLength(1));
  const win = electron.windows[0];
  if (!win) throw new Error('index.ts made no window');
  const appUrl =
    !opts.isPackaged && opts.rendererUrl !== undefined ? opts.rendererUrl : FILE_APP_URL;
  return { electron, made, userData, appUrl, win, logs };
}

/** Quit the way Electron does, and wait until the app has really quit. */
async function shutDown(b: Booted): Promise<void> {
  if (b.electron.app.quitCalls === 0) b.electron.app.emitBeforeQuit();
  await vi.waitFor(() => expect(b.made.every((h) => h.disposed)).toBe(true));
  await vi.waitFor(() => expect(b.electron.app.quitCalls).toBeGreaterThan(0));
  vi.doUnmock('electron');
  vi.doUnmock('../services/app-services.js');
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(b.userData, { recursive: true, force: true });
}

/** An invoke event as Electron builds it. */
const eventFrom = (sender: unknown, url: string | null) =>
  ({ sender, senderFrame: url === null ? null : { url } }) as unknown as IpcMainInvokeEvent;

/** Every role in a menu template, submenus included. */
function menuRoles(items: readonly MenuItemSpec[]): string[] {
  return items.flatMap((i) => [...(i.role ? [i.role] : []), ...menuRoles(i.submenu ?? [])]);
}

describe('the main process (index.ts), not packaged, no dev server', () => {
  let b: Booted;

  /** Run every `name` listener of the window's webContents the way Electron would. */
  const fire = (name: string, url: string): boolean => {
    let prevented = false;
    // Electron ≥ 25 puts the URL on the event too (will-frame-navigate has it there only)
    const event = { url, preventDefault: () => void (prevented = true) };
    const listeners = b.win.webContents.listeners(name);
    expect(listeners.length, `a ${name} listener`).toBeGreaterThan(0);
    for (const l of listeners) (l as (e: unknown, u: string) => void)(event, url);
    return prevented;
  };
  const request = (
    wc: unknown,
    permission: string,
    requestingUrl: string,
    more: Record<string, unknown> = {},
  ): boolean[] => {
    const handler = b.electron.session.permissionRequest;
    if (!handler) throw new Error('no permission request handler');
    const answers: boolean[] = [];
    handler(wc, permission, (ok) => answers.push(ok), { requestingUrl, ...more });
    return answers;
  };
  const check = (
    wc: unknown,
    permission: string,
    requestingUrl: string | undefined,
    more: Record<string, unknown> = {},
  ): boolean => {
    const handler = b.electron.session.permissionCheck;
    if (!handler) throw new Error('no permission check handler');
    return handler(wc, permission, 'file://', {
      ...(requestingUrl === undefined ? {} : { requestingUrl }),
      ...more,
    });
  };

  beforeAll(async () => {
    b = await boot({ isPackaged: false });
  });
  afterAll(async () => {
    await shutDown(b);
  });

  it('sets the one user-data folder (userDataDir: KVS_USER_DATA_DIR here) and gives it to the app services', () => {
    expect(b.electron.paths.get('userData')).toBe(path.resolve(b.userData));
    expect(b.made).toHaveLength(1);
    expect(b.made[0]?.deps.userDataDir).toBe(path.resolve(b.userData));
    expect(b.made[0]?.deps.allowOpenPath).toBe(false);
  });

  it('makes exactly one window, with contextIsolation, sandbox and no Node integration', () => {
    expect(b.electron.windows).toHaveLength(1);
    const prefs = b.win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toEqual(secureWebPreferences(String(prefs.preload)));
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
  });

  it('loads the built page from its file, and takes the icon from the source tree', () => {
    expect(b.win.loaded).toEqual([{ how: 'file', args: [RENDERER_FILE, {}] }]);
    expect(b.win.options.icon).toBe(path.join(import.meta.dirname, '../../resources/icon.png'));
  });

  it("keeps Electron's default menu in development", () => {
    expect(b.electron.menu.set).toEqual([]);
  });

  it('will-navigate, will-frame-navigate and will-redirect: only the app page; file:, javascript:, data: and other sites are blocked', () => {
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      for (const bad of [
        'https://evil.example/',
        'file:///etc/passwd',
        'javascript:alert(1)',
        'data:text/html,<h1>x</h1>',
        'about:blank',
        'http://127.0.0.1:1/',
        DEV_URL,
      ])
        expect(fire(name, bad), `${name} ${bad}`).toBe(true);
      expect(fire(name, b.appUrl), `${name} to the app page`).toBe(false);
    }
  });

  it('refuses to attach a <webview>', () => {
    expect(fire('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('window.open never opens a window; only allowlisted https links go to the browser', () => {
    const handler = b.win.webContents.windowOpenHandler;
    if (!handler) throw new Error('no window open handler');
    b.electron.opened.length = 0;
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://kafka.apache.org/',
      b.appUrl,
      'https://kafka.apache.org/documentation/',
    ])
      expect(handler({ url }), url).toEqual({ action: 'deny' });
    expect(b.electron.opened).toEqual(['https://kafka.apache.org/documentation/']);
  });

  it('permission requests: only the clipboard write, only for the app page in the app window', () => {
    const own = b.win.webContents;
    expect(request(own, 'clipboard-sanitized-write', b.appUrl)).toEqual([true]);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'display-capture',
      'midiSysex',
    ])
      expect(request(own, permission, b.appUrl), permission).toEqual([false]);
    for (const [who, url] of [
      [new FakeWebContents(), b.appUrl],
      [null, b.appUrl],
      [own, 'https://evil.example/'],
      [own, 'file:///etc/passwd'],
      [own, 'about:blank'],
    ] as const)
      expect(request(who, 'clipboard-sanitized-write', url), url).toEqual([false]);
  });

  it('a camera: a video-only media request or check from the app page in the app window; no microphone, no other page', () => {
    const own = b.win.webContents;
    expect(request(own, 'media', b.appUrl, { mediaTypes: ['video'] })).toEqual([true]);
    expect(check(own, 'media', b.appUrl, { mediaType: 'video' })).toBe(true);
    expect(request(own, 'media', b.appUrl, { mediaTypes: ['video', 'audio'] })).toEqual([false]);
    expect(request(own, 'media', b.appUrl, { mediaTypes: ['audio'] })).toEqual([false]);
    expect(check(own, 'media', b.appUrl, { mediaType: 'audio' })).toBe(false);
    expect(request(new FakeWebContents(), 'media', b.appUrl, { mediaTypes: ['video'] })).toEqual([
      false,
    ]);
    expect(request(own, 'media', 'https://evil.example/', { mediaTypes: ['video'] })).toEqual([
      false,
    ]);
  });

  it('permission checks: the same answers', () => {
    const own = b.win.webContents;
    expect(check(own, 'clipboard-sanitized-write', b.appUrl)).toBe(true);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'hid'])
      expect(check(own, permission, b.appUrl), permission).toBe(false);
    expect(check(new FakeWebContents(), 'clipboard-sanitized-write', b.appUrl)).toBe(false);
    expect(check(null, 'clipboard-sanitized-write', b.appUrl)).toBe(false);
    expect(check(own, 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    // no requesting URL: not known to be the app page
    expect(check(own, 'clipboard-sanitized-write', undefined)).toBe(false);
  });

  it("adds the desktop Content-Security-Policy (connect-src 'none') to the app page's responses only, keeping other headers", () => {
    expect(b.electron.session.headersCalls).toBe(1);
    expect(b.electron.session.headersFilter).toEqual(cspUrlFilter(b.appUrl));
    expect(b.electron.session.headersFilter).toEqual({ urls: ['file://*/*'] });
    const handler = b.electron.session.headersHandler;
    if (!handler) throw new Error('no onHeadersReceived handler');
    let headers: Record<string, string[]> | undefined;
    handler(
      {
        url: b.appUrl,
        responseHeaders: {
          'X-Other': ['1'],
          'Content-Security-Policy': ["script-src 'unsafe-inline'"],
        },
      },
      (r) => (headers = r.responseHeaders),
    );
    expect(headers).toEqual({
      'X-Other': ['1'],
      'Content-Security-Policy': [desktopContentSecurityPolicy(null)],
    });
    expect(directives(headers?.['Content-Security-Policy']?.[0] ?? '').get('connect-src')).toEqual([
      "'none'",
    ]);
  });

  it('registers the IPC handlers for its own window, with opening by path turned off', async () => {
    const handlers = b.electron.ipcHandlers;
    expect(handlers.size).toBe(INVOKE_CHANNELS.length + 1);
    const helloHandler = handlers.get(IPC.hello);
    const openPath = handlers.get(`${IPC.callPrefix}video:open-path`);
    if (!helloHandler || !openPath) throw new Error('no hello or video:open-path handler');
    const fromApp = eventFrom(b.win.webContents, b.appUrl);
    const fromElsewhere = eventFrom(b.win.webContents, 'https://evil.example/');

    expect(await helloHandler(fromElsewhere)).toBeNull();
    const reply = (await helloHandler(fromApp)) as HelloReply;
    expect(reply).toEqual({ client: expect.any(String) });
    expect(b.win.webContents.postedPorts.map((p) => p.channel)).toEqual([IPC.framePort]);

    expect(
      await openPath(fromApp, { client: reply.client, args: { path: '../../etc/passwd' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/turned off/) },
    });
    expect(
      await openPath(fromElsewhere, { client: reply.client, args: { path: '/etc/passwd' } }),
    ).toMatchObject({ ok: false, error: { message: 'Refused: not the app window.' } });
    expect(
      await openPath(fromApp, { client: 'page-999', args: { path: '/etc/passwd' } }),
    ).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  // last in this scenario: it quits the app
  it('before-quit is prevented once, the clean-up (services.dispose) is awaited, then the app quits', async () => {
    const probe = b.made[0];
    if (!probe) throw new Error('no app services');
    let letGo: () => void = () => undefined;
    probe.hold = new Promise<void>((resolve) => (letGo = resolve));

    expect(b.electron.app.emitBeforeQuit()).toBe(true);
    // the clean-up started: IPC is unregistered, the app services are disposing
    expect(b.electron.ipcHandlers.size).toBe(0);
    expect(probe.disposeCalls).toBe(1);
    // Cmd+Q again while it runs: held back too, no second clean-up
    expect(b.electron.app.emitBeforeQuit()).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(b.electron.app.quitCalls).toBe(0);
    expect(probe.disposeCalls).toBe(1);

    letGo();
    await vi.waitFor(() => expect(b.electron.app.quitCalls).toBe(1));
    expect(probe.disposed).toBe(true);
    // the before-quit of app.quit() itself went through
    expect(b.electron.beforeQuits).toEqual([true, true, false]);
    expect(b.logs).toEqual([]);
  });
});

describe('the main process (index.ts), packaged', () => {
  let b: Booted;
  const resources = path.join(os.tmpdir(), 'Kafka Video Studio', 'resources');
  const hadResourcesPath = Object.getOwnPropertyDescriptor(process, 'resourcesPath');

  beforeAll(async () => {
    // an environment variable must not choose the page a packaged app trusts with its bridge
    b = await boot({
      isPackaged: true,
      rendererUrl: 'https://evil.example/',
      resourcesPath: resources,
    });
  });
  afterAll(async () => {
    await shutDown(b);
    if (hadResourcesPath) Object.defineProperty(process, 'resourcesPath', hadResourcesPath);
    else Reflect.deleteProperty(process, 'resourcesPath');
  });

  it('ignores ELECTRON_RENDERER_URL: loads its own file and trusts only that', async () => {
    expect(b.win.loaded).toEqual([{ how: 'file', args: [RENDERER_FILE, {}] }]);
    expect(b.appUrl).toBe(FILE_APP_URL);
    const helloHandler = b.electron.ipcHandlers.get(IPC.hello);
    if (!helloHandler) throw new Error('no hello handler');
    expect(await helloHandler(eventFrom(b.win.webContents, 'https://evil.example/'))).toBeNull();
    expect(await helloHandler(eventFrom(b.win.webContents, FILE_APP_URL))).toEqual({
      client: expect.any(String),
    });
  });

  it("sends connect-src 'none', for file:// responses only", () => {
    expect(b.electron.session.headersFilter).toEqual({ urls: ['file://*/*'] });
    const handler = b.electron.session.headersHandler;
    if (!handler) throw new Error('no onHeadersReceived handler');
    let headers: Record<string, string[]> | undefined;
    handler({ url: FILE_APP_URL, responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'Content-Security-Policy': [desktopContentSecurityPolicy(null)] });
  });

  it('takes the icon from process.resourcesPath (outside the asar)', () => {
    expect(b.win.options.icon).toBe(path.join(resources, 'icon.png'));
  });

  it('sets its own menu, without reload, force reload or the developer tools', () => {
    expect(b.electron.menu.set).toHaveLength(1);
    const menu = b.electron.menu.set[0] as { builtFrom: MenuItemSpec[] };
    expect(menu.builtFrom).toEqual(packagedMenuTemplate(process.platform));
    const roles = menuRoles(menu.builtFrom).map((r) => r.toLowerCase());
    for (const forbidden of FORBIDDEN_ROLES) expect(roles).not.toContain(forbidden.toLowerCase());
    expect(roles).not.toContain('viewmenu');
    expect(roles).toContain('editmenu');
  });

  it('grants the clipboard write to its file page only', () => {
    const handler = b.electron.session.permissionRequest;
    if (!handler) throw new Error('no permission request handler');
    const answers: boolean[] = [];
    const ask = (url: string) =>
      handler(b.win.webContents, 'clipboard-sanitized-write', (ok) => answers.push(ok), {
        requestingUrl: url,
      });
    ask(FILE_APP_URL);
    ask('https://evil.example/');
    expect(answers).toEqual([true, false]);
  });

  // last in this scenario: it quits the app
  it('closing the last window quits, after the clean-up', async () => {
    const probe = b.made[0];
    if (!probe) throw new Error('no app services');
    const closed = b.electron.app.listeners('window-all-closed');
    expect(closed).toHaveLength(1);
    (closed[0] as () => void)();
    // app.quit() → before-quit, held back for the clean-up → app.quit() again
    await vi.waitFor(() => expect(b.electron.app.quitCalls).toBe(2));
    expect(probe.disposed).toBe(true);
    expect(b.electron.beforeQuits).toEqual([true, false]);
  });
});

describe('the main process (index.ts), in development with the dev server', () => {
  let b: Booted;

  beforeAll(async () => {
    b = await boot({ isPackaged: false, rendererUrl: DEV_URL });
  });
  afterAll(async () => {
    await shutDown(b);
  });

  it('loads the dev server page and trusts it (and not the built file)', async () => {
    expect(b.win.loaded).toEqual([{ how: 'url', args: [DEV_URL] }]);
    const helloHandler = b.electron.ipcHandlers.get(IPC.hello);
    if (!helloHandler) throw new Error('no hello handler');
    expect(await helloHandler(eventFrom(b.win.webContents, FILE_APP_URL))).toBeNull();
    expect(await helloHandler(eventFrom(b.win.webContents, `${DEV_URL}src/x.ts`))).toEqual({
      client: expect.any(String),
    });
  });

  it("sends the dev server's policy, for the dev server's responses only", () => {
    expect(b.electron.session.headersFilter).toEqual({ urls: ['http://localhost:5173/*'] });
    const handler = b.electron.session.headersHandler;
    if (!handler) throw new Error('no onHeadersReceived handler');
    let headers: Record<string, string[]> | undefined;
    handler({ url: DEV_URL, responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({
      'Content-Security-Policy': [desktopContentSecurityPolicy(DEV_URL)],
    });
  });

  it('keeps the default menu', () => {
    expect(b.electron.menu.set).toEqual([]);
  });
});
