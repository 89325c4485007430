/**
 * registerIpc (ipc.ts) without the Electron binary: `electron` is replaced by a fake ipcMain
 * that records its handlers, a fake MessageChannelMain and a fake window, and the app services are the
 * real one (createAppServices, a temporary user-data folder, `allowOpenPath: false` as in index.ts).
 *
 * The checklist's "IPC abuse" and "renderer reads any file" rows: a forged sender is refused
 * before the app services is asked, a call that does not carry the current page's client id is refused
 * before the app services is asked, malformed arguments come back as INVALID_ARGUMENT without main
 * throwing, a path typed in the page is refused, garbage on the frame port is ignored. And the
 * page's client: one per page load (`kvs:hello`), released with the page (navigation, crash,
 * close, a second hello, unregister), frames only to its own port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvokeReply, invoke } from '../shared/contract.js';
import {
  INVOKE_CHANNELS,
  IPC,
  type BridgeReply,
  type CallEnvelope,
  type HelloReply,
  type InvokeChannel,
} from '../shared/ipc-channels.js';
import {
  createAppServices,
  NOT_CONNECTED_MESSAGE,
  type FrameListener,
  type AppServices,
} from '../services/app-services.js';

type Handler = (event: IpcMainInvokeEvent, arg?: unknown) => Promise<unknown> | unknown;

const fake = vi.hoisted(() => {
  /** Just enough of Node's EventEmitter for the fakes below. */
  class Emitter {
    readonly listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    on(name: string, fn: (...args: unknown[]) => void): this {
      const set = this.listeners.get(name) ?? new Set();
      set.add(fn);
      this.listeners.set(name, set);
      return this;
    }
    off(name: string, fn: (...args: unknown[]) => void): this {
      this.listeners.get(name)?.delete(fn);
      return this;
    }
    removeListener(name: string, fn: (...args: unknown[]) => void): this {
      return this.off(name, fn);
    }
    emit(name: string, ...args: unknown[]): boolean {
      const set = this.listeners.get(name);
      for (const fn of [...(set ?? [])]) fn(...args);
      return (set?.size ?? 0) > 0;
    }
    count(name: string): number {
      return this.listeners.get(name)?.size ?? 0;
    }
  }

  class FakePort extends Emitter {
    readonly posted: unknown[] = [];
    started = false;
    closed = false;
    start(): void {
      this.started = true;
    }
    close(): void {
      this.closed = true;
    }
    postMessage(message: unknown): void {
      // a closed MessagePortMain drops what is posted to it
      if (!this.closed) this.posted.push(message);
    }
  }

  const channels: Array<{ port1: FakePort; port2: FakePort }> = [];
  class FakeMessageChannelMain {
    readonly port1 = new FakePort();
    readonly port2 = new FakePort();
    constructor() {
      channels.push({ port1: this.port1, port2: this.port2 });
    }
  }

  const handlers = new Map<string, (event: unknown, arg?: unknown) => unknown>();
  const ipcMain = {
    handle(channel: string, fn: (event: unknown, arg?: unknown) => unknown): void {
      // Electron throws on a second handler for the same channel; so does the fake
      if (handlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, fn);
    },
    removeHandler(channel: string): void {
      handlers.delete(channel);
    },
  };

  return { Emitter, FakePort, FakeMessageChannelMain, channels, handlers, ipcMain };
});

vi.mock('electron', () => ({
  ipcMain: fake.ipcMain,
  MessageChannelMain: fake.FakeMessageChannelMain,
}));

// imported after the mock is in place (vi.mock is hoisted above every import)
const { registerIpc } = await import('./ipc.js');
type ReleaseReason = import('./ipc.js').ReleaseReason;
type FakePort = InstanceType<typeof fake.FakePort>;

/** The packaged app's page, as index.ts computes it (pathToFileURL of out/renderer/index.html). */
const APP_URL = 'file:///opt/Kafka%20Video%20Studio/resources/app.asar/out/renderer/index.html';

