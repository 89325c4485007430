/**
 * ElectronClient (electron-client.ts) against a fake preload bridge and a small fake window; the
 * frame port is a real MessageChannel (Node's), so packets and acks really cross a port.
 *
 * Node's MessageEvent refuses a `source` that is not a MessagePort, so the fake window builds
 * plain event objects and calls its listeners itself.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  invoke,
  type ConnectionStatus,
  type InvokeArgs,
  type InvokeChannel,
} from '../../../electron/shared/contract.js';
import {
  encodeFramePacket,
  type DecodedFrame,
  type FramePacketHeader,
} from '../../../electron/shared/frame-packet.js';
import {
  FRAME_PORT_MESSAGE,
  INVOKE_CHANNELS,
  type BridgeReply,
  type KvsElectronBridge,
} from '../../../electron/shared/ipc-channels.js';
import { ElectronClient, type PortWindow } from './electron-client.js';
import { KvsCallError } from './errors.js';
import { testFrameHeader } from '../../../scripts/test-support/frame-header.js';

const status: ConnectionStatus = {
  state: 'disconnected',
  bootstrap: null,
  clusterId: null,
  brokers: [],
  error: null,
};

const WATCH: InvokeArgs<'watch:start'> = {
  viewerId: 'v1',
  topic: 'cams',
  from: { kind: 'live' },
  pace: false,
};

type CallFn = (args: unknown) => Promise<BridgeReply>;

function fakeBridge(replies: Partial<Record<InvokeChannel, CallFn>> = {}) {
  const eventListeners: Array<(channel: string, payload: unknown) => void> = [];
  const nonces: string[] = [];
  const calls = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [
      channel,
      vi.fn<CallFn>(
        replies[channel] ??
          (() =>
            Promise.resolve({
              ok: false,
              error: { code: 'INTERNAL', message: `${channel}: not in this test` },
            })),
      ),
    ]),
  ) as Record<InvokeChannel, ReturnType<typeof vi.fn<CallFn>>>;
  const bridge: KvsElectronBridge = {
    transport: 'electron',
    calls,
    onEvent(listener) {
      eventListeners.push(listener);
    },
    requestFramePort(nonce) {
      nonces.push(nonce);
    },
  };
  const emit = (channel: string, payload: unknown) => {
    for (const l of eventListeners) l(channel, payload);
  };
  return { bridge, calls, emit, nonces };
}

/** Just the window's message events, delivered the way a browser would. */
function fakeWindow() {
  const listeners = new Set<(event: MessageEvent) => void>();
  const win = {
    addEventListener(type: 'message', listener: (event: MessageEvent) => void) {
      expect(type).toBe('message');
      listeners.add(listener);
    },
    removeEventListener(type: 'message', listener: (event: MessageEvent) => void) {
      expect(type).toBe('message');
      listeners.delete(listener);
    },
    /** A `message` event on this window: from itself unless told otherwise. */
    post(data: unknown, opts: { source?: unknown; ports?: MessagePort[] } = {}) {
      const event = {
        data,
        source: 'source' in opts ? opts.source : win,
        ports: opts.ports ?? [],
        origin: '',
      } as unknown as MessageEvent;
      for (const l of [...listeners]) l(event);
    },
    listeners,
  };
  return win satisfies PortWindow;
}

const openPorts: MessagePort[] = [];
/** A real MessageChannel: port1 goes to the page, port2 plays main's end. */
function channel(): { pagePort: MessagePort; mainPort: MessagePort; fromPage: unknown[] } {
  const { port1, port2 } = new MessageChannel();
  openPorts.push(port1, port2);
  const fromPage: unknown[] = [];
  port2.onmessage = (e: MessageEvent<unknown>) => void fromPage.push(e.data);
  return { pagePort: port1, mainPort: port2, fromPage };
}

afterEach(() => {
  for (const p of openPorts.splice(0)) p.close();
  vi.useRealTimers();
});

