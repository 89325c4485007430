/**
 * The stand-in Electron main process: a child Node process that starts a BUILT main bundle
 * (out/main/index.js, or the one inside a packaged app) with the stand-in `electron` module,
 * and plays each window's renderer: it runs the window's BUILT preload under the sandbox's
 * rules (sandboxed-preload.ts) and carries what the preload exposes, and the port it posts, to
 * the real page in Chromium that the parent (standin-app.ts) holds.
 *
 *   node --import tsx --import ./register.mjs main-process.ts --main <bundle> --app-path <dir>
 *        [--packaged --resources <dir>] --home <dir>
 *
 * It is started with an IPC channel (Node `fork`, serialization 'advanced'); protocol.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MessagePort as NodeMessagePort } from 'node:worker_threads';
import { classify, cloneOrThrow, crossWorlds, HERE, type World } from './context-bridge.js';
import {
  app,
  BrowserWindow,
  configureStandin,
  dialogAnswers,
  saveDialogAnswers,
  ipcMain,
  Menu,
  noticesSoFar,
  openedExternally,
  sessionState,
  type StandinWebContents,
} from './electron-main.js';
import { StandinIpcRenderer, type InvokeEvent } from './ipc.js';
import type { ApiShape, Control, Encoded, FromMain, LoadInfo, Query, ToMain } from './protocol.js';
import { runSandboxedPreload } from './sandboxed-preload.js';

const { values } = parseArgs({
  options: {
    main: { type: 'string' },
    'app-path': { type: 'string' },
    packaged: { type: 'boolean', default: false },
    resources: { type: 'string' },
    home: { type: 'string' },
  },
});
if (!values.main || !values['app-path'] || !values.home)
  throw new Error('usage: main-process.ts --main <bundle> --app-path <dir> --home <dir>');
if (!process.send) throw new Error('main-process.ts must be started with an IPC channel (fork)');

function toParent(msg: FromMain): void {
  process.send?.(msg);
}

// ---- one renderer (page load) per webContents ---------------------------------------------------------

interface Renderer {
  readonly wcId: number;
  readonly ipc: StandinIpcRenderer;
  readonly exposed: Map<string, unknown>;
  world: World;
  alive: boolean;
  /** Functions sent to the page in results (by id). */
  readonly fns: Map<number, (...args: unknown[]) => unknown>;
}

const renderers = new Map<number, Renderer>();
const ports = new Map<number, NodeMessagePort>();
let nextFn = 1;
let nextPort = 1;

function shapeOf(value: unknown, depth = 0): ApiShape {
  if (depth > 100) throw new Error('exposed API too deep for the stand-in');
  switch (classify(value)) {
    case 'function':
      return { fn: true };
    case 'object':
      return {
        obj: Object.fromEntries(
          Object.keys(value as object).map((k) => [
            k,
            shapeOf((value as Record<string, unknown>)[k], depth + 1),
          ]),
        ),
      };
    case 'primitive':
      if (typeof value === 'symbol' || typeof value === 'bigint')
        throw new Error('the stand-in cannot carry a symbol or bigint to the page');
      return { value };
    default:
      // arrays, errors, cloneables: copied once, as values (rules 5–8)
      return { value: crossWorlds(value, HERE, HERE) };
  }
}

/** isolated world → page, by contextBridge's rules (context-bridge.ts). */
function encode(r: Renderer, value: unknown, depth = 0): Encoded {
  if (depth >= 1000) throw new TypeError('Electron contextBridge recursion depth exceeded.');
  switch (classify(value)) {
    case 'primitive':
      if (typeof value === 'symbol' || typeof value === 'bigint')
        throw new Error('the stand-in cannot carry a symbol or bigint to the page');
      return { k: 'v', v: value };
    case 'function': {
      const id = nextFn++;
      r.fns.set(id, value as (...args: unknown[]) => unknown);
      return { k: 'fn', id };
    }
    case 'promise':
      throw new Error('the stand-in carries a Promise only as a return value');
    case 'error':
      return { k: 'err', message: (value as Error).message };
    case 'array':
      return { k: 'arr', items: (value as unknown[]).map((v) => encode(r, v, depth + 1)) };
    case 'object':
      return {
        k: 'obj',
        entries: Object.keys(value as object).map(
          (key) => [key, encode(r, (value as Record<string, unknown>)[key], depth + 1)] as const,
        ),
      };
    case 'clone':
      return { k: 'v', v: cloneOrThrow(value) };
  }
}

