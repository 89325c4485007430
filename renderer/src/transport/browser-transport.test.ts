import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus, ProduceProgressEvent } from '../../../electron/shared/contract.js';
import {
  encodeFramePacket,
  type DecodedFrame,
  type FramePacketHeader,
} from '../../../electron/shared/frame-packet.js';
import { BrowserTransport, type SocketHandlers } from './browser-transport.js';
import { KvsCallError } from './errors.js';
import { testFrameHeader } from '../../../scripts/test-support/frame-header.js';

class FakeSocket {
  readonly sent: unknown[] = [];
  closed = false;
  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.handlers.onOpen();
  }
  drop() {
    this.handlers.onClose();
  }
  receive(msg: unknown) {
    this.handlers.onMessage(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  receiveBinary(buf: ArrayBuffer) {
    this.handlers.onMessage(buf);
  }
}

function setup(opts: { callTimeoutMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const log = { warn: vi.fn(), error: vi.fn() };
  const t = new BrowserTransport({
    wsUrl: 'ws://host/ws',
    servicesLabel: 'host:1',
    createSocket: (url, handlers) => {
      const s = new FakeSocket(url, handlers);
      sockets.push(s);
      return s;
    },
    log,
    ...opts,
  });
  const last = () => {
    const s = sockets[sockets.length - 1];
    if (!s) throw new Error('no socket');
    return s;
  };
  return { t, sockets, last, log };
}

const status: ConnectionStatus = {
  state: 'connected',
  bootstrap: '127.0.0.1:9092',
  clusterId: 'abc',
  brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
  error: null,
};

const header = testFrameHeader;

const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 1, 2]);

