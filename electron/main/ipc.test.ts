/**
 * registerIpc (ipc.ts) without the Electron binary: `electron` is replaced by a fake ipcMain
 * that records its handlers, a fake MessageChannelMain and a fake window, and the host is the
 * real one (createHost, a temporary user-data folder, `allowOpenPath: false` as in index.ts).
 * The checklist's "IPC abuse" and "renderer reads any file" rows: a forged sender is refused
 * before the host is asked, malformed arguments come back as INVALID_ARGUMENT without main
 * throwing, a path typed in the page is refused, garbage on the frame port is ignored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvokeReply, invoke, type InvokeChannel } from '../shared/contract.js';
import { createHost, type Host } from '../host/host.js';

type Handler = (event: IpcMainInvokeEvent, args: unknown) => Promise<unknown>;

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
      this.posted.push(message);
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

  const handlers = new Map<string, (event: unknown, args: unknown) => Promise<unknown>>();
  const ipcMain = {
    handle(channel: string, fn: (event: unknown, args: unknown) => Promise<unknown>): void {
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
const { registerIpc, IPC_PREFIX, EVENT_CHANNEL, FRAME_PORT_CHANNEL } = await import('./ipc.js');

/** The packaged app's page, as index.ts computes it (pathToFileURL of out/renderer/index.html). */
const APP_URL = 'file:///opt/Kafka%20Video%20Studio/resources/app.asar/out/renderer/index.html';

class FakeWebContents extends fake.Emitter {
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  readonly postedPorts: Array<{ channel: string; ports: unknown[] }> = [];
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  postMessage(channel: string, _message: unknown, ports: unknown[] = []): void {
    this.postedPorts.push({ channel, ports });
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

function handlerOf(channel: string): Handler {
  const h = fake.handlers.get(`${IPC_PREFIX}${channel}`);
  if (!h) throw new Error(`no handler for ${channel}`);
  return h as Handler;
}

const channels = Object.keys(invoke) as InvokeChannel[];
const REFUSED = {
  ok: false,
  error: { code: 'INVALID_ARGUMENT', message: 'Refused: not the app window.' },
};

let dir: string;
let host: Host;
let win: FakeWindow;
let unregister: (() => void) | null;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-ipc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  fake.handlers.clear();
  fake.channels.length = 0;
  host = createHost({
    userDataDir: await mkdtemp(path.join(dir, 'user-')),
    allowOpenPath: false,
    connectTimeoutMs: 500,
  });
  win = fakeWindow();
  unregister = registerIpc({ host, win: win as unknown as BrowserWindow, appUrl: APP_URL });
});
afterEach(async () => {
  unregister?.();
  unregister = null;
  vi.restoreAllMocks();
  await host.dispose();
});