class FakeWebContents extends fake.Emitter {
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  readonly postedPorts: Array<{ channel: string; message: unknown; ports: unknown[] }> = [];
  destroyed = false;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  postMessage(channel: string, message: unknown, ports: unknown[] = []): void {
    this.postedPorts.push({ channel, message, ports });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

interface FakeWindow {
  readonly webContents: FakeWebContents;
  destroyed: boolean;
  isDestroyed(): boolean;
}

function fakeWindow(): FakeWindow {
  return {
    webContents: new FakeWebContents(),
    destroyed: false,
    isDestroyed() {
      return this.destroyed;
    },
  };
}

/** An invoke event as Electron builds it: the sending webContents and its frame (or null). */
function eventFrom(sender: FakeWebContents, frameUrl: string | null): IpcMainInvokeEvent {
  return {
    sender,
    senderFrame: frameUrl === null ? null : { url: frameUrl },
  } as unknown as IpcMainInvokeEvent;
}

function handlerOf(name: string): Handler {
  const h = fake.handlers.get(name);
  if (!h) throw new Error(`no handler for ${name}`);
  return h as Handler;
}

const callHandler = (channel: InvokeChannel): Handler => handlerOf(`${IPC.callPrefix}${channel}`);

const channels = [...INVOKE_CHANNELS];
const REFUSED: BridgeReply = {
  ok: false,
  error: { code: 'INVALID_ARGUMENT', message: 'Refused: not the app window.' },
};

let dir: string;
let services: AppServices;
let win: FakeWindow;
let unregister: (() => void) | null;
/** The app services' frame listeners, as the app services holds them (registerIpc adds one). */
let frameListeners: Set<FrameListener>;
let released: Array<{ client: string; reason: ReleaseReason }>;

/** What the app services does with a viewer's frame: offer it to every frame listener. */
function emitFrame(viewerId: string, packet: Uint8Array, client: string | null): boolean[] {
  return [...frameListeners].map((l) => l(viewerId, packet, client));
}

/** The page says hello (from the app page unless told otherwise). */
async function hello(event = eventFrom(win.webContents, APP_URL)): Promise<HelloReply | null> {
  return (await handlerOf(IPC.hello)(event)) as HelloReply | null;
}

/** Hello, and the client id and frame port it made. */
async function page(): Promise<{ client: string; port: FakePort; peer: FakePort }> {
  const before = fake.channels.length;
  const reply = await hello();
  if (reply === null) throw new Error('hello from the app page was refused');
  expect(fake.channels).toHaveLength(before + 1);
  const made = fake.channels.at(-1);
  if (!made) throw new Error('no MessageChannelMain was made');
  return { client: reply.client, port: made.port1, peer: made.port2 };
}

/** A call as the preload sends it: `{ client, args }` on `kvs:call:<channel>`. */
async function call(
  channel: InvokeChannel,
  client: string,
  args: unknown,
  event = eventFrom(win.webContents, APP_URL),
): Promise<unknown> {
  const envelope: CallEnvelope = { client, args };
  return callHandler(channel)(event, envelope);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-ipc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  fake.handlers.clear();
  fake.channels.length = 0;
  services = createAppServices({
    userDataDir: await mkdtemp(path.join(dir, 'user-')),
    allowOpenPath: false,
    connectTimeoutMs: 500,
  });
  // keep the app services' own onFrame, and see the listeners it is given
  frameListeners = new Set();
  const realOnFrame = services.onFrame.bind(services);
  vi.spyOn(services, 'onFrame').mockImplementation((listener) => {
    frameListeners.add(listener);
    const off = realOnFrame(listener);
    return () => {
      frameListeners.delete(listener);
      off();
    };
  });
  released = [];
  win = fakeWindow();
  unregister = registerIpc({
    services,
    win: win as unknown as BrowserWindow,
    appUrl: APP_URL,
    onRelease: (client, reason) => released.push({ client, reason }),
  });
});
afterEach(async () => {
  unregister?.();
  unregister = null;
  vi.restoreAllMocks();
  await services.dispose();
});

describe('registerIpc: one handler per operation', () => {
  it('registers kvs:hello and exactly one kvs:call:<channel> per contract call, nothing else', () => {
    expect([...channels].sort()).toEqual(Object.keys(invoke).sort());
    expect([...fake.handlers.keys()].sort()).toEqual(
      [IPC.hello, ...channels.map((c) => `${IPC.callPrefix}${c}`)].sort(),
    );
    // never a generic channel that takes the operation's name as an argument
    expect(fake.handlers.has('kvs:invoke')).toBe(false);
    expect(fake.handlers.has(IPC.callPrefix)).toBe(false);
  });

  it("passes a call from the app page to the app services, with the page's client, and returns its reply as data", async () => {
    const { client } = await page();
    const spy = vi.spyOn(services, 'handle');
    const reply = await call('connection:status', client, {});
    expect(spy).toHaveBeenCalledExactlyOnceWith('connection:status', {}, { client });
    expect(InvokeReply.parse(reply)).toMatchObject({ ok: true, result: { state: 'disconnected' } });
    // a hash (npm run demo's #bootstrap=…) is still the app page
    const again = await call(
      'connection:status',
      client,
      {},
      eventFrom(win.webContents, `${APP_URL}#bootstrap=10.0.0.5:9092`),
    );
    expect(again).toMatchObject({ ok: true });
  });

  it("returns the app services' errors as data, code and message kept", async () => {
    const { client } = await page();
    const reply = await call('topics:list', client, {});
    expect(reply).toEqual({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: NOT_CONNECTED_MESSAGE },
    });
  });
});

