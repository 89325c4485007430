/**
 * The BUILT preload (out/preload/index.cjs, the file Electron loads) run the way Electron's
 * sandboxed renderer runs it: vm.compileFunction with Electron's parameters, a `require` that
 * knows only the sandbox's allowlist, and contextBridge's copy rules between the preload's world
 * and the page's (scripts/test-support/electron-standin/, each rule citing Electron's source).
 *
 * The first test is the one that was missing when the preload did `require("zod")`: every
 * screen of the desktop app was dead, and tests that imported the TypeScript source with a
 * faked `electron` could not see it. The rest assert what the page receives: calls, events, a
 * frame, and an error's code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crossWorlds,
  exposeOnto,
  HERE,
} from '../../scripts/test-support/electron-standin/context-bridge.js';
import {
  StandinIpcMain,
  StandinIpcRenderer,
  type InvokeEvent,
} from '../../scripts/test-support/electron-standin/ipc.js';
import {
  runSandboxedPreload,
  type PreloadRun,
} from '../../scripts/test-support/electron-standin/sandboxed-preload.js';
import {
  BRIDGE_GLOBAL,
  INVOKE_CHANNELS,
  IPC,
  type BridgeReply,
  type KvsElectronBridge,
} from '../shared/ipc-channels.js';

const root = path.resolve(import.meta.dirname, '../..');
const PRELOAD = path.join(root, 'out/preload/index.cjs');
/** What a sandboxed preload's require resolves (lib/sandboxed_renderer/init.ts 26–39). */
const SANDBOX_MODULES = [
  'electron',
  'electron/common',
  'electron/renderer',
  'events',
  'node:events',
  'timers',
  'node:timers',
  'url',
  'node:url',
];

interface Loaded {
  readonly run: PreloadRun;
  readonly page: Record<string, unknown>;
  readonly bridge: KvsElectronBridge;
  readonly main: StandinIpcMain;
  readonly renderer: StandinIpcRenderer;
  /** What the preload posted with window.postMessage. */
  readonly posted: Array<{ message: unknown; origin: string; transfer: unknown[] }>;
}

/** Load the built preload with a stand-in main behind its ipcRenderer and a page world in front. */
async function load(file = PRELOAD, main = new StandinIpcMain()): Promise<Loaded> {
  const pageUrl = 'file:///app/out/renderer/index.html';
  const renderer = new StandinIpcRenderer((channel, args) => {
    const event: InvokeEvent = {
      type: 'frame',
      processId: 1,
      frameId: 1,
      sender: renderer,
      senderFrame: { url: pageUrl },
    };
    return main.dispatchInvoke(channel, event, args);
  });
  const exposed: Array<[string, unknown]> = [];
  const posted: Loaded['posted'] = [];
  const run = await runSandboxedPreload(file, {
    electron: {
      ipcRenderer: renderer,
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
    },
    window: {
      postMessage: (message, origin, transfer = []) => posted.push({ message, origin, transfer }),
    },
    onWorld: (world) => (renderer.world = world),
  });
  const page: Record<string, unknown> = {};
  for (const [key, api] of exposed) exposeOnto(page, key, api, run.world, HERE);
  return { run, page, bridge: page[BRIDGE_GLOBAL] as KvsElectronBridge, main, renderer, posted };
}

/** A stand-in main that answers hello and every call. */
function mainAnswering(reply: (channel: string, envelope: unknown) => unknown): {
  main: StandinIpcMain;
  calls: Array<{ channel: string; envelope: unknown }>;
} {
  const main = new StandinIpcMain();
  const calls: Array<{ channel: string; envelope: unknown }> = [];
  main.handle(IPC.hello, () => ({ client: 'page-1' }));
  for (const c of INVOKE_CHANNELS)
    main.handle(`${IPC.callPrefix}${c}`, (_e, envelope) => {
      calls.push({ channel: c, envelope });
      return reply(c, envelope);
    });
  return { main, calls };
}