/** page → isolated world: page functions become proxies that call into the page (fire and forget). */
function decode(r: Renderer, e: Encoded): unknown {
  switch (e.k) {
    case 'v':
      return e.v;
    case 'fn':
      return (...args: unknown[]) => {
        if (!r.alive) return undefined;
        toParent({ t: 'page-fn', wcId: r.wcId, fnId: e.id, args: args.map((a) => encode(r, a)) });
        return undefined;
      };
    case 'err':
      return new Error(e.message);
    case 'arr':
      return e.items.map((i) => decode(r, i));
    case 'obj':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, decode(r, v)]));
  }
}

async function loadRenderer(wc: StandinWebContents, url: string): Promise<void> {
  const win = BrowserWindow.getAllWindows().find((w) => w.webContents === wc);
  const preload = win?.options.webPreferences?.preload;
  const r: Renderer = {
    wcId: wc.id,
    ipc: new StandinIpcRenderer((channel, args) => {
      const event: InvokeEvent = {
        type: 'frame',
        processId: 1,
        frameId: 1,
        sender: wc,
        senderFrame: wc.isDestroyed() ? null : { url: wc.getURL() },
      };
      return ipcMain.dispatchInvoke(channel, event, args);
    }),
    exposed: new Map(),
    world: HERE,
    alive: true,
    fns: new Map(),
  };
  renderers.set(wc.id, r);
  wc.renderer = r.ipc;
  let preloadError: string | null = null;
  let required: readonly string[] = [];
  if (typeof preload === 'string') {
    const run = await runSandboxedPreload(preload, {
      electron: {
        ipcRenderer: r.ipc,
        contextBridge: {
          exposeInMainWorld(key: string, api: unknown): void {
            if (r.exposed.has(key))
              throw new Error(
                'Cannot bind an API on top of an existing property on the window object',
              );
            r.exposed.set(key, api);
          },
        },
      },
      onWorld: (world) => (r.ipc.world = world),
      window: {
        postMessage(message: unknown, _targetOrigin: string, transfer: unknown[] = []): void {
          const portIds = transfer.map((p) => {
            const port = p as NodeMessagePort;
            const id = nextPort++;
            ports.set(id, port);
            port.on('message', (data: unknown) =>
              toParent({ t: 'port-message', portId: id, data }),
            );
            port.on('close', () => ports.delete(id));
            return id;
          });
          toParent({ t: 'window-message', wcId: wc.id, data: cloneOrThrow(message), portIds });
        },
      },
    });
    r.world = run.world;
    required = run.required;
    if (run.error !== null) {
      // lib/sandboxed_renderer/preload.ts 111–114: logged, and the page loads without it
      preloadError =
        run.error instanceof Error ? `${run.error.name}: ${run.error.message}` : String(run.error);
      console.error(`Unable to load preload script: ${preload}`);
      console.error(run.error);
    }
  }
  const exposed: Record<string, ApiShape> = {};
  for (const [key, api] of r.exposed) exposed[key] = shapeOf(api);
  const info: LoadInfo = { wcId: wc.id, url, exposed, preloadError, required };
  toParent({ t: 'load', info });
}

configureStandin(
  {
    appPath: values['app-path'],
    isPackaged: values.packaged,
    ...(values.resources ? { resourcesPath: values.resources } : {}),
    homeDir: values.home,
  },
  {
    load(wc, url) {
      void loadRenderer(wc, url).catch((err: unknown) =>
        toParent({ t: 'log', line: `stand-in: loading the renderer failed: ${String(err)}` }),
      );
    },
    unload(wc) {
      const r = renderers.get(wc.id);
      if (!r) return;
      r.alive = false;
      renderers.delete(wc.id);
      wc.renderer = null;
      toParent({ t: 'unload', wcId: wc.id });
    },
  },
);