function setup(
  opts: { replies?: Partial<Record<InvokeChannel, CallFn>>; portWaitMs?: number } = {},
) {
  const b = fakeBridge(opts.replies);
  const win = fakeWindow();
  const log = { warn: vi.fn(), error: vi.fn() };
  const client = new ElectronClient({
    bridge: b.bridge,
    window: win,
    log,
    nonce: () => 'nonce-1',
    ...(opts.portWaitMs !== undefined ? { portWaitMs: opts.portWaitMs } : {}),
  });
  /** The preload hands over the port the way it does: window.postMessage(…, '*', [port]). */
  const givePort = () => {
    const c = channel();
    win.post({ type: FRAME_PORT_MESSAGE, nonce: 'nonce-1' }, { ports: [c.pagePort] });
    return c;
  };
  return { client, win, log, givePort, ...b };
}

const ok = (result: unknown): Promise<BridgeReply> => Promise.resolve({ ok: true, result });

const header = (viewerId: string, seq: number): FramePacketHeader =>
  testFrameHeader(viewerId, { seq });
const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 9]);
const packet = (viewerId: string, seq: number) => encodeFramePacket(header(viewerId, seq), IMAGE);

describe('ElectronClient calls', () => {
  it('calls the bridge function of that channel with the parsed args and returns the parsed result', async () => {
    const { client, calls } = setup({ replies: { 'connection:status': () => ok(status) } });
    await expect(client.invoke('connection:status', {})).resolves.toEqual(status);
    expect(calls['connection:status']).toHaveBeenCalledExactlyOnceWith({});
    for (const c of INVOKE_CHANNELS)
      if (c !== 'connection:status') expect(calls[c], c).not.toHaveBeenCalled();
  });

  it("turns an error reply into a KvsCallError with the service's code, message and detail", async () => {
    const error = {
      code: 'KAFKA_UNREACHABLE',
      message: 'Kafka at 10.0.0.5:9092 did not answer.',
      detail: 'connect ECONNREFUSED 10.0.0.5:9092',
    };
    const { client } = setup({
      replies: { 'topics:list': () => Promise.resolve({ ok: false, error }) },
    });
    const err = await client.invoke('topics:list', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvsCallError);
    expect(err).toMatchObject(error);
  });

  it('keeps an error reply without detail as it is', async () => {
    const { client } = setup({
      replies: {
        'topics:delete': () =>
          Promise.resolve({ ok: false, error: { code: 'CANCELLED', message: 'Refused.' } }),
      },
    });
    const err = (await client.invoke('topics:delete', { topic: 't' }).catch((e: unknown) => e)) as
      KvsCallError | undefined;
    expect(err?.code).toBe('CANCELLED');
    expect(err?.message).toBe('Refused.');
    expect(err?.detail).toBeUndefined();
  });

  it('says BAD_REPLY for an answer that is not a reply', async () => {
    const notReplies: unknown[] = [
      undefined,
      null,
      42,
      'ok',
      [],
      {},
      { ok: 'true', result: status },
      { ok: false },
      { ok: false, error: 'boom' },
      { ok: false, error: { message: 'no code' } },
      { ok: false, error: { code: 5, message: 'code is a number' } },
      { ok: false, error: { code: 'X', message: 'm', detail: 7 } },
    ];
    for (const raw of notReplies) {
      const { client } = setup({
        replies: { 'connection:status': () => Promise.resolve(raw as BridgeReply) },
      });
      await expect(
        client.invoke('connection:status', {}),
        JSON.stringify(raw),
      ).rejects.toMatchObject({ code: 'BAD_REPLY' });
    }
  });

  it('says BAD_REPLY for a result that does not match the contract', async () => {
    const { client } = setup({
      replies: {
        'connection:status': () => ok({ state: 'nonsense' }),
        'connection:recent': () => ok([1, 2]),
      },
    });
    await expect(client.invoke('connection:status', {})).rejects.toMatchObject({
      code: 'BAD_REPLY',
    });
    await expect(client.invoke('connection:recent', {})).rejects.toMatchObject({
      code: 'BAD_REPLY',
    });
  });

  it('refuses bad args with BAD_ARGS without calling the bridge', async () => {
    const { client, calls } = setup();
    const bad: Array<[InvokeChannel, unknown]> = [
      ['topics:create', { topic: '' }],
      ['connection:connect', { bootstrap: 42 }],
      ['watch:start', { ...WATCH, viewerId: 'a b' }],
      ['watch:start', { ...WATCH, viewerId: 'x'.repeat(65) }],
      ['watch:stop', {}],
      ['video:open-path', { path: 7 }],
    ];
    for (const [c, args] of bad)
      await expect(
        client.invoke(c, args as InvokeArgs<typeof c>),
        `${c} ${JSON.stringify(args)}`,
      ).rejects.toMatchObject({ code: 'BAD_ARGS' });
    await expect(client.invoke('nope:nope' as InvokeChannel, {} as never)).rejects.toMatchObject({
      code: 'BAD_ARGS',
    });
    for (const c of INVOKE_CHANNELS) expect(calls[c], c).not.toHaveBeenCalled();
  });

  it('refuses anything the schema refuses, and never calls the bridge with it (property)', async () => {
    const { client, calls } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<InvokeChannel>('connection:connect', 'topics:create', 'watch:stop'),
        fc.anything(),
        async (c, args) => {
          const valid = invoke[c].args.safeParse(args).success;
          const before = calls[c].mock.calls.length;
          const result = await client
            .invoke(c, args as InvokeArgs<typeof c>)
            .then(() => null)
            .catch((e: unknown) => e);
          if (!valid) {
            expect(result).toMatchObject({ code: 'BAD_ARGS' });
            expect(calls[c].mock.calls.length).toBe(before);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says SERVICES_UNREACHABLE when the bridge call itself rejects', async () => {
    const { client } = setup({
      replies: { 'connection:status': () => Promise.reject(new Error('main went away')) },
    });
    const err = (await client.invoke('connection:status', {}).catch((e: unknown) => e)) as
      KvsCallError | undefined;
    expect(err).toBeInstanceOf(KvsCallError);
    expect(err?.code).toBe('SERVICES_UNREACHABLE');
    expect(err?.detail).toBe('main went away');
  });

  it('is always open (the desktop app has no connection to lose)', () => {
    const { client } = setup();
    expect(client.transport).toBe('electron');
    expect(client.getStatus().state).toBe('open');
    expect(() => client.onStatus()()).not.toThrow();
  });
});

describe('ElectronClient events', () => {
  it('passes valid events to their listeners and ignores invalid ones with a warning', () => {
    const { client, emit, log } = setup();
    const got: ConnectionStatus[] = [];
    const off = client.on('connection:status', (s) => got.push(s));
    emit('connection:status', status);
    emit('connection:status', { bad: true });
    emit('nope', status);
    emit('produce:progress', status);
    expect(got).toEqual([status]);
    expect(log.warn).toHaveBeenCalledTimes(3);
    off();
    emit('connection:status', status);
    expect(got).toEqual([status]);
  });

  it('a throwing listener does not stop the others', () => {
    const { client, emit, log } = setup();
    const got: string[] = [];
    client.on('connection:status', () => {
      throw new Error('boom');
    });
    client.on('connection:status', (s) => got.push(s.state));
    expect(() => emit('connection:status', status)).not.toThrow();
    expect(got).toEqual(['disconnected']);
    expect(log.error).toHaveBeenCalledOnce();
  });
});

describe('ElectronClient frame port', () => {
  it('asks the preload for its port once, with its nonce; the default nonce is random hex', () => {
    const { nonces } = setup();
    expect(nonces).toEqual(['nonce-1']);
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const b = fakeBridge();
      new ElectronClient({ bridge: b.bridge, window: fakeWindow(), log: console });
      seen.push(...b.nonces);
    }
    for (const n of seen) expect(n).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(seen).size).toBe(2);
  });

  it('takes only its own port: from this window, of the right type, with its nonce and a port', async () => {
    const { client, win } = setup();
    const got: DecodedFrame[] = [];
    client.onFrame('v1', (f) => got.push(f));
    const wrong = [
      // another window or frame posting a look-alike
      { data: { type: FRAME_PORT_MESSAGE, nonce: 'nonce-1' }, source: {} },
      { data: { type: FRAME_PORT_MESSAGE, nonce: 'nonce-1' }, source: null },
      // this window, but not the nonce it asked with
      { data: { type: FRAME_PORT_MESSAGE, nonce: 'nonce-2' } },
      { data: { type: FRAME_PORT_MESSAGE } },
      { data: { type: FRAME_PORT_MESSAGE, nonce: ['nonce-1'] } },
      // not the port message
      { data: { type: 'other', nonce: 'nonce-1' } },
      { data: null },
      { data: 'kvs:frame-port' },
    ];
    const wrongPorts: Array<ReturnType<typeof channel>> = [];
    for (const w of wrong) {
      const c = channel();
      wrongPorts.push(c);
      win.post(w.data, { ports: [c.pagePort], ...('source' in w ? { source: w.source } : {}) });
    }
    // the right message without a port
    win.post({ type: FRAME_PORT_MESSAGE, nonce: 'nonce-1' }, { ports: [] });
    expect(win.listeners.size).toBe(1);

    // a frame on any of those ports goes nowhere
    for (const c of wrongPorts) c.mainPort.postMessage(packet('v1', 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
    for (const c of wrongPorts) expect(c.fromPage).toEqual([]);

    // the real one is taken, and the client stops listening
    const real = channel();
    win.post({ type: FRAME_PORT_MESSAGE, nonce: 'nonce-1' }, { ports: [real.pagePort] });
    expect(win.listeners.size).toBe(0);
    real.mainPort.postMessage(packet('v1', 1));
    await vi.waitFor(() => expect(got).toHaveLength(1));
  });

  it('a second port message after the first is not taken', async () => {
    const { client, win, givePort } = setup();
    const got: DecodedFrame[] = [];
    client.onFrame('v1', (f) => got.push(f));
    givePort();
    const second = channel();
    win.post({ type: FRAME_PORT_MESSAGE, nonce: 'nonce-1' }, { ports: [second.pagePort] });
    second.mainPort.postMessage(packet('v1', 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
  });

  it('packets on the port reach onFrame decoded, as a Uint8Array or an ArrayBuffer', async () => {
    const { client, givePort } = setup();
    const got: DecodedFrame[] = [];
    client.onFrame('v1', (f) => got.push(f));
    const { mainPort } = givePort();
    mainPort.postMessage(packet('v1', 1));
    const p2 = packet('v1', 2);
    mainPort.postMessage(p2.buffer.slice(p2.byteOffset, p2.byteOffset + p2.byteLength));
    await vi.waitFor(() => expect(got).toHaveLength(2));
    expect(got.map((f) => f.header)).toEqual([header('v1', 1), header('v1', 2)]);
    expect([...(got[0]?.image ?? [])]).toEqual([...IMAGE]);
  });

  it('acks go back on the port as { type: "frame-ack", viewerId }', async () => {
    const { client, givePort } = setup();
    client.onFrame('v1', () => undefined);
    const { mainPort, fromPage } = givePort();
    // a frame that fits the page's jitter buffer is acked on arrival
    mainPort.postMessage(packet('v1', 1));
    await vi.waitFor(() => expect(fromPage).toEqual([{ type: 'frame-ack', viewerId: 'v1' }]));
    // a viewer nobody listens to: acked at once
    mainPort.postMessage(packet('gone', 1));
    // the page's own ack, of something not acked yet
    client.ackFrame('other');
    await vi.waitFor(() => expect(fromPage).toHaveLength(3));
    expect(fromPage).toEqual(
      expect.arrayContaining([
        { type: 'frame-ack', viewerId: 'gone' },
        { type: 'frame-ack', viewerId: 'other' },
      ]),
    );
  });

  it('ignores what is not a frame packet on the port, with a warning, and goes on', async () => {
    const { client, givePort, log } = setup();
    const got: DecodedFrame[] = [];
    client.onFrame('v1', (f) => got.push(f));
    const { mainPort, fromPage } = givePort();
    for (const junk of ['text', { type: 'frame' }, 42, null, new Uint8Array([1, 2, 3])])
      mainPort.postMessage(junk);
    mainPort.postMessage(packet('v1', 1));
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(log.warn).toHaveBeenCalledTimes(5);
    expect(fromPage).toEqual([{ type: 'frame-ack', viewerId: 'v1' }]);
  });
});

describe('ElectronClient watch:start and the frame port', () => {
  it('waits for the port before asking for a viewer, then asks', async () => {
    const { client, calls, givePort } = setup({
      replies: { 'watch:start': () => ok({ viewerId: 'v1' }) },
    });
    const started = client.invoke('watch:start', WATCH);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls['watch:start']).not.toHaveBeenCalled();
    givePort();
    await expect(started).resolves.toEqual({ viewerId: 'v1' });
    expect(calls['watch:start']).toHaveBeenCalledExactlyOnceWith(WATCH);
  });

  it('does not make other calls wait for the port', async () => {
    const { client } = setup({ replies: { 'connection:status': () => ok(status) } });
    await expect(client.invoke('connection:status', {})).resolves.toEqual(status);
  });

  it('fails with SERVICES_UNREACHABLE when the port never comes, without asking for a viewer', async () => {
    vi.useFakeTimers();
    const { client, calls } = setup({ portWaitMs: 2_000 });
    const failed = client.invoke('watch:start', WATCH).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    const err = (await failed) as KvsCallError;
    expect(err).toBeInstanceOf(KvsCallError);
    expect(err.code).toBe('SERVICES_UNREACHABLE');
    expect(calls['watch:start']).not.toHaveBeenCalled();
  });

  it('checks the args before waiting for the port', async () => {
    const { client, calls } = setup({ portWaitMs: 60_000 });
    await expect(client.invoke('watch:start', { ...WATCH, topic: '' })).rejects.toMatchObject({
      code: 'BAD_ARGS',
    });
    expect(calls['watch:start']).not.toHaveBeenCalled();
  });

  it('frames of a viewer subscribed before watch:start are delivered even before its reply', async () => {
    let answer: (r: BridgeReply) => void = () => undefined;
    const { client, givePort } = setup({
      replies: {
        'watch:start': () => new Promise<BridgeReply>((resolve) => (answer = resolve)),
      },
    });
    const { mainPort } = givePort();
    const got: DecodedFrame[] = [];
    client.onFrame('v1', (f) => got.push(f));
    const started = client.invoke('watch:start', WATCH);
    mainPort.postMessage(packet('v1', 1));
    mainPort.postMessage(packet('v1', 2));
    await vi.waitFor(() => expect(got.map((f) => f.header.seq)).toEqual([1, 2]));
    answer({ ok: true, result: { viewerId: 'v1' } });
    await expect(started).resolves.toEqual({ viewerId: 'v1' });
  });
});

describe('ElectronClient camera packets', () => {
  it('posts a camera packet as bytes on the frame port once it has one; false before', async () => {
    const { client, givePort } = setup();
    const bytes = new Uint8Array([0x4b, 0x56, 0x53, 0x43, 1, 2, 3]);
    expect(client.sendCameraFrame(bytes)).toBe(false);
    const c = givePort();
    await vi.waitFor(() => expect(client.sendCameraFrame(bytes)).toBe(true));
    await vi.waitFor(() => expect(c.fromPage).toHaveLength(1));
    expect(c.fromPage[0]).toBeInstanceOf(Uint8Array);
    expect([...(c.fromPage[0] as Uint8Array)]).toEqual([...bytes]);
  });
});