let dir = '';
beforeAll(async () => {
  if (!existsSync(PRELOAD))
    throw new Error(`${PRELOAD} is missing: run \`npm run build\` first (npm test does).`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-preload-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the built preload under the sandbox rules', () => {
  it('loads: it requires nothing outside the sandbox allowlist and throws nothing', async () => {
    const text = readFileSync(PRELOAD, 'utf8');
    const required = [...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(required.filter((r) => !SANDBOX_MODULES.includes(r ?? ''))).toEqual([]);
    const { run, page } = await load();
    expect(run.error).toBeNull();
    expect(run.required.every((r) => SANDBOX_MODULES.includes(r))).toBe(true);
    expect(Object.keys(page)).toEqual([BRIDGE_GLOBAL]);
  });

  it('the harness refuses what Electron refuses: a preload that requires zod does not load', async () => {
    const bad = path.join(dir, 'needs-zod.cjs');
    await writeFile(
      bad,
      '"use strict";\nconst electron = require("electron");\nconst zod = require("zod");\nelectron.contextBridge.exposeInMainWorld("x", {});\n',
    );
    const { run, page } = await load(bad);
    expect(run.error).toBeInstanceOf(Error);
    expect((run.error as Error).message).toBe('module not found: zod');
    expect(run.required).toEqual(['electron', 'zod']);
    // Electron logs it and the page loads without the bridge: every screen dead
    expect(page).toEqual({});
  });

  it('exposes only functions, one per contract call, plus the transport name — never ipcRenderer or a generic invoke', async () => {
    const { bridge } = await load();
    expect(bridge.transport).toBe('electron');
    expect(Object.keys(bridge).sort()).toEqual([
      'calls',
      'onEvent',
      'requestFramePort',
      'transport',
    ]);
    expect(Object.keys(bridge.calls).sort()).toEqual([...INVOKE_CHANNELS].sort());
    for (const fn of Object.values(bridge.calls)) expect(typeof fn).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge.calls)).toBe(true);
  });
});