describe('registerIpc: one handler per operation', () => {
  it('registers exactly one handler for every contract channel, and nothing else', () => {
    expect([...fake.handlers.keys()].sort()).toEqual(
      channels.map((c) => `${IPC_PREFIX}${c}`).sort(),
    );
  });

  it('passes a call from the app page to the host and returns its reply as data', async () => {
    const spy = vi.spyOn(host, 'handle');
    const reply = await handlerOf('connection:status')(eventFrom(win.webContents, APP_URL), {});
    expect(spy).toHaveBeenCalledExactlyOnceWith('connection:status', {});
    expect(InvokeReply.parse(reply)).toMatchObject({ ok: true, result: { state: 'disconnected' } });
    // a hash (npm run demo's #bootstrap=…) is still the app page
    const again = await handlerOf('connection:status')(
      eventFrom(win.webContents, `${APP_URL}#bootstrap=10.0.0.5:9092`),
      {},
    );
    expect(again).toMatchObject({ ok: true });
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
    it(`refuses ${name} on every channel, without asking the host`, async () => {
      const spy = vi.spyOn(host, 'handle');
      for (const channel of channels) {
        const reply = await handlerOf(channel)(makeEvent(win.webContents), {
          bootstrap: '127.0.0.1:9092',
        });
        expect(reply, channel).toEqual(REFUSED);
      }
      expect(spy).not.toHaveBeenCalled();
    });
  }
});

describe('registerIpc: malformed arguments from the app page', () => {
  const strict: InvokeChannel[] = [
    'connection:connect',
    'topics:create',
    'topics:delete',
    'produce:start',
    'watch:start',
    'setup:connect',
    'setup:plan',
    'video:open-path',
    'doctor:run',
  ];

  it('answers INVALID_ARGUMENT for anything the schema refuses, and never throws (property)', async () => {
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
          const reply = InvokeReply.parse(
            await handlerOf(channel)(eventFrom(win.webContents, APP_URL), args),
          );
          const valid = invoke[channel].args.safeParse(args === undefined ? {} : args).success;
          if (!valid)
            expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers INVALID_ARGUMENT for fixed hostile shapes', async () => {
    const ev = eventFrom(win.webContents, APP_URL);
    const cases: Array<[InvokeChannel, unknown]> = [
      ['connection:connect', { bootstrap: 42 }],
      ['connection:connect', { bootstrap: 'x'.repeat(10_000) }],
      ['topics:create', { topic: 'a', partitions: 1e9 }],
      ['produce:stop', { jobId: '../../etc' }],
      ['watch:start', { topic: 't', from: { kind: 'yesterday' }, pace: true }],
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
      const reply = await handlerOf(channel)(ev, args);
      expect(reply, `${channel} ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      });
    }
  });
});

describe('registerIpc: paths from the page (allowOpenPath false, as in index.ts)', () => {
  it('refuses video:open-path with ../../etc/passwd or any other path', async () => {
    for (const p of [
      '../../etc/passwd',
      '/etc/passwd',
      'C:\\Windows\\win.ini',
      '~/.ssh/id_ed25519',
    ]) {
      const reply = await handlerOf('video:open-path')(eventFrom(win.webContents, APP_URL), {
        path: p,
      });
      expect(reply, p).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/turned off/) },
      });
      expect(JSON.stringify(reply)).not.toContain('root:');
    }
  });

  it('refuses produce:start with a path where the video id belongs', async () => {
    const reply = await handlerOf('produce:start')(eventFrom(win.webContents, APP_URL), {
      videoId: '../../etc/passwd',
      topic: 't',
      realtime: false,
      loop: false,
      format: 'kvs',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('registerIpc: events and the frame port', () => {
  function framePort(): InstanceType<typeof fake.FakePort> {
    win.webContents.emit('did-finish-load');
    const last = fake.channels.at(-1);
    if (!last) throw new Error('no MessageChannelMain was made');
    return last.port1;
  }

  it('hands the page a fresh port on every load and closes the old one', () => {
    const first = framePort();
    expect(first.started).toBe(true);
    expect(win.webContents.postedPorts).toEqual([
      { channel: FRAME_PORT_CHANNEL, ports: [fake.channels[0]?.port2] },
    ]);
    const second = framePort();
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(false);
    expect(win.webContents.postedPorts).toHaveLength(2);
  });

  it('ignores garbage on the frame port and passes only well-formed acks to the host', () => {
    const port = framePort();
    const ack = vi.spyOn(host, 'ackFrame');
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
      { type: 'frame-ack', viewerId: 'x'.repeat(65) },
      { type: 'FRAME-ACK', viewerId: 'v1' },
      { type: 'other', viewerId: 'v1' },
      new Uint8Array([1, 2, 3]),
    ];
    for (const data of garbage)
      expect(() => port.emit('message', { data, ports: [] })).not.toThrow();
    expect(ack).not.toHaveBeenCalled();

    port.emit('message', { data: { type: 'frame-ack', viewerId: 'v1' }, ports: [] });
    expect(ack).toHaveBeenCalledExactlyOnceWith('v1');
  });

  it('never throws on any message on the frame port (property)', () => {
    const port = framePort();
    const ack = vi.spyOn(host, 'ackFrame');
    fc.assert(
      fc.property(fc.anything(), (data) => {
        port.emit('message', { data, ports: [] });
      }),
      { numRuns: 300 },
    );
    for (const [viewerId] of ack.mock.calls)
      expect(typeof viewerId === 'string' && viewerId.length <= 64).toBe(true);
  });

  it('forwards host events to the window, and not once it is destroyed', async () => {
    // a refused connection makes the host emit connection:status (connecting, then failed)
    await handlerOf('connection:connect')(eventFrom(win.webContents, APP_URL), {
      bootstrap: '127.0.0.1:1',
    });
    expect(win.webContents.sent.length).toBeGreaterThan(0);
    for (const m of win.webContents.sent)
      expect(m).toMatchObject({
        channel: EVENT_CHANNEL,
        payload: { channel: 'connection:status' },
      });
    const before = win.webContents.sent.length;
    win.destroyed = true;
    await handlerOf('connection:connect')(eventFrom(win.webContents, APP_URL), {
      bootstrap: '127.0.0.1:1',
    });
    expect(win.webContents.sent).toHaveLength(before);
  });
});

describe('registerIpc: unregister', () => {
  it('removes every handler, stops events and frames, and closes the port', async () => {
    win.webContents.emit('did-finish-load');
    const port = fake.channels.at(-1)?.port1;
    expect(fake.handlers.size).toBe(channels.length);
    expect(win.webContents.count('did-finish-load')).toBe(1);

    unregister?.();
    unregister = null;
    expect(fake.handlers.size).toBe(0);
    expect(port?.closed).toBe(true);
    // a reload after unregister hands out no new port
    expect(win.webContents.count('did-finish-load')).toBe(0);
    win.webContents.emit('did-finish-load');
    expect(fake.channels).toHaveLength(1);
    // host events no longer reach the window
    await host.handle('connection:connect', { bootstrap: '127.0.0.1:1' });
    expect(win.webContents.sent).toEqual([]);
    // and registering again works (no "second handler" error)
    unregister = registerIpc({ host, win: win as unknown as BrowserWindow, appUrl: APP_URL });
    expect(fake.handlers.size).toBe(channels.length);
  });
});