// ---- requests from the page's side ------------------------------------------------------------------

/** A URL's origin as Chromium serialises it for `securityOrigin` (GURL spec: a trailing slash). */
function securityOrigin(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? 'file:///' : `${u.origin}/`;
  } catch {
    return '';
  }
}

function webContentsOf(fromAppWindow: boolean): StandinWebContents | null {
  return fromAppWindow ? (BrowserWindow.getAllWindows()[0]?.webContents ?? null) : null;
}

/** WebExtensions match patterns as Electron's webRequest filter uses them (docs/api/web-request.md 73–87). */
function matchesPattern(pattern: string, url: string): boolean {
  if (pattern === '<all_urls>') return true;
  const m = /^(\*|[a-z-]+):\/\/([^/]*)(\/.*)$/.exec(pattern);
  if (!m) throw new TypeError(`Invalid url pattern ${pattern}`);
  const [, scheme, host, pathPattern] = m as unknown as [string, string, string, string];
  const u = new URL(url);
  if (
    scheme === '*'
      ? !['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)
      : u.protocol !== `${scheme}:`
  )
    return false;
  if (
    host !== '*' &&
    host !== '' &&
    !(host.startsWith('*.') ? u.hostname.endsWith(host.slice(1)) : u.host === host)
  )
    return false;
  const re = new RegExp(
    `^${pathPattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(u.pathname + u.search);
}

function childProcesses(): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid)
        out.push({
          pid: Number(name),
          cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim(),
        });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function answer(q: Query): Promise<unknown> {
  const win = BrowserWindow.getAllWindows()[0];
  switch (q.q) {
    case 'windows':
      return BrowserWindow.getAllWindows().map((w) => ({
        wcId: w.webContents.id,
        url: w.webContents.getURL(),
        options: cloneOrThrow(w.options),
      }));
    case 'handlers':
      return ipcMain.handledChannels();
    case 'menu':
      return Menu.getApplicationMenu()?.template ?? null;
    case 'sent':
      return (win?.webContents.sent ?? [])
        .filter((s) => s.channel === q.channel)
        .map((s) => s.args);
    case 'notices':
      return noticesSoFar();
    case 'app':
      return {
        name: app.name,
        isPackaged: app.isPackaged,
        userData: app.getPath('userData'),
        resourcesPath: (process as { resourcesPath?: string }).resourcesPath ?? null,
      };
    case 'permission-request': {
      const handler = sessionState.permissionRequest;
      if (!handler) return 'no handler (Electron grants every request then)';
      return new Promise<boolean>((resolve) =>
        handler(webContentsOf(q.fromAppWindow), q.permission, resolve, {
          // a media request's details: mediaTypes and securityOrigin
          // (shell/browser/web_contents_permission_helper.cc RequestMediaAccessPermission),
          // then requestingUrl and isMainFrame for every request
          // (shell/browser/electron_permission_manager.cc RequestPermissionsWithDetails)
          ...(q.mediaTypes !== undefined
            ? { mediaTypes: [...q.mediaTypes], securityOrigin: securityOrigin(q.requestingUrl) }
            : {}),
          requestingUrl: q.requestingUrl,
          isMainFrame: true,
        }),
      );
    }
    case 'permission-check': {
      const handler = sessionState.permissionCheck;
      if (!handler) return 'no handler (Electron answers true to every check then)';
      return handler(
        webContentsOf(q.fromAppWindow),
        q.permission,
        new URL(q.requestingUrl).origin,
        {
          // a media check's details: securityOrigin and mediaType
          // (web_contents_permission_helper.cc CheckMediaAccessPermission; the manager sets
          // mediaType from the permission type too: electron_permission_manager.cc
          // CheckPermissionWithDetails)
          ...(q.mediaType !== undefined
            ? { securityOrigin: securityOrigin(q.requestingUrl), mediaType: q.mediaType }
            : {}),
          requestingUrl: q.requestingUrl,
          isMainFrame: true,
        },
      );
    }
    case 'headers': {
      const h = sessionState.headers;
      if (!h) return null;
      if (h.filter && !h.filter.urls.some((p) => matchesPattern(p, q.url))) return null;
      return new Promise((resolve) =>
        h.listener({ url: q.url, responseHeaders: { 'X-Other': ['1'] } }, (r) =>
          resolve(r.responseHeaders ?? null),
        ),
      );
    }
    case 'navigate': {
      if (!win) return null;
      const event = {
        url: q.url,
        isMainFrame: true,
        isSameDocument: false,
        defaultPrevented: false,
        preventDefault(): void {
          this.defaultPrevented = true;
        },
      };
      win.webContents.emit(q.event, event, q.url, false, true, 1, 1);
      return event.defaultPrevented;
    }
    case 'window-open':
      return win?.webContents.windowOpenHandler?.({ url: q.url }) ?? null;
    case 'opened-externally':
      return [...openedExternally];
    case 'children':
      return childProcesses();
  }
}

function control(c: Control): void {
  const win = BrowserWindow.getAllWindows()[0];
  switch (c.c) {
    case 'reload':
      win?.webContents.reload();
      return;
    case 'crash':
      win?.webContents.crashRenderer();
      return;
    case 'close-window':
      win?.close();
      return;
    case 'quit':
      app.quit();
      return;
    case 'dialog-answer':
      dialogAnswers.push({ canceled: false, filePaths: [...c.filePaths] });
      return;
    case 'save-dialog-answer':
      saveDialogAnswers.push(c.filePath);
      return;
  }
}

async function callFromPage(msg: Extract<ToMain, { t: 'call' }>): Promise<unknown> {
  const r = renderers.get(msg.wcId);
  if (!r) throw new Error('the page that called is gone');
  const [key, ...rest] = msg.path;
  let target: unknown = key === undefined ? undefined : r.exposed.get(key);
  let self: unknown = undefined;
  for (const part of rest) {
    self = target;
    target = (target as Record<string, unknown> | null)?.[part];
  }
  if (typeof target !== 'function') throw new Error(`not a function: ${msg.path.join('.')}`);
  // arguments are copied into the preload's world (rule 3: each call copies them over)
  const args = msg.args.map((a) => crossWorlds(decode(r, a), HERE, r.world));
  let result: unknown;
  try {
    result = (target as (...a: unknown[]) => unknown).apply(self, args);
  } catch (thrown) {
    throw new Error(thrown instanceof Error ? thrown.message : String(thrown));
  }
  return encode(r, await result);
}

process.on('message', (raw: ToMain) => {
  switch (raw.t) {
    case 'call':
      callFromPage(raw).then(
        (value) => toParent({ t: 'reply', id: raw.id, ok: true, value }),
        (err: unknown) =>
          toParent({
            t: 'reply',
            id: raw.id,
            ok: false,
            error: err instanceof Error ? err.message : String(err),
          }),
      );
      return;
    case 'port-out':
      ports.get(raw.portId)?.postMessage(raw.data);
      return;
    case 'query':
      answer(raw.query).then(
        (value) => toParent({ t: 'reply', id: raw.id, ok: true, value: cloneOrThrow(value) }),
        (err: unknown) => toParent({ t: 'reply', id: raw.id, ok: false, error: String(err) }),
      );
      return;
    case 'control':
      try {
        control(raw.control);
        toParent({ t: 'reply', id: raw.id, ok: true, value: null });
      } catch (err) {
        toParent({ t: 'reply', id: raw.id, ok: false, error: String(err) });
      }
      return;
  }
});

// Electron terminates once `quit` has run; so does the stand-in (after its last messages).
void app.exited.then((code) => setImmediate(() => process.exit(code)));
// The parent went away: so does this app, cleanly.
process.on('disconnect', () => app.quit());

await import(pathToFileURL(values.main).href);
app.launch();
