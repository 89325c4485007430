/**
 * The preload (index.ts) without the Electron binary: `electron` is replaced by a fake
 * contextBridge that records what is exposed and a fake ipcRenderer. The checklist's "IPC abuse"
 * row: one preload method per operation (each bound to its own channel), never ipcRenderer or a
 * generic invoke(channel), events filtered to the contract's, garbage on the frame port ignored.
 */
import { describe, expect, it, vi } from 'vitest';
import { events, invoke, type InvokeChannel } from '../shared/contract.js';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  let reply: unknown = { ok: true, result: null };
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]): Promise<unknown> => {
      invoked.push({ channel, args });
      return Promise.resolve(reply);
    },
    on(channel: string, fn: (event: unknown, ...args: unknown[]) => void) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), fn]);
      return ipcRenderer;
    },
    send: (): void => undefined,
    sendSync: (): void => undefined,
    postMessage: (): void => undefined,
    removeAllListeners: (): void => undefined,
  };
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown): void {
      if (exposed.has(key)) throw new Error(`${key} exposed twice`);
      exposed.set(key, api);
    },
  };
  return {
    exposed,
    listeners,
    invoked,
    ipcRenderer,
    contextBridge,
    setReply(r: unknown) {
      reply = r;
    },
    /** What main sends on `channel` (webContents.send / postMessage). */
    fromMain(channel: string, event: unknown, ...args: unknown[]) {
      for (const fn of listeners.get(channel) ?? []) fn(event, ...args);
    },
  };
});

vi.mock('electron', () => ({ contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer }));

await import('./index.js');

interface Bridge {
  transport: string;
  calls: Record<string, (args: unknown) => Promise<unknown>>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
  onFrame(viewerId: string, listener: (packet: ArrayBuffer) => void): () => void;
  ackFrame(viewerId: string): void;
}

function bridge(): Bridge {
  const api = fake.exposed.get('kvsElectron');
  if (!api) throw new Error('kvsElectron was not exposed');
  return api as Bridge;
}

/** Every value reachable from `root` (own enumerable properties), with its path. */
function walk(root: unknown, at = 'kvsElectron'): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [[at, root]];
  if (root !== null && typeof root === 'object')
    for (const [k, v] of Object.entries(root)) out.push(...walk(v, `${at}.${k}`));
  return out;
}

class FakePort {
  onmessage: ((m: { data: unknown }) => void) | null = null;
  readonly posted: unknown[] = [];
  closed = false;
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
  close(): void {
    this.closed = true;
  }
  deliver(data: unknown): void {
    this.onmessage?.({ data });
  }
}

function givePort(): FakePort {
  const port = new FakePort();
  fake.fromMain('kvs:frame-port', { ports: [port] });
  return port;
}

const channels = Object.keys(invoke) as InvokeChannel[];

describe('preload: what the page gets', () => {
  it('exposes one object, kvsElectron, and nothing else', () => {
    expect([...fake.exposed.keys()]).toEqual(['kvsElectron']);
    expect(Object.keys(bridge()).sort()).toEqual([
      'ackFrame',
      'calls',
      'on',
      'onFrame',
      'transport',
    ]);
  });

  it('exposes only functions (and the transport name), never ipcRenderer or a generic invoke', () => {
    const forbidden = new Set<unknown>(Object.values(fake.ipcRenderer));
    forbidden.add(fake.ipcRenderer);
    for (const [where, value] of walk(bridge())) {
      expect(forbidden.has(value), `${where} is ipcRenderer or one of its methods`).toBe(false);
      if (where === 'kvsElectron' || where === 'kvsElectron.calls')
        expect(typeof value).toBe('object');
      else if (where === 'kvsElectron.transport') expect(value).toBe('electron');
      else expect(typeof value, where).toBe('function');
    }
    expect(Object.keys(bridge().calls)).not.toContain('invoke');
  });

  it('has one method per contract operation, each bound to its own channel', async () => {
    expect(Object.keys(bridge().calls).sort()).toEqual([...channels].sort());
    fake.invoked.length = 0;
    for (const channel of channels) {
      const call = bridge().calls[channel];
      if (!call) throw new Error(`no method for ${channel}`);
      await call({ probe: channel });
    }
    expect(fake.invoked).toEqual(
      channels.map((c) => ({ channel: `kvs:${c}`, args: [{ probe: c }] })),
    );
  });

  it('returns the result, or throws a real Error that keeps the code', async () => {
    fake.setReply({ ok: true, result: ['10.0.0.5:9092'] });
    await expect(bridge().calls['connection:recent']?.({})).resolves.toEqual(['10.0.0.5:9092']);
    fake.setReply({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'Refused: not the app window.' },
    });
    const err = await bridge()
      .calls['connection:recent']?.({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Refused: not the app window.',
    });
    fake.setReply({ ok: true, result: null });
  });
});

