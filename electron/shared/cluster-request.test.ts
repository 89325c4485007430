import { describe, expect, it } from 'vitest';
import { ClusterPlanRequest, RollingRestartRequest, SetupStepEvent } from './contract.js';

const node = (i: number) => ({ sessionId: `s${i}`, advertise: `10.0.0.${i}` });
const plan = (n: number) => ({
  nodes: [...Array(n).keys()].map(node),
  kafkaVersion: '4.1.1',
  installDir: '/opt/kafka',
  source: { kind: 'upload', fileId: 'f1' },
  openFirewall: false,
});

describe('the cluster calls in the contract', () => {
  it('a cluster plan takes 3 or 5 servers, nothing else', () => {
    expect(ClusterPlanRequest.safeParse(plan(3)).success).toBe(true);
    expect(ClusterPlanRequest.safeParse(plan(5)).success).toBe(true);
    for (const n of [0, 1, 2, 4, 6]) {
      const r = ClusterPlanRequest.safeParse(plan(n));
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toBe('A cluster has 3 or 5 servers.');
    }
  });

  it('a rolling restart takes 3 or 5 sessions and the bootstrap', () => {
    const ok = {
      sessionIds: ['a', 'b', 'c'],
      installDir: '/opt/kafka',
      bootstrap: '10.0.0.1:9092',
    };
    expect(RollingRestartRequest.safeParse(ok).success).toBe(true);
    expect(RollingRestartRequest.safeParse({ ...ok, sessionIds: ['a', 'b'] }).success).toBe(false);
    expect(RollingRestartRequest.safeParse({ ...ok, bootstrap: '' }).success).toBe(false);
  });

  it("a step names its server by index, or none (one server, or a cluster's checks from here)", () => {
    const step = {
      runId: 'r',
      index: 0,
      stepCount: 2,
      stepId: 'quorum',
      title: 't',
      status: 'running',
    };
    expect(SetupStepEvent.parse(step).node).toBeUndefined();
    expect(SetupStepEvent.parse({ ...step, node: 2 }).node).toBe(2);
    expect(SetupStepEvent.safeParse({ ...step, node: -1 }).success).toBe(false);
  });
});
