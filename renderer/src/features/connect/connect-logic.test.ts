import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../../electron/shared/contract.js';
import { advertisedWarnings, connectButtonMode, describeStatus } from './connect-logic.js';

const base: ConnectionStatus = {
  state: 'connected',
  bootstrap: '10.0.0.5:9092',
  clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
  brokers: [{ nodeId: 1, host: '10.0.0.5', port: 9092 }],
  error: null,
};

describe('describeStatus', () => {
  it('connected: headline contains Connected, cluster id and advertised brokers', () => {
    const v = describeStatus(base, null);
    expect(v.tone).toBe('ok');
    expect(v.headline).toBe('Connected to 10.0.0.5:9092');
    expect(describeStatus(base, null, 'Lab').headline).toBe(
      'Connected to 10.0.0.5:9092 — profile “Lab”',
    );
    expect(v.lines.join('\n')).toContain('MkU3OEVBNTcwNTJENDM2Qk');
    expect(v.lines.join('\n')).toContain('10.0.0.5:9092 (node 1)');
  });
  it('connected while a stream has lost the broker: says Kafka is not answering, and why', () => {
    const v = describeStatus(
      {
        ...base,
        error: {
          code: 'BROKER_UNREACHABLE',
          message: 'Cannot reach a broker at 10.0.0.5:9092: connection refused.',
        },
      },
      null,
    );
    expect(v.tone).toBe('busy');
    expect(v.headline).toMatch(
      /^Connected to 10\.0\.0\.5:9092, but Kafka is not answering right now/,
    );
    expect(v.lines[0]).toMatch(/connection refused/);
  });
  it('never says "Connected" unless connected', () => {
    for (const state of ['disconnected', 'connecting', 'failed'] as const) {
      const v = describeStatus(
        { ...base, state, error: { code: 'X', message: 'connection refused' } },
        null,
      );
      expect(v.headline).not.toContain('Connected');
    }
    expect(describeStatus(null, null).headline).not.toContain('Connected');
  });
  it('failed shows the error message; a failed call wins over a stale status', () => {
    const v = describeStatus(
      { ...base, state: 'failed', error: { code: 'K', message: 'Cannot reach 127.0.0.1:1' } },
      null,
    );
    expect(v.headline).toContain('Cannot reach 127.0.0.1:1');
    expect(describeStatus({ ...base, state: 'disconnected' }, 'Timed out').headline).toBe(
      'Connection failed: Timed out',
    );
  });
});

describe('advertisedWarnings', () => {
  it('none when the broker advertises what was typed', () => {
    expect(advertisedWarnings(base)).toEqual([]);
  });
  it('warns when a remote broker advertises loopback', () => {
    const w = advertisedWarnings({
      ...base,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092 }],
    });
    expect(w[0]).toContain('loopback');
    expect(w[0]).toContain('advertised.listeners');
  });
  it('notes a different advertised address', () => {
    const w = advertisedWarnings({
      ...base,
      brokers: [{ nodeId: 1, host: 'kafka-1.internal', port: 9092 }],
    });
    expect(w[0]).toContain('kafka-1.internal:9092');
  });
  it('is quiet when not connected', () => {
    expect(advertisedWarnings({ ...base, state: 'failed' })).toEqual([]);
  });
});

describe('connectButtonMode', () => {
  it('disconnects while connected or connecting', () => {
    expect(connectButtonMode('connected')).toBe('disconnect');
    expect(connectButtonMode('connecting')).toBe('disconnect');
    expect(connectButtonMode('failed')).toBe('connect');
    expect(connectButtonMode(undefined)).toBe('connect');
  });
});