describe('preload: events from main', () => {
  it('refuses to subscribe to an event that is not in the contract', () => {
    for (const bad of ['nope', '__proto__', 'toString', 'constructor', ''])
      expect(() => bridge().on(bad, () => undefined), bad).toThrow(/Unknown event/);
  });

  it('delivers contract events and ignores anything else main might send', () => {
    const seen: unknown[] = [];
    const off = bridge().on('connection:status', (p) => seen.push(p));
    for (const garbage of [
      undefined,
      null,
      42,
      'connection:status',
      {},
      { channel: 5 },
      { channel: '__proto__', payload: 1 },
      { channel: 'nope', payload: 1 },
    ])
      expect(() => fake.fromMain('kvs:event', {}, garbage)).not.toThrow();
    expect(seen).toEqual([]);
    fake.fromMain(
      'kvs:event',
      {},
      { channel: 'connection:status', payload: { state: 'connecting' } },
    );
    expect(seen).toEqual([{ state: 'connecting' }]);
    off();
    fake.fromMain(
      'kvs:event',
      {},
      { channel: 'connection:status', payload: { state: 'connected' } },
    );
    expect(seen).toHaveLength(1);
    expect(Object.keys(events)).toContain('connection:status');
  });
});

describe('preload: the frame port', () => {
  it('ignores garbage on the port and delivers binary packets as ArrayBuffers', () => {
    const port = givePort();
    const got: ArrayBuffer[] = [];
    const off = bridge().onFrame('v1', (p) => got.push(p));
    for (const garbage of [
      undefined,
      null,
      42,
      'x',
      {},
      { viewerId: 'v1' },
      { viewerId: 'v1', packet: 'jpeg' },
      { viewerId: 'v1', packet: [1, 2] },
      { viewerId: 1, packet: new Uint8Array([1]) },
    ])
      expect(() => port.deliver(garbage)).not.toThrow();
    expect(got).toEqual([]);
    const bytes = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4);
    port.deliver({ viewerId: 'v1', packet: bytes });
    expect(got).toHaveLength(1);
    expect([...new Uint8Array(got[0] ?? new ArrayBuffer(0))]).toEqual([8, 7, 6]);
    off();
  });

  it('keeps at most a few early frames per viewer until someone listens', () => {
    const port = givePort();
    for (let i = 0; i < 20; i++) port.deliver({ viewerId: 'early', packet: new Uint8Array([i]) });
    const got: number[] = [];
    bridge().onFrame('early', (p) => got.push(new Uint8Array(p)[0] ?? -1));
    expect(got).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('closes the previous port when main hands over a new one, and acks on the current one', () => {
    const first = givePort();
    const second = givePort();
    expect(first.closed).toBe(true);
    bridge().ackFrame('v1');
    expect(second.posted).toEqual([{ type: 'frame-ack', viewerId: 'v1' }]);
    expect(first.posted).toEqual([]);
    // a port message without a port changes nothing and throws nothing
    expect(() => fake.fromMain('kvs:frame-port', { ports: [] })).not.toThrow();
    expect(() => bridge().ackFrame('v1')).not.toThrow();
  });
});