describe('registerIpc: hello makes a client per page load', () => {
  it('answers with a client id and hands the page a started MessagePort on kvs:frame-port', async () => {
    const reply = await hello();
    expect(reply).toEqual({ client: expect.any(String) });
    expect(fake.channels).toHaveLength(1);
    const made = fake.channels[0];
    expect(made?.port1.started).toBe(true);
    expect(made?.port1.closed).toBe(false);
    expect(win.webContents.postedPorts).toEqual([
      { channel: IPC.framePort, message: null, ports: [made?.port2] },
    ]);
  });

  it("hands the page's camera packets (bytes on its frame port) to the app services with that page's client; other messages are not packets", async () => {
    const cameraFrame = vi.spyOn(services, 'cameraFrame');
    const { client, port } = await page();
    const bytes = new Uint8Array([0x4b, 0x56, 0x53, 0x43, 0, 0, 0, 2, 0x7b, 0x7d, 1]);
    port.emit('message', { data: bytes, ports: [] });
    port.emit('message', { data: bytes.slice().buffer, ports: [] });
    port.emit('message', { data: 'KVSC', ports: [] });
    port.emit('message', { data: { type: 'frame-ack', viewerId: 'v1' }, ports: [] });
    port.emit('message', { data: null, ports: [] });
    expect(cameraFrame.mock.calls.map(([packet, who]) => [[...packet], who])).toEqual([
      [[...bytes], client],
      [[...bytes], client],
    ]);
  });

  it('a second hello (a reload) makes a new client and port and releases the old ones', async () => {
    const first = await page();
    const releaseSpy = vi.spyOn(services, 'releaseClient');
    const second = await page();
    expect(second.client).not.toBe(first.client);
    expect(first.port.closed).toBe(true);
    expect(second.port.closed).toBe(false);
    expect(releaseSpy).toHaveBeenCalledExactlyOnceWith(first.client, { jobs: true });
    expect(released).toEqual([{ client: first.client, reason: 'hello' }]);
    expect(win.webContents.postedPorts.map((p) => p.ports[0])).toEqual([first.peer, second.peer]);
    // the old page's calls are refused; the new one's go through
    expect(await call('connection:status', first.client, {})).toMatchObject({
      ok: false,
      error: { code: 'CANCELLED' },
    });
    expect(await call('connection:status', second.client, {})).toMatchObject({ ok: true });
  });

  it('refuses hello from anything but the app page: no client, no port, the current page untouched', async () => {
    const current = await page();
    const releaseSpy = vi.spyOn(services, 'releaseClient');
    for (const event of [
      eventFrom(new FakeWebContents(), APP_URL),
      eventFrom(win.webContents, null),
      eventFrom(win.webContents, 'https://evil.example/'),
      eventFrom(win.webContents, 'file:///etc/passwd'),
    ])
      expect(await hello(event)).toBeNull();
    expect(fake.channels).toHaveLength(1);
    expect(win.webContents.postedPorts).toHaveLength(1);
    expect(current.port.closed).toBe(false);
    expect(releaseSpy).not.toHaveBeenCalled();
    expect(await call('connection:status', current.client, {})).toMatchObject({ ok: true });
  });
});

