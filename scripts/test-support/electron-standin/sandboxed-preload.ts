/**
 * Run a built preload file the way Electron's sandboxed renderer does — the proof that the
 * file Electron loads can load at all. Rules, from Electron's source at 96f3996d (45 line):
 *
 * - Compiled as a function body with the parameters
 *   `(require, process, exports, module, Buffer, global, setImmediate, clearImmediate)`, in
 *   that order, by V8's CompileFunction (lib/sandboxed_renderer/preload.ts runPreloadScript()
 *   87–92; the last four from init.ts exposeGlobals 70–77; shell/renderer/preload_utils.cc
 *   CreatePreloadScript() 162–168). `vm.compileFunction` is Node's CompileFunction.
 *   `exports` is `{}`, `module` is `{ exports }`, there is no `__filename` / `__dirname`.
 * - `require` resolves exactly `electron`, `electron/common`, `electron/renderer`, `events`,
 *   `node:events`, `timers`, `node:timers`, `url`, `node:url`; anything else throws
 *   `Error("module not found: <name>")` (lib/sandboxed_renderer/init.ts 26–39, preload.ts
 *   preloadRequire() 56–66; docs/tutorial/sandbox.md "Preload scripts" 50–75).
 * - `process` is an EventEmitter with the sandbox's subset: `sandboxed: true`,
 *   `type: 'renderer'`, `platform`, `arch`, `env`, `version(s)`, `pid`, `argv`, `execPath`…,
 *   no `cwd`, `nextTick`, `exit`… (preload.ts createPreloadProcessObject() 28–42;
 *   electron_sandboxed_renderer_client.cc 87–94; docs/api/process.md "Sandbox").
 * - A preload that throws is logged ("Unable to load preload script: <path>") and the page
 *   loads without what it would have exposed (preload.ts executeSandboxedPreloadScripts()
 *   111–114). The harness returns the error instead, so a test can fail on it.
 * - The preload runs in its own JavaScript world (contextIsolation: true): here a `vm`
 *   context, with the DOM-side globals a preload uses (`window`, `postMessage`, timers, …).
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import * as timers from 'node:timers';
import * as url from 'node:url';
import vm from 'node:vm';
import type { World } from './context-bridge.js';

export const PRELOAD_PARAMS = [
  'require',
  'process',
  'exports',
  'module',
  'Buffer',
  'global',
  'setImmediate',
  'clearImmediate',
] as const;

/** What a sandboxed preload's `require('electron')` is (lib/sandboxed_renderer/api/module-list.ts 1–30). */
export interface SandboxedElectron {
  readonly contextBridge: unknown;
  readonly ipcRenderer: unknown;
}

export interface SandboxWindow {
  /** `window.postMessage(message, targetOrigin, transfer)` from the isolated world. */
  postMessage(message: unknown, targetOrigin: string, transfer?: unknown[]): void;
}

export interface PreloadRun {
  /** The preload's own world: its constructors, for copying values out of it. */
  readonly world: World;
  /** What the preload threw while loading (Electron logs it and goes on), or null. */
  readonly error: unknown;
  /** Every `require(name)` the preload made, allowed or not. */
  readonly required: readonly string[];
}

function notInStandIn(name: string): unknown {
  return new Proxy(
    {},
    {
      get(_t, prop) {
        throw new Error(`electron.${name}.${String(prop)} is not part of the test stand-in`);
      },
    },
  );
}

/** The sandbox's `process`: an EventEmitter with the documented subset only. */
function sandboxProcess(): EventEmitter {
  const p = new EventEmitter();
  Object.assign(p, {
    sandboxed: true,
    type: 'renderer',
    contextIsolated: true,
    isMainFrame: true,
    platform: process.platform,
    arch: process.arch,
    env: { ...process.env },
    version: process.version,
    versions: { ...process.versions, electron: 'stand-in', chrome: 'stand-in' },
    pid: process.pid,
    argv: [],
    execPath: process.execPath,
    uptime: () => process.uptime(),
    getProcessMemoryInfo: () => Promise.resolve({ private: 0, shared: 0, residentSet: 0 }),
  });
  return p;
}

export async function runSandboxedPreload(
  file: string,
  deps: {
    readonly electron: SandboxedElectron;
    readonly window: SandboxWindow;
    /** Told the preload's world before the preload runs (so its ipcRenderer makes that world's Errors). */
    readonly onWorld?: (world: World) => void;
  },
): Promise<PreloadRun> {
  const source = await readFile(file, 'utf8');
  // the isolated world: its own globals and built-ins, the DOM's window API beside them
  const globals: Record<string, unknown> = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    TextEncoder,
    TextDecoder,
    URL,
    crypto: globalThis.crypto,
    postMessage: deps.window.postMessage.bind(deps.window),
  };
  const context = vm.createContext(globals, { name: `isolated world of ${file}` });
  globals.window = context;
  globals.self = context;
  const world = vm.runInContext('({ Object, Array, Error, Promise })', context) as World;
  deps.onWorld?.(world);

  const electron = {
    contextBridge: deps.electron.contextBridge,
    ipcRenderer: deps.electron.ipcRenderer,
    crashReporter: notInStandIn('crashReporter'),
    nativeImage: notInStandIn('nativeImage'),
    sharedTexture: notInStandIn('sharedTexture'),
    webFrame: notInStandIn('webFrame'),
    webUtils: notInStandIn('webUtils'),
  };
  const loaded = new Map<string, unknown>([
    ['electron', electron],
    ['electron/common', electron],
    ['electron/renderer', electron],
    ['events', EventEmitter],
    ['node:events', EventEmitter],
    ['timers', timers],
    ['node:timers', timers],
    ['url', url],
    ['node:url', url],
  ]);
  const required: string[] = [];
  const preloadRequire = (name: string): unknown => {
    required.push(name);
    if (loaded.has(name)) return loaded.get(name);
    throw new Error(`module not found: ${name}`);
  };

  let error: unknown = null;
  try {
    const fn = vm.compileFunction(source, [...PRELOAD_PARAMS], {
      filename: file,
      parsingContext: context,
    });
    const exports = {};
    fn(
      preloadRequire,
      sandboxProcess(),
      exports,
      { exports },
      Buffer,
      context,
      setImmediate,
      clearImmediate,
    );
  } catch (e) {
    error = e;
  }
  return { world, error, required };
}
