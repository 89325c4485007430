/** The app services' event and frame fan-out: a listener's failure never reaches the app services or other listeners. */
import { describe, expect, it } from 'vitest';
import { createEventBus } from './event-bus.js';

describe('event bus', () => {
  it('delivers events to every listener, after one throws; off stops them', () => {
    const bus = createEventBus();
    const got: string[] = [];
    bus.onEvent(() => {
      throw new Error('a broken adapter');
    });
    const off = bus.onEvent((...[channel]) => {
      got.push(channel);
    });
    bus.emit('setup:log', { runId: 'r1', lines: ['x'] });
    off();
    bus.emit('setup:log', { runId: 'r1', lines: ['y'] });
    expect(got).toEqual(['setup:log']);
  });

  it('a frame is sent when some listener took it (false: not in flight)', () => {
    const bus = createEventBus();
    const packet = new Uint8Array([1]);
    expect(bus.emitFrame('v1', packet, 'page-1')).toBe(false); // nobody listens
    bus.onFrame(() => {
      throw new Error('broken');
    });
    bus.onFrame((_v, _p, client) => client === 'page-1');
    expect(bus.emitFrame('v1', packet, 'page-1')).toBe(true);
    expect(bus.emitFrame('v1', packet, 'page-2')).toBe(false);
    bus.clear();
    expect(bus.emitFrame('v1', packet, 'page-1')).toBe(false);
  });
});