describe('registerIpc: trusted-sender check', () => {
  const forged: Array<[string, (own: FakeWebContents) => IpcMainInvokeEvent]> = [
    ['another webContents showing the app page', () => eventFrom(new FakeWebContents(), APP_URL)],
    ['a null senderFrame (navigated away or destroyed)', (own) => eventFrom(own, null)],
    ['a frame on https://evil.example/', (own) => eventFrom(own, 'https://evil.example/')],
    ['a frame on file:///etc/passwd', (own) => eventFrom(own, 'file:///etc/passwd')],
    [
      'another file next to the app page',
      (own) => eventFrom(own, APP_URL.replace('index.html', 'other.html')),
    ],
    ['about:blank', (own) => eventFrom(own, 'about:blank')],
    ['a data: URL', (own) => eventFrom(own, 'data:text/html,<script>1</script>')],
    ['a frame URL that is not a URL', (own) => eventFrom(own, 'not a url')],
    [
      'a senderFrame whose getter throws (a frame being destroyed)',
      (own) =>
        ({
          sender: own,
          get senderFrame(): never {
            throw new Error('Render frame was disposed before WebFrameMain could be accessed');
          },
        }) as unknown as IpcMainInvokeEvent,
    ],
  ];

  for (const [name, makeEvent] of forged) {
    it(`refuses ${name} on every channel, even with the current client id, without asking the app services`, async () => {
      const { client } = await page();
      const spy = vi.spyOn(services, 'handle');
      for (const channel of channels) {
        const reply = await call(
          channel,
          client,
          { bootstrap: '127.0.0.1:9092' },
          makeEvent(win.webContents),
        );
        expect(reply, channel).toEqual(REFUSED);
      }
      expect(spy).not.toHaveBeenCalled();
      expect(await hello(makeEvent(win.webContents))).toBeNull();
    });
  }
});

describe('registerIpc: calls without the current client id', () => {
  const stale = { ok: false, error: { code: 'CANCELLED', message: expect.any(String) } };

  it('refuses every call before any hello, without asking the app services', async () => {
    const spy = vi.spyOn(services, 'handle');
    for (const channel of channels)
      expect(await call(channel, 'page-1', {}), channel).toEqual(stale);
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses an unknown, missing or malformed client id, without asking the app services', async () => {
    const { client } = await page();
    const spy = vi.spyOn(services, 'handle');
    const ev = eventFrom(win.webContents, APP_URL);
    const envelopes: unknown[] = [
      undefined,
      null,
      42,
      client,
      [client, {}],
      {},
      { args: {} },
      { client: `${client}x`, args: {} },
      { client: 'page-999', args: {} },
      { client: client.toUpperCase(), args: {} },
      { client: { toString: () => client }, args: {} },
      { client: [client], args: {} },
      { client: null, args: {} },
    ];
    for (const envelope of envelopes)
      for (const channel of channels)
        expect(await callHandler(channel)(ev, envelope), `${channel} ${String(envelope)}`).toEqual(
          stale,
        );
    expect(spy).not.toHaveBeenCalled();
  });

  it('never throws on any envelope, and asks the app services only for the current client (property)', async () => {
    const { client } = await page();
    const spy = vi.spyOn(services, 'handle');
    const ev = eventFrom(win.webContents, APP_URL);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...channels),
        fc.oneof(
          fc.anything(),
          fc.record({ client: fc.anything(), args: fc.anything() }),
          fc.record({ client: fc.string({ maxLength: 80 }), args: fc.object() }),
        ),
        async (channel, envelope) => {
          const reply = await callHandler(channel)(ev, envelope);
          expect(reply).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
        },
      ),
      { numRuns: 300 },
    );
    expect(spy).not.toHaveBeenCalled();
    // the page itself is still served
    expect(await call('connection:status', client, {})).toMatchObject({ ok: true });
  });
});

