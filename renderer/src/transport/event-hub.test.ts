import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus, WatchStatsEvent } from '../../../electron/shared/contract.js';
import { EventHub } from './event-hub.js';

const status: ConnectionStatus = {
  state: 'connected',
  bootstrap: '127.0.0.1:9092',
  clusterId: 'abc',
  brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
  error: null,
};

function setup() {
  const log = { warn: vi.fn(), error: vi.fn() };
  return { hub: new EventHub(log), log };
}

describe('EventHub', () => {
  it("passes a valid event to its channel's listeners only", () => {
    const { hub, log } = setup();
    const got: ConnectionStatus[] = [];
    const stats: WatchStatsEvent[] = [];
    hub.on('connection:status', (s) => got.push(s));
    hub.on('watch:stats', (s) => stats.push(s));
    hub.dispatch('connection:status', status);
    expect(got).toEqual([status]);
    expect(stats).toEqual([]);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('passes the parsed payload, not the raw one', () => {
    const { hub } = setup();
    const got: unknown[] = [];
    hub.on('connection:status', (s) => got.push(s));
    hub.dispatch('connection:status', { ...status, extra: '<script>' });
    expect(got).toEqual([status]);
  });

  it('ignores an invalid payload or an unknown channel with a warning, never throws', () => {
    const { hub, log } = setup();
    const listener = vi.fn();
    hub.on('connection:status', listener);
    hub.dispatch('connection:status', { state: 'nonsense' });
    hub.dispatch('connection:status', undefined);
    hub.dispatch('nope', status);
    hub.dispatch('__proto__', status);
    hub.dispatch('constructor', status);
    expect(listener).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledTimes(5);
  });

  it('a throwing listener does not stop the others, and is logged', () => {
    const { hub, log } = setup();
    const got: string[] = [];
    hub.on('connection:status', () => {
      throw new Error('boom');
    });
    hub.on('connection:status', (s) => got.push(s.state));
    expect(() => hub.dispatch('connection:status', status)).not.toThrow();
    expect(got).toEqual(['connected']);
    expect(log.error).toHaveBeenCalledOnce();
  });

  it('unsubscribes, also from inside a listener, without skipping the others', () => {
    const { hub } = setup();
    const got: string[] = [];
    const offA = hub.on('connection:status', () => {
      got.push('a');
      offA();
    });
    hub.on('connection:status', () => got.push('b'));
    hub.dispatch('connection:status', status);
    hub.dispatch('connection:status', status);
    expect(got).toEqual(['a', 'b', 'b']);
  });

  it('never throws on any channel and payload (property)', () => {
    const { hub } = setup();
    const listener = vi.fn();
    hub.on('connection:status', listener);
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('connection:status', 'watch:stats', 'setup:log')),
        fc.anything(),
        (channel, payload) => {
          expect(() => hub.dispatch(channel, payload)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