describe('what the page receives through the bridge', () => {
  it('a call goes on its own channel with the page client; an error reply keeps its code and detail', async () => {
    const { main, calls } = mainAnswering(() => ({
      ok: false,
      error: { code: 'BOOTSTRAP_INVALID', message: 'Use host:port.', detail: 'scheme' },
    }));
    const { bridge } = await load(PRELOAD, main);
    const reply = await bridge.calls['connection:connect']({ bootstrap: 'PLAINTEXT://x:1' });
    expect(reply).toEqual({
      ok: false,
      error: { code: 'BOOTSTRAP_INVALID', message: 'Use host:port.', detail: 'scheme' },
    });
    expect(calls).toEqual([
      {
        channel: 'connection:connect',
        envelope: { client: 'page-1', args: { bootstrap: 'PLAINTEXT://x:1' } },
      },
    ]);
  });

  it('why the reply is data: an Error thrown across the bridge arrives with its message only', () => {
    // the bridge's rule 5 (electron_api_context_bridge.cc 354–371), on the stand-in itself
    const thrower = (): never => {
      throw Object.assign(new Error('Use host:port.'), { code: 'BOOTSTRAP_INVALID' });
    };
    const proxied = crossWorlds(thrower, HERE, HERE) as () => void;
    let caught: unknown;
    try {
      proxied();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toBe('Use host:port.');
    expect((caught as { code?: string }).code).toBeUndefined();
  });

  it('a result crosses as data; an IPC failure (no handler in main) is a SERVICES_UNREACHABLE reply, not a throw', async () => {
    const { main } = mainAnswering((channel) => ({ ok: true, result: { channel } }));
    const { bridge } = await load(PRELOAD, main);
    expect(await bridge.calls['topics:list']({})).toEqual({
      ok: true,
      result: { channel: 'topics:list' },
    });
    main.removeHandler(`${IPC.callPrefix}topics:list`);
    const reply = (await bridge.calls['topics:list']({})) as Extract<BridgeReply, { ok: false }>;
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('SERVICES_UNREACHABLE');
    expect(reply.error.detail).toBe(
      "Error invoking remote method 'kvs:call:topics:list': Error: No handler registered for 'kvs:call:topics:list'",
    );
  });

  it('a hello that main did not answer is said again by the next call', async () => {
    const { main, calls } = mainAnswering(() => ({ ok: true, result: {} }));
    main.removeHandler(IPC.hello);
    const { bridge } = await load(PRELOAD, main);
    const first = (await bridge.calls['connection:status']({})) as Extract<
      BridgeReply,
      { ok: false }
    >;
    expect(first.error.code).toBe('SERVICES_UNREACHABLE');
    main.handle(IPC.hello, () => ({ client: 'page-1' }));
    expect(await bridge.calls['connection:status']({})).toEqual({ ok: true, result: {} });
    expect(calls).toHaveLength(1);
  });

  it("events reach the page's listener as (channel, payload); unknown channels are dropped", async () => {
    const { bridge, renderer } = await load(
      PRELOAD,
      mainAnswering(() => ({ ok: true, result: {} })).main,
    );
    const got: unknown[] = [];
    bridge.onEvent((channel, payload) => got.push([channel, payload]));
    renderer.deliver(IPC.event, [
      { channel: 'watch:stats', payload: { viewerId: 'v1', frames: 3 } },
    ]);
    renderer.deliver(IPC.event, [{ channel: 'not:ours', payload: 1 }]);
    renderer.deliver(IPC.event, [null]);
    expect(got).toEqual([['watch:stats', { viewerId: 'v1', frames: 3 }]]);
  });

  it('frames: the page asks with a nonce, the preload forwards the port with window.postMessage, packets arrive as bytes and acks go back', async () => {
    const main = new StandinIpcMain();
    let mainPort: NodeMessagePort | null = null;
    let hellos = 0;
    const loaded = await load(PRELOAD, main);
    main.handle(IPC.hello, () => {
      hellos++;
      const { port1, port2 } = new MessageChannel();
      mainPort = port1;
      // contents.postMessage(IPC.framePort, null, [port2]) in main
      loaded.renderer.deliver(IPC.framePort, [null], [port2]);
      return { client: `page-${hellos}` };
    });
    loaded.bridge.requestFramePort('nonce-1');
    await expect.poll(() => loaded.posted.length).toBe(1);
    const post = loaded.posted[0];
    expect(post?.message).toEqual({ type: 'kvs:frame-port', nonce: 'nonce-1' });
    expect(post?.origin).toBe('*');
    const pagePort = post?.transfer[0] as NodeMessagePort;
    expect(pagePort).toBeDefined();
    // a packet from main arrives on the page's port as a Uint8Array (a Buffer would too)
    const received = new Promise<unknown>((resolve) => pagePort.once('message', resolve));
    (mainPort as NodeMessagePort | null)?.postMessage(Buffer.from([0x4b, 0x56, 0x53, 0x46, 1, 2]));
    const data = await received;
    expect(data).toBeInstanceOf(Uint8Array);
    expect([...(data as Uint8Array)]).toEqual([0x4b, 0x56, 0x53, 0x46, 1, 2]);
    // the page's ack goes straight back to main on the same port
    const ack = new Promise<unknown>((resolve) =>
      (mainPort as NodeMessagePort | null)?.once('message', resolve),
    );
    pagePort.postMessage({ type: 'frame-ack', viewerId: 'v1' });
    expect(await ack).toEqual({ type: 'frame-ack', viewerId: 'v1' });
    // asking again (the page started its transport again) makes a new client and a new port
    loaded.bridge.requestFramePort('nonce-2');
    await expect.poll(() => loaded.posted.length).toBe(2);
    expect(hellos).toBe(2);
    expect(loaded.posted[1]?.message).toEqual({ type: 'kvs:frame-port', nonce: 'nonce-2' });
    pagePort.close();
  });

  it('ignores a bad nonce and a frame-port message without a port', async () => {
    const main = new StandinIpcMain();
    main.handle(IPC.hello, () => ({ client: 'page-1' }));
    const loaded = await load(PRELOAD, main);
    loaded.bridge.requestFramePort('');
    loaded.bridge.requestFramePort('x'.repeat(129));
    loaded.renderer.deliver(IPC.framePort, [null], []);
    await new Promise((r) => setTimeout(r, 20));
    expect(loaded.posted).toEqual([]);
  });
});