describe('registerIpc: malformed arguments from the app page', () => {
  const strict: InvokeChannel[] = [
    'connection:connect',
    'topics:create',
    'topics:delete',
    'produce:start',
    'watch:start',
    'watch:stop',
    'setup:connect',
    'setup:plan',
    'video:open-path',
    'doctor:run',
  ];

  it('answers INVALID_ARGUMENT for anything the schema refuses, and never throws (property)', async () => {
    const { client } = await page();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...strict),
        fc.oneof(
          fc.anything(),
          fc.constant(undefined),
          fc.constant(null),
          fc.object(),
          fc.string({ maxLength: 5000 }),
        ),
        async (channel, args) => {
          const reply = InvokeReply.parse(await call(channel, client, args));
          const valid = invoke[channel].args.safeParse(args === undefined ? {} : args).success;
          if (!valid)
            expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers INVALID_ARGUMENT for fixed hostile shapes', async () => {
    const { client } = await page();
    const cases: Array<[InvokeChannel, unknown]> = [
      ['connection:connect', { bootstrap: 42 }],
      ['connection:connect', { bootstrap: 'x'.repeat(10_000) }],
      ['topics:create', { topic: 'a', partitions: 1e9 }],
      ['produce:stop', { jobId: '../../etc' }],
      ['watch:start', { viewerId: 'v1', topic: 't', from: { kind: 'yesterday' }, pace: true }],
      ['watch:start', { viewerId: '../../x', topic: 't', from: { kind: 'live' }, pace: false }],
      [
        'watch:start',
        { viewerId: 'x'.repeat(65), topic: 't', from: { kind: 'live' }, pace: false },
      ],
      ['watch:stop', { viewerId: 'a b' }],
      [
        'setup:connect',
        {
          host: 'h; rm -rf /',
          port: 22,
          user: 'u',
          auth: { kind: 'password', password: '' },
          remember: false,
        },
      ],
      ['setup:install', { planId: '$(id)' }],
      [
        'connection:connect',
        Object.assign(Object.create(null) as object, { bootstrap: ['127.0.0.1:9092'] }),
      ],
    ];
    for (const [channel, args] of cases) {
      const reply = await call(channel, client, args);
      expect(reply, `${channel} ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      });
    }
  });
});

describe('registerIpc: paths from the page (allowOpenPath false, as in index.ts)', () => {
  it('refuses video:open-path with ../../etc/passwd or any other path', async () => {
    const { client } = await page();
    for (const p of [
      '../../etc/passwd',
      '/etc/passwd',
      'C:\\Windows\\win.ini',
      '~/.ssh/id_ed25519',
    ]) {
      const reply = await call('video:open-path', client, { path: p });
      expect(reply, p).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/turned off/) },
      });
      expect(JSON.stringify(reply)).not.toContain('root:');
    }
  });

  it('refuses produce:start with a path where the video id belongs', async () => {
    const { client } = await page();
    const reply = await call('produce:start', client, {
      videoId: '../../etc/passwd',
      topic: 't',
      realtime: false,
      loop: false,
      format: 'kvs',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('registerIpc: the page goes, its client goes with it', () => {
  const navigation = (isMainFrame: boolean, isSameDocument: boolean) => ({
    url: APP_URL,
    isMainFrame,
    isSameDocument,
    preventDefault: () => undefined,
  });

  const goes: Array<[ReleaseReason, () => void]> = [
    [
      'navigation',
      () => {
        win.webContents.emit('did-start-navigation', navigation(true, false), APP_URL);
        win.webContents.emit('did-navigate', {}, APP_URL, -1, '');
      },
    ],
    [
      'render-process-gone',
      () => win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 }),
    ],
    [
      'destroyed',
      () => {
        win.destroyed = true;
        win.webContents.destroyed = true;
        win.webContents.emit('destroyed');
      },
    ],
  ];

  for (const [reason, leave] of goes) {
    it(`${reason}: releases the client's viewers and jobs, closes its port, refuses its calls`, async () => {
      const { client, port } = await page();
      const releaseSpy = vi.spyOn(services, 'releaseClient');
      const handleSpy = vi.spyOn(services, 'handle');
      leave();
      expect(releaseSpy).toHaveBeenCalledExactlyOnceWith(client, { jobs: true });
      expect(port.closed).toBe(true);
      expect(released).toEqual([{ client, reason }]);
      expect(emitFrame('v1', new Uint8Array([1]), client)).toEqual([false]);
      expect(port.posted).toEqual([]);
      expect(await call('connection:status', client, {})).toMatchObject({
        ok: false,
        error: { code: 'CANCELLED' },
      });
      expect(handleSpy).not.toHaveBeenCalled();
      // going away twice releases once
      leave();
      expect(releaseSpy).toHaveBeenCalledOnce();
    });
  }

  it('a reload: the new page says hello and is served; the old client stays refused', async () => {
    const old = await page();
    goes[0]?.[1]();
    const next = await page();
    expect(next.client).not.toBe(old.client);
    expect(await call('connection:status', next.client, {})).toMatchObject({ ok: true });
    expect(await call('connection:status', old.client, {})).toMatchObject({
      ok: false,
      error: { code: 'CANCELLED' },
    });
    // released once, by the navigation (the hello found nothing left to release)
    expect(released).toEqual([{ client: old.client, reason: 'navigation' }]);
  });

  it('a main-frame navigation that will-navigate then refuses (a file dropped on the window) leaves the page its client', async () => {
    const { client, port } = await page();
    const releaseSpy = vi.spyOn(services, 'releaseClient');
    // Electron: did-start-navigation, then will-navigate (refused by index.ts): no did-navigate
    win.webContents.emit(
      'did-start-navigation',
      { ...navigation(true, false), url: 'file:///home/me/Videos/clip.mp4' },
      'file:///home/me/Videos/clip.mp4',
    );
    expect(releaseSpy).not.toHaveBeenCalled();
    expect(port.closed).toBe(false);
    expect(await call('connection:status', client, {})).toMatchObject({ ok: true });
  });

  it("when the new page's hello comes before did-navigate, the new page keeps its client", async () => {
    const old = await page();
    win.webContents.emit('did-start-navigation', navigation(true, false), APP_URL);
    const next = await page();
    win.webContents.emit('did-navigate', {}, APP_URL, -1, '');
    expect(released).toEqual([{ client: old.client, reason: 'hello' }]);
    expect(await call('connection:status', next.client, {})).toMatchObject({ ok: true });
  });

  it('keeps the client on a same-document navigation (a #hash) and on a subframe navigation', async () => {
    const { client, port } = await page();
    const releaseSpy = vi.spyOn(services, 'releaseClient');
    win.webContents.emit('did-start-navigation', navigation(true, true), `${APP_URL}#watch=t`);
    win.webContents.emit('did-start-navigation', navigation(false, false), 'https://evil.example/');
    win.webContents.emit('did-start-navigation', navigation(false, true), 'about:blank');
    expect(releaseSpy).not.toHaveBeenCalled();
    expect(released).toEqual([]);
    expect(port.closed).toBe(false);
    expect(await call('connection:status', client, {})).toMatchObject({ ok: true });
  });

  it('with no client yet, a navigation, crash or close releases nothing', () => {
    const releaseSpy = vi.spyOn(services, 'releaseClient');
    for (const [, leave] of goes) leave();
    expect(releaseSpy).not.toHaveBeenCalled();
    expect(released).toEqual([]);
  });
});

describe('registerIpc: frames and the frame port', () => {
  const packet = new Uint8Array([0x4b, 0x56, 0x53, 0x46, 0, 0, 0, 2, 0x7b, 0x7d]);

  it('sends a frame only to the current client, over its port; any other frame is not sent', async () => {
    // before any page: nobody to send to
    expect(emitFrame('v1', packet, 'page-1')).toEqual([false]);
    expect(emitFrame('v1', packet, null)).toEqual([false]);

    const { client, port } = await page();
    expect(emitFrame('v1', packet, client)).toEqual([true]);
    expect(port.posted).toEqual([packet]);
    // a viewer of another client (or of none, e.g. the CLI's) is not this page's
    expect(emitFrame('v2', packet, `${client}-other`)).toEqual([false]);
    expect(emitFrame('v2', packet, null)).toEqual([false]);
    expect(port.posted).toHaveLength(1);
  });

  it('after a reload, frames of the old client are not sent, and the new port gets the new ones', async () => {
    const first = await page();
    const second = await page();
    expect(emitFrame('v1', packet, first.client)).toEqual([false]);
    expect(first.port.posted).toEqual([]);
    expect(emitFrame('v1', packet, second.client)).toEqual([true]);
    expect(second.port.posted).toEqual([packet]);
  });

  it('ignores garbage on the frame port and passes only well-formed acks to the app services, with the client', async () => {
    const { client, port } = await page();
    const ack = vi.spyOn(services, 'ackFrame');
    const garbage: unknown[] = [
      undefined,
      null,
      42,
      'frame-ack',
      [],
      ['frame-ack', 'v1'],
      {},
      { type: 'frame-ack' },
      { type: 'frame-ack', viewerId: 5 },
      { type: 'frame-ack', viewerId: null },
      { type: 'frame-ack', viewerId: { toString: () => 'v1' } },
      { type: 'frame-ack', viewerId: ['v1'] },
      { type: 'frame-ack', viewerId: 'x'.repeat(65) },
      { type: 'FRAME-ACK', viewerId: 'v1' },
      { type: 'other', viewerId: 'v1' },
      new Uint8Array([1, 2, 3]),
    ];
    for (const data of garbage)
      expect(() => port.emit('message', { data, ports: [] })).not.toThrow();
    expect(ack).not.toHaveBeenCalled();

    port.emit('message', { data: { type: 'frame-ack', viewerId: 'v1' }, ports: [] });
    expect(ack).toHaveBeenCalledExactlyOnceWith('v1', client);
  });

  it('acks on an old page’s port name the old client (the app services ignore them for the new one)', async () => {
    const first = await page();
    const second = await page();
    const ack = vi.spyOn(services, 'ackFrame');
    first.port.emit('message', { data: { type: 'frame-ack', viewerId: 'v1' }, ports: [] });
    second.port.emit('message', { data: { type: 'frame-ack', viewerId: 'v1' }, ports: [] });
    expect(ack.mock.calls).toEqual([
      ['v1', first.client],
      ['v1', second.client],
    ]);
  });

  it('never throws on any message on the frame port (property)', async () => {
    const { client, port } = await page();
    const ack = vi.spyOn(services, 'ackFrame');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ type: fc.constant('frame-ack'), viewerId: fc.anything() }),
        ),
        (data) => {
          port.emit('message', { data, ports: [] });
        },
      ),
      { numRuns: 300 },
    );
    for (const [viewerId, who] of ack.mock.calls) {
      expect(typeof viewerId === 'string' && viewerId.length <= 64).toBe(true);
      expect(who).toBe(client);
    }
  });
});