function packet(viewerId: string, extra: Partial<FramePacketHeader> = {}): ArrayBuffer {
  const bytes = encodeFramePacket(header(viewerId, extra), IMAGE);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BrowserTransport invoke', () => {
  it('queues calls while connecting, sends them on open with increasing ids, resolves parsed results', async () => {
    const { t, last } = setup();
    expect(t.getStatus().state).toBe('connecting');
    const p1 = t.invoke('connection:status', {});
    const p2 = t.invoke('connection:recent', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([
      { type: 'invoke', id: 1, channel: 'connection:status', args: {} },
      { type: 'invoke', id: 2, channel: 'connection:recent', args: {} },
    ]);
    last().receive({ type: 'reply', id: 2, ok: true, result: ['10.0.0.5:9092'] });
    last().receive({ type: 'reply', id: 1, ok: true, result: status });
    await expect(p1).resolves.toEqual(status);
    await expect(p2).resolves.toEqual(['10.0.0.5:9092']);
  });

  it("rejects with the service's error payload (code kept)", async () => {
    const { t, last } = setup();
    last().open();
    const p = t.invoke('topics:delete', { topic: 'x' });
    last().receive({
      type: 'reply',
      id: 1,
      ok: false,
      error: { code: 'NOT_CONNECTED', message: 'Connect first.' },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvsCallError);
    expect((err as KvsCallError).code).toBe('NOT_CONNECTED');
    expect((err as KvsCallError).message).toBe('Connect first.');
  });

  it('rejects a result that does not match the contract', async () => {
    const { t, last } = setup();
    last().open();
    const p = t.invoke('connection:recent', {});
    last().receive({ type: 'reply', id: 1, ok: true, result: [1, 2] });
    await expect(p).rejects.toMatchObject({ code: 'BAD_REPLY' });
  });

  it('checks args before sending', async () => {
    const { t, last } = setup();
    last().open();
    await expect(t.invoke('topics:create', { topic: '' })).rejects.toMatchObject({
      code: 'BAD_ARGS',
    });
    expect(last().sent).toEqual([]);
  });

  it('times out with a clear error and ignores the late reply', async () => {
    const { t, last } = setup({ callTimeoutMs: 30_000 });
    last().open();
    const p = t.invoke('topics:list', {});
    const caught = p.catch((e: unknown) => e);
    vi.advanceTimersByTime(30_000);
    const err = (await caught) as KvsCallError;
    expect(err.code).toBe('SERVICES_TIMEOUT');
    expect(err.message).toContain('did not answer "topics:list" within 30 s');
    last().receive({ type: 'reply', id: 1, ok: true, result: [] });
  });

  it('fails calls in flight when the socket drops, then reconnects with backoff', async () => {
    const { t, sockets, last } = setup();
    last().open();
    const p = t.invoke('topics:list', {});
    const caught = p.catch((e: unknown) => e);
    last().drop();
    expect(((await caught) as KvsCallError).code).toBe('SERVICES_DISCONNECTED');
    expect(t.getStatus()).toMatchObject({ state: 'waiting', everConnected: true, attempt: 1 });
    // while waiting, calls fail at once
    await expect(t.invoke('topics:list', {})).rejects.toMatchObject({
      code: 'SERVICES_UNREACHABLE',
    });
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    expect(t.getStatus().state).toBe('connecting');
    last().drop(); // second attempt fails: wait twice as long
    expect(t.getStatus()).toMatchObject({ state: 'waiting', attempt: 2 });
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    last().open();
    expect(t.getStatus()).toMatchObject({ state: 'open', attempt: 0 });
  });

  it('says "cannot reach" before it ever connected; reconnectNow skips the wait', async () => {
    const { t, sockets, last } = setup();
    const p = t.invoke('connection:status', {}).catch((e: unknown) => e);
    last().drop();
    const err = (await p) as KvsCallError;
    expect(err.code).toBe('SERVICES_UNREACHABLE');
    expect(err.message).toContain('Cannot reach');
    expect(t.getStatus().everConnected).toBe(false);
    t.reconnectNow();
    expect(sockets).toHaveLength(2);
  });

  it('notifies status listeners', () => {
    const { t, last } = setup();
    const seen: string[] = [];
    t.onStatus(() => seen.push(t.getStatus().state));
    last().open();
    last().drop();
    expect(seen).toEqual(['open', 'waiting']);
  });

  it('never opens a socket when fatal, and calls say why', async () => {
    const sockets: unknown[] = [];
    const t = new BrowserTransport({
      wsUrl: 'ws://x/ws',
      servicesLabel: 'x',
      fatal: 'Opened from a file.',
      createSocket: () => {
        sockets.push(1);
        return { send() {}, close() {} };
      },
    });
    expect(sockets).toHaveLength(0);
    expect(t.getStatus().state).toBe('closed');
    await expect(t.invoke('connection:status', {})).rejects.toThrow('Opened from a file.');
  });
});

describe('BrowserTransport events', () => {
  const progress: ProduceProgressEvent = {
    jobId: 'j1',
    frames: 10,
    acked: 9,
    failed: 0,
    bytes: 1000,
    elapsedMs: 500,
    fps: 20,
    bytesPerSec: 2000,
    shrunk: 0,
    total: 90,
    brokerState: 'connected',
    brokerError: null,
  };

  it('dispatches valid events and ignores invalid ones with a warning', () => {
    const { t, last, log } = setup();
    last().open();
    const got: ProduceProgressEvent[] = [];
    const off = t.on('produce:progress', (p) => got.push(p));
    last().receive({ type: 'event', channel: 'produce:progress', payload: progress });
    last().receive({ type: 'event', channel: 'produce:progress', payload: { jobId: 'j1' } });
    last().receive({ type: 'event', channel: 'nope', payload: {} });
    last().receive('not json');
    last().receive({ type: 'what' });
    expect(got).toEqual([progress]);
    expect(log.warn).toHaveBeenCalledTimes(4);
    off();
    last().receive({ type: 'event', channel: 'produce:progress', payload: progress });
    expect(got).toHaveLength(1);
  });

  it('a throwing listener does not stop the others', () => {
    const { t, last, log } = setup();
    last().open();
    const got: string[] = [];
    t.on('connection:status', () => {
      throw new Error('boom');
    });
    t.on('connection:status', (s) => got.push(s.state));
    last().receive({ type: 'event', channel: 'connection:status', payload: status });
    expect(got).toEqual(['connected']);
    expect(log.error).toHaveBeenCalledOnce();
  });
});

describe('BrowserTransport frames', () => {
  it('dispatches packets by viewerId, decoded, and sends frame-ack', () => {
    const { t, last } = setup();
    last().open();
    const a: DecodedFrame[] = [];
    const b: DecodedFrame[] = [];
    t.onFrame('va', (f) => a.push(f));
    t.onFrame('vb', (f) => b.push(f));
    last().receiveBinary(packet('va'));
    last().receiveBinary(packet('vb'));
    last().receiveBinary(packet('vb'));
    expect(a).toHaveLength(1);
    expect(a[0]?.header).toEqual(header('va'));
    expect([...(a[0]?.image ?? [])]).toEqual([...IMAGE]);
    expect(b.map((f) => f.header.viewerId)).toEqual(['vb', 'vb']);
    // a listener that keeps up: frames are acked on arrival (jitter buffer, see FrameInbox)
    expect(last().sent).toEqual([
      { type: 'frame-ack', viewerId: 'va' },
      { type: 'frame-ack', viewerId: 'vb' },
      { type: 'frame-ack', viewerId: 'vb' },
    ]);
    t.ackFrame('va'); // already acked: not sent twice
    expect(last().sent).toHaveLength(3);
  });

  it('ignores binary that is not a frame packet', () => {
    const { t, last, log } = setup();
    last().open();
    const got: DecodedFrame[] = [];
    t.onFrame('va', (f) => got.push(f));
    last().receiveBinary(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer);
    expect(got).toEqual([]);
    expect(log.warn).toHaveBeenCalledOnce();
    expect(last().sent).toEqual([]);
  });

  it('frames of a viewer subscribed before watch:start are delivered in order, even before the reply', async () => {
    const { t, last } = setup();
    last().open();
    const got: DecodedFrame[] = [];
    t.onFrame('v1', (f) => got.push(f));
    const started = t.invoke('watch:start', {
      viewerId: 'v1',
      topic: 'cams',
      from: { kind: 'beginning' },
      pace: true,
    });
    expect(last().sent).toEqual([
      {
        type: 'invoke',
        id: 1,
        channel: 'watch:start',
        args: { viewerId: 'v1', topic: 'cams', from: { kind: 'beginning' }, pace: true },
      },
    ]);
    // the service's first frames come before its reply
    for (let seq = 1; seq <= 3; seq++) last().receiveBinary(packet('v1', { seq }));
    expect(got.map((f) => f.header.seq)).toEqual([1, 2]); // at most FRAMES_IN_FLIGHT un-acked
    // acked on arrival (jitter buffer): the service's gate is not left waiting for the reply
    const acks = () => last().sent.filter((m) => (m as { type: string }).type === 'frame-ack');
    expect(acks()).toEqual([
      { type: 'frame-ack', viewerId: 'v1' },
      { type: 'frame-ack', viewerId: 'v1' },
      { type: 'frame-ack', viewerId: 'v1' },
    ]);
    last().receive({ type: 'reply', id: 1, ok: true, result: { viewerId: 'v1' } });
    await expect(started).resolves.toEqual({ viewerId: 'v1' });
    t.ackFrame('v1');
    expect(got.map((f) => f.header.seq)).toEqual([1, 2, 3]);
    last().receiveBinary(packet('v1', { seq: 4 }));
    t.ackFrame('v1');
    t.ackFrame('v1');
    expect(got.map((f) => f.header.seq)).toEqual([1, 2, 3, 4]);
    // each frame acked once
    expect(acks()).toHaveLength(4);
  });

  it('acks at once and drops frames of a viewer nobody listens to (one just stopped)', () => {
    const { t, last } = setup();
    last().open();
    const got: DecodedFrame[] = [];
    t.onFrame('other', (f) => got.push(f));
    last().receiveBinary(packet('stopped'));
    last().receiveBinary(packet('stopped'));
    expect(last().sent).toEqual([
      { type: 'frame-ack', viewerId: 'stopped' },
      { type: 'frame-ack', viewerId: 'stopped' },
    ]);
    expect(got).toEqual([]);
  });

  it('after the socket drops, held frames are gone but listeners stay for the next socket', () => {
    const { t, sockets, last } = setup();
    last().open();
    const got: DecodedFrame[] = [];
    t.onFrame('v1', (f) => got.push(f));
    for (let seq = 1; seq <= 10; seq++) last().receiveBinary(packet('v1', { seq }));
    expect(got.map((f) => f.header.seq)).toEqual([1, 2]);
    last().drop();
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    last().open();
    // nothing held from the old socket comes out, and the new socket's frames flow
    t.ackFrame('v1');
    expect(got.map((f) => f.header.seq)).toEqual([1, 2]);
    last().receiveBinary(packet('v1', { seq: 1 }));
    expect(got.map((f) => f.header.seq)).toEqual([1, 2, 1]);
  });

  it('does not ack when the socket is not open', () => {
    const { t, last } = setup();
    t.ackFrame('va');
    expect(last().sent).toEqual([]);
  });
});

describe('BrowserTransport camera packets', () => {
  it('sends a camera packet as one binary message while the socket is open and not backed up; false otherwise', () => {
    const { t, last } = setup();
    const bytes = new Uint8Array([0x4b, 0x56, 0x53, 0x43, 1]);
    const binary: Array<{ data: Uint8Array; maxBuffered: number }> = [];
    let backedUp = false;
    const s = last() as FakeSocket & {
      sendBinary?: (data: Uint8Array, maxBuffered: number) => boolean;
    };
    s.sendBinary = (data, maxBuffered) => {
      if (backedUp) return false;
      binary.push({ data, maxBuffered });
      return true;
    };
    expect(t.sendCameraFrame(bytes)).toBe(false); // not open yet
    s.open();
    expect(t.sendCameraFrame(bytes)).toBe(true);
    expect(binary).toEqual([{ data: bytes, maxBuffered: 4 * 1024 * 1024 }]);
    expect(s.sent).toEqual([]); // never as text
    backedUp = true;
    expect(t.sendCameraFrame(bytes)).toBe(false);
    s.drop();
    backedUp = false;
    expect(t.sendCameraFrame(bytes)).toBe(false);
    t.dispose();
  });
});
