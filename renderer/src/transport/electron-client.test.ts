import { describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from '../../../electron/shared/contract.js';
import { ElectronClient } from './electron-client.js';
import type { KvsElectronBridge } from './types.js';

const status: ConnectionStatus = {
  state: 'disconnected',
  bootstrap: null,
  clusterId: null,
  brokers: [],
  error: null,
};

function bridge(extra: Partial<KvsElectronBridge> = {}) {
  const listeners: Array<(p: unknown) => void> = [];
  const b: KvsElectronBridge = {
    transport: 'electron',
    on: ((_channel: string, l: (p: unknown) => void) => {
      listeners.push(l);
      return () => undefined;
    }) as KvsElectronBridge['on'],
    onFrame: () => () => undefined,
    ...extra,
  };
  return { b, emit: (p: unknown) => listeners.forEach((l) => l(p)) };
}

describe('ElectronClient', () => {
  it('calls one function per channel (preload `calls`) and parses the result', async () => {
    const call = vi.fn(async () => status);
    const { b } = bridge({ calls: { 'connection:status': call } });
    const c = new ElectronClient(b);
    await expect(c.invoke('connection:status', {})).resolves.toEqual(status);
    expect(call).toHaveBeenCalledWith({});
    await expect(c.invoke('topics:list', {})).rejects.toMatchObject({ code: 'BAD_ARGS' });
  });

  it('uses invoke(channel, args) when the bridge has it; rejects results that break the contract', async () => {
    const { b } = bridge({
      invoke: (async () => ({ state: 'nonsense' })) as unknown as KvsElectronBridge['invoke'],
    });
    await expect(new ElectronClient(b).invoke('connection:status', {})).rejects.toMatchObject({
      code: 'BAD_REPLY',
    });
  });

  it('keeps the error the preload throws (message and code)', async () => {
    const err = Object.assign(new Error('Not connected.'), { code: 'NOT_CONNECTED' });
    const { b } = bridge({ calls: { 'topics:list': () => Promise.reject(err) } });
    await expect(new ElectronClient(b).invoke('topics:list', {})).rejects.toMatchObject({
      message: 'Not connected.',
      code: 'NOT_CONNECTED',
    });
  });

  it('validates events and forwards acks', () => {
    const ackFrame = vi.fn();
    const { b, emit } = bridge({ ackFrame });
    const log = { warn: vi.fn(), error: vi.fn() };
    const c = new ElectronClient(b, log);
    const got: ConnectionStatus[] = [];
    c.on('connection:status', (s) => got.push(s));
    emit(status);
    emit({ bad: true });
    expect(got).toEqual([status]);
    expect(log.warn).toHaveBeenCalledOnce();
    c.ackFrame('v1');
    expect(ackFrame).toHaveBeenCalledWith('v1');
    expect(c.getStatus().state).toBe('open');
  });
});