describe('registerIpc: events', () => {
  it('forwards app-service events to the window, and not once it is destroyed', async () => {
    const { client } = await page();
    // a refused connection makes the app services emit connection:status (connecting, then failed)
    await call('connection:connect', client, { bootstrap: '127.0.0.1:1' });
    expect(win.webContents.sent.length).toBeGreaterThan(0);
    for (const m of win.webContents.sent)
      expect(m).toMatchObject({
        channel: IPC.event,
        payload: { channel: 'connection:status' },
      });
    const before = win.webContents.sent.length;
    win.destroyed = true;
    await services.handle('connection:connect', { bootstrap: '127.0.0.1:1' });
    expect(win.webContents.sent).toHaveLength(before);
  });
});

describe('registerIpc: unregister', () => {
  it('removes every handler and listener, stops events and frames, releases the client and closes its port', async () => {
    const { client, port } = await page();
    const releaseSpy = vi.spyOn(services, 'releaseClient');
    expect(fake.handlers.size).toBe(channels.length + 1);
    expect(frameListeners.size).toBe(1);
    for (const name of ['did-start-navigation', 'did-navigate', 'render-process-gone', 'destroyed'])
      expect(win.webContents.count(name), name).toBe(1);

    unregister?.();
    unregister = null;
    expect(fake.handlers.size).toBe(0);
    expect(frameListeners.size).toBe(0);
    for (const name of ['did-start-navigation', 'did-navigate', 'render-process-gone', 'destroyed'])
      expect(win.webContents.count(name), name).toBe(0);
    expect(port.closed).toBe(true);
    expect(releaseSpy).toHaveBeenCalledExactlyOnceWith(client, { jobs: true });
    expect(released).toEqual([{ client, reason: 'unregister' }]);

    // a navigation after unregister releases nothing more
    win.webContents.emit('did-start-navigation', {
      isMainFrame: true,
      isSameDocument: false,
    });
    win.webContents.emit('did-navigate', {}, APP_URL, -1, '');
    expect(releaseSpy).toHaveBeenCalledOnce();
    // app-service events no longer reach the window
    await services.handle('connection:connect', { bootstrap: '127.0.0.1:1' });
    expect(win.webContents.sent).toEqual([]);
    // and registering again works (no "second handler" error)
    unregister = registerIpc({
      services,
      win: win as unknown as BrowserWindow,
      appUrl: APP_URL,
    });
    expect(fake.handlers.size).toBe(channels.length + 1);
  });

  it('does not throw when the window is already destroyed', async () => {
    await page();
    win.destroyed = true;
    win.webContents.destroyed = true;
    win.webContents.emit('destroyed');
    expect(() => {
      unregister?.();
      unregister = null;
    }).not.toThrow();
    expect(fake.handlers.size).toBe(0);
    expect(released.map((r) => r.reason)).toEqual(['destroyed']);
  });
});
