import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../../electron/shared/contract.js';
import {
  advertisedWarnings,
  clockTime,
  clusterView,
  connectButtonMode,
  describeStatus,
} from './connect-logic.js';

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

describe('clusterView (the broker list)', () => {
  const three: ConnectionStatus = {
    ...base,
    brokers: [
      { nodeId: 3, host: '10.0.0.13', port: 9092 },
      { nodeId: 1, host: '10.0.0.11', port: 9092 },
    ],
    controllerId: 1,
    quorum: {
      leaderId: 1,
      voters: [
        { nodeId: 1, lag: 0 },
        { nodeId: 2, lag: 250 },
        { nodeId: 3, lag: 2 },
      ],
    },
    downBrokers: [{ nodeId: 2, host: '10.0.0.12', port: 9092, since: 0 }],
  };
  const at = () => '12:03:10';

  it('lists up and down nodes by id, marks the quorum leader, the controller and each voter', () => {
    const v = clusterView(three, at);
    expect(v.rows.map((r) => [r.nodeId, r.state, r.address])).toEqual([
      [1, 'up', '10.0.0.11:9092'],
      [2, 'down', '10.0.0.12:9092'],
      [3, 'up', '10.0.0.13:9092'],
    ]);
    expect(v.rows[0]?.roles.map((r) => r.kind)).toEqual(['quorum-leader', 'controller', 'voter']);
    expect(v.rows[0]?.roles.map((r) => r.text)).toEqual([
      'quorum leader',
      'active controller',
      'voter, caught up',
    ]);
    expect(v.rows[1]?.downNote).toBe(
      "node 2 at 10.0.0.12:9092 is down — not in the cluster's metadata since 12:03:10",
    );
    expect(v.rows[1]?.roles.map((r) => r.text)).toEqual(['voter, 250 records behind']);
    expect(v.quorumLine).toBe('Quorum leader: node 1; 3 voters, down: node 2.');
  });

  it('a stopped voter is not called caught up (its lag is the last one seen)', () => {
    const v = clusterView(
      {
        ...three,
        brokers: [
          { nodeId: 1, host: '10.0.0.11', port: 9092 },
          { nodeId: 2, host: '10.0.0.12', port: 9092 },
        ],
        quorum: {
          leaderId: 1,
          voters: [
            { nodeId: 1, lag: 0 },
            { nodeId: 2, lag: 400 },
            { nodeId: 3, lag: 0 },
          ],
        },
        downBrokers: [{ nodeId: 3, host: '10.0.0.13', port: 9092, since: 0 }],
      },
      at,
    );
    expect(v.rows.map((r) => [r.nodeId, r.state])).toEqual([
      [1, 'up'],
      [2, 'up'],
      [3, 'down'],
    ]);
    expect(v.rows[2]?.roles.map((r) => r.text)).toEqual(['voter, not answering']);
    expect(v.quorumLine).toBe(
      'Quorum leader: node 1; 3 voters, not caught up: node 2; down: node 3.',
    );
  });

  it('the headline says which brokers are down', () => {
    const d = describeStatus(three, null);
    expect(d.tone).toBe('busy');
    expect(d.headline).toBe('Connected to 10.0.0.5:9092 — one broker is down (node 2).');
  });

  it('a voter never seen is down without an address; a caught-up one outside the metadata is a controller', () => {
    const v = clusterView(
      {
        ...base,
        controllerId: 7,
        quorum: {
          leaderId: 7,
          voters: [
            { nodeId: 7, lag: 0 },
            { nodeId: 8, lag: null },
          ],
        },
        downBrokers: [{ nodeId: 8, host: null, port: null, since: 0 }],
      },
      at,
    );
    expect(v.rows.map((r) => [r.nodeId, r.state, r.address])).toEqual([
      [1, 'up', '10.0.0.5:9092'],
      [7, 'up', null],
      [8, 'down', null],
    ]);
    expect(v.rows[2]?.downNote).toMatch(/^node 8 is down — a quorum voter that is not caught up/);
    expect(v.rows[1]?.roles.map((r) => r.kind)).toEqual(['quorum-leader', 'controller', 'voter']);
  });

  it('a single broker of an older status (no shape fields): one row, quorum unknown; nothing when not connected', () => {
    const v = clusterView(base);
    expect(v.rows).toEqual([
      { nodeId: 1, address: '10.0.0.5:9092', state: 'up', roles: [], downNote: null },
    ]);
    expect(v.quorumLine).toMatch(/^No KRaft quorum known/);
    expect(describeStatus(base, null).tone).toBe('ok');
    expect(clusterView({ ...base, state: 'failed' }).rows).toEqual([]);
    expect(clusterView(null).rows).toEqual([]);
  });

  it('a quorum without a leader says so; the clock is HH:MM:SS', () => {
    const v = clusterView({
      ...base,
      quorum: { leaderId: null, voters: [{ nodeId: 1, lag: null }] },
    });
    expect(v.quorumLine).toBe('The metadata quorum has no leader right now (voters: node 1).');
    expect(clockTime(new Date(2026, 0, 1, 9, 5, 7).getTime())).toBe('09:05:07');
  });
});
