import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY as SERVE_CSP } from '../cli/serve.js';
import { invoke } from '../shared/contract.js';
import { CONTENT_SECURITY_POLICY, isAllowedExternal, isAppUrl, secureWebPreferences } from './security.js';

describe('desktop shell security settings', () => {
  it('isolates the page from Node', () => {
    const p = secureWebPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(p.nodeIntegrationInWorker).toBe(false);
    expect(p.nodeIntegrationInSubFrames).toBe(false);
    expect(p.allowRunningInsecureContent).toBe(false);
  });

  it('has a CSP without inline or remote scripts', () => {
    const script = CONTENT_SECURITY_POLICY.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(script?.trim()).toBe("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/object-src 'none'/);
  });

  it('trusts only the app page as an IPC sender', () => {
    const app = 'file:///opt/Kafka%20Video%20Studio/resources/app.asar/out/renderer/index.html';
    expect(isAppUrl(app, app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://evil.example/', app)).toBe(false);
    expect(isAppUrl('not a url', app)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/x.ts', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it('opens only https links on an allowlist, never file: or javascript:', () => {
    expect(isAllowedExternal('https://kafka.apache.org/documentation/')).toBe(true);
    for (const bad of ['http://kafka.apache.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://evil.example/', 'https://user:pw@kafka.apache.org/', 'nonsense'])
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

describe('one Content-Security-Policy everywhere', () => {
  it('the desktop header and kvs serve send the same policy', () => {
    expect(SERVE_CSP).toBe(CONTENT_SECURITY_POLICY);
  });

  it("the meta tag says every directive of the header that a meta tag can carry (a file:// page may not get the header)", () => {
    const html = readFileSync(path.join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = directives(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1] ?? '');
    // frame-ancestors is ignored in a meta tag by the spec; the window never embeds the page anyway
    const header = [...directives(CONTENT_SECURITY_POLICY)].filter(([name]) => name !== 'frame-ancestors');
    for (const [name, sources] of header) expect(meta.get(name), name).toEqual(sources);
  });

  it("the page's own meta tag allows no inline, eval'd or remote script", () => {
    const html = readFileSync(path.join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1];
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

const electronFake = vi.hoisted(() => {
  type Fn = (...args: never[]) => unknown;
  class Emitter {
    readonly handlers = new Map<string, Fn[]>();
    on(name: string, fn: Fn): this {
      this.handlers.set(name, [...(this.handlers.get(name) ?? []), fn]);
      return this;
    }
    off(name: string, fn: Fn): this {
      this.handlers.set(name, (this.handlers.get(name) ?? []).filter((f) => f !== fn));
      return this;
    }
    listeners(name: string): Fn[] {
      return this.handlers.get(name) ?? [];
    }
  }
  class FakeWebContents extends Emitter {
    windowOpenHandler: ((d: { url: string }) => unknown) | null = null;
    setWindowOpenHandler(fn: (d: { url: string }) => unknown): void {
      this.windowOpenHandler = fn;
    }
    send(): void {}
    postMessage(): void {}
  }
  const windows: Array<{ options: Record<string, unknown>; webContents: FakeWebContents; loaded: unknown[] }> = [];
  class FakeBrowserWindow {
    readonly webContents = new FakeWebContents();
    constructor(readonly options: Record<string, unknown>) {
      windows.push({ options, webContents: this.webContents, loaded: [] });
    }
    isDestroyed(): boolean {
      return false;
    }
    loadFile(...args: unknown[]): Promise<void> {
      windows.at(-1)?.loaded.push(args);
      return Promise.resolve();
    }
    loadURL(...args: unknown[]): Promise<void> {
      windows.at(-1)?.loaded.push(args);
      return Promise.resolve();
    }
  }
  const app = new (class extends Emitter {
    userData = '';
    ready: () => void = () => undefined;
    readonly whenReadyPromise = new Promise<void>((resolve) => {
      this.ready = resolve;
    });
    whenReady(): Promise<void> {
      return this.whenReadyPromise;
    }
    getPath(): string {
      return this.userData;
    }
    setPath(): void {}
    quit(): void {}
  })();
  const ipcHandlers = new Map<string, (e: unknown, a: unknown) => Promise<unknown>>();
  const session = {
    permissionHandler: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    headersHandler: null as null | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void),
  };
  const opened: string[] = [];
  return {
    windows,
    app,
    ipcHandlers,
    session,
    opened,
    module: {
      app,
      BrowserWindow: FakeBrowserWindow,
      dialog: { showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }) },
      safeStorage: {
        isEncryptionAvailable: () => false,
        getSelectedStorageBackend: () => 'basic_text',
        encryptString: () => Buffer.alloc(0),
        decryptString: () => '',
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (fn: typeof session.permissionHandler) => {
            session.permissionHandler = fn;
          },
          webRequest: {
            onHeadersReceived: (fn: typeof session.headersHandler) => {
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
        handle: (channel: string, fn: (e: unknown, a: unknown) => Promise<unknown>) => {
          if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
          ipcHandlers.set(channel, fn);
        },
        removeHandler: (channel: string) => void ipcHandlers.delete(channel),
      },
      MessageChannelMain: class {
        readonly port1 = { on() {}, start() {}, close() {}, postMessage() {} };
        readonly port2 = {};
      },
    },
  };
});

vi.mock('electron', () => electronFake.module);

describe('the main process (index.ts) wires the secure settings', () => {
  /** index.ts computes its page URL from its own folder; in a test that is electron/main. */
  const appUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(path.join(import.meta.dirname, '../renderer/index.html')).toString();
  let userData: string;

  const win = () => {
    const w = electronFake.windows[0];
    if (!w) throw new Error('index.ts made no window');
    return w;
  };
  /** Run every `name` listener of the window's webContents the way Electron would. */
  const fire = (name: string, url: string): boolean => {
    let prevented = false;
    // Electron ≥ 25 puts the URL on the event too (will-frame-navigate has it there only)
    const event = { url, preventDefault: () => void (prevented = true) };
    const listeners = win().webContents.listeners(name);
    expect(listeners.length, `a ${name} listener`).toBeGreaterThan(0);
    for (const l of listeners) (l as (e: unknown, u: string) => void)(event, url);
    return prevented;
  };

  beforeAll(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'kvs-main-'));
    electronFake.app.userData = userData;
    await import('./index.js');
    electronFake.app.ready();
    await electronFake.app.whenReady();
    await new Promise((r) => setTimeout(r, 0));
  });
  afterAll(async () => {
    for (const l of electronFake.app.listeners('before-quit')) (l as () => void)();
    await new Promise((r) => setTimeout(r, 50));
    await rm(userData, { recursive: true, force: true });
  });

  it('makes exactly one window, with contextIsolation, sandbox and no Node integration', () => {
    expect(electronFake.windows).toHaveLength(1);
    const prefs = win().options.webPreferences as Record<string, unknown>;
    expect(prefs).toEqual(secureWebPreferences(String(prefs.preload)));
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
  });

  it('will-navigate, will-frame-navigate and will-redirect: only the app page; file:, javascript:, data: and other sites are blocked', () => {
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      for (const bad of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<h1>x</h1>', 'about:blank', 'http://127.0.0.1:1/'])
        expect(fire(name, bad), `${name} ${bad}`).toBe(true);
      expect(fire(name, appUrl), `${name} to the app page`).toBe(false);
    }
  });

  it('refuses to attach a <webview>', () => {
    expect(fire('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('window.open never opens a window; only allowlisted https links go to the browser', () => {
    const handler = win().webContents.windowOpenHandler;
    if (!handler) throw new Error('no window open handler');
    electronFake.opened.length = 0;
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'http://kafka.apache.org/', appUrl, 'https://kafka.apache.org/documentation/'])
      expect(handler({ url }), url).toEqual({ action: 'deny' });
    expect(electronFake.opened).toEqual(['https://kafka.apache.org/documentation/']);
  });

  it('grants the page no permission', () => {
    const handler = electronFake.session.permissionHandler;
    if (!handler) throw new Error('no permission handler');
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const answers: boolean[] = [];
      handler({}, permission, (ok) => answers.push(ok));
      expect(answers, permission).toEqual([false]);
    }
  });

  it('adds the Content-Security-Policy header to every response, keeping the others', () => {
    const handler = electronFake.session.headersHandler;
    if (!handler) throw new Error('no onHeadersReceived handler');
    let headers: Record<string, string[]> | undefined;
    handler({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': ["script-src 'unsafe-inline'"] } }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('registers the IPC handlers for its own window, with opening by path turned off', async () => {
    expect(electronFake.ipcHandlers.size).toBe(Object.keys(invoke).length);
    const openPath = electronFake.ipcHandlers.get('kvs:video:open-path');
    if (!openPath) throw new Error('no video:open-path handler');
    const fromApp = { sender: win().webContents, senderFrame: { url: appUrl } } as unknown as IpcMainInvokeEvent;
    expect(await openPath(fromApp, { path: '../../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/turned off/) } });
    const fromElsewhere = { sender: win().webContents, senderFrame: { url: 'https://evil.example/' } } as unknown as IpcMainInvokeEvent;
    expect(await openPath(fromElsewhere, { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { message: 'Refused: not the app window.' } });
  });
});
