import { describe, expect, it } from 'vitest';
import type {
  ClusterPlanView,
  SetupEndedEvent,
  SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import {
  buildClusterPlanRequest,
  checkClusterServers,
  clusterSize,
  DEFAULT_CLUSTER_OPTIONS,
  defaultServersForm,
  factsLine,
  loginFormFor,
  nextToLogIn,
  nodeAdvertise,
  resizeServers,
  skewText,
  withAdvertise,
  type ClusterServersForm,
} from './cluster-form.js';
import {
  applyClusterEvent,
  clusterFailure,
  clusterProgress,
  clusterResultView,
  nodeStatus,
  startClusterInstall,
  startRollingRestart,
} from './cluster-run-view.js';

const facts: SetupServerFacts = {
  os: {
    prettyName: 'Ubuntu 24.04 LTS',
    id: 'ubuntu',
    versionId: '24.04',
    supported: true,
    reason: null,
  },
  arch: 'x86_64',
  systemd: true,
  diskFreeKb: 20 * 1024 * 1024,
  java: null,
  kafkaVersion: null,
  zookeeperdAvailable: false,
  portsInUse: [22],
  ufw: 'inactive',
  user: 'ubuntu',
};

const hosts = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];

function filled(): ClusterServersForm {
  const f = defaultServersForm(3);
  return { ...f, user: 'ubuntu', nodes: f.nodes.map((n, i) => ({ ...n, host: hosts[i] ?? '' })) };
}

const refs = hosts.map((host, i) => ({ sessionId: `s${i}`, host, facts }));

const step = (id: string) => ({
  id,
  title: `Title ${id}`,
  why: 'why',
  sudo: true,
  commands: ['x'],
});

const plan: ClusterPlanView = {
  planId: 'p1',
  clusterId: 'AbCdEfGhIjKlMnOpQrStUv',
  clusterIdKept: false,
  kafkaVersion: '4.1.1',
  bootstrap: hosts.map((h) => `${h}:9092`).join(','),
  quorum: 'controller.quorum.voters=…',
  nodes: hosts.map((host, i) => ({
    sessionId: `s${i}`,
    host,
    nodeId: i + 1,
    advertise: host,
    clockSkewS: 0,
    warnings: [],
    steps: [step('java'), step('start')],
  })),
};

const ended = (over: Partial<SetupEndedEvent>): SetupEndedEvent => ({
  runId: 'r1',
  ok: true,
  cancelled: false,
  changed: 6,
  unchanged: 0,
  verify: {
    bootstrap: plan.bootstrap,
    brokers: [],
    framesSent: 10,
    framesReceived: 10,
    problem: null,
  },
  error: null,
  secure: null,
  cluster: {
    clusterId: plan.clusterId,
    bootstrap: plan.bootstrap,
    nodes: plan.nodes.map((n) => ({ nodeId: n.nodeId, advertise: n.advertise })),
    quorumLeader: 2,
    replicas: 3,
    inSync: 3,
  },
  ...over,
});

describe('what to set up', () => {
  it('maps the choice to a cluster size', () => {
    expect(clusterSize('one')).toBeNull();
    expect(clusterSize('cluster-3')).toBe(3);
    expect(clusterSize('cluster-5')).toBe(5);
  });
});

describe('the cluster servers form', () => {
  it('checks every address with one login for all', () => {
    const r = checkClusterServers(filled());
    expect(r).toEqual({
      ok: true,
      value: hosts.map((host) => ({ host, port: 22, user: 'ubuntu' })),
    });
  });

  it('points at the server whose address is missing or named twice', () => {
    const f = filled();
    const missing = { ...f, nodes: f.nodes.map((n, i) => (i === 1 ? { ...n, host: ' ' } : n)) };
    expect(checkClusterServers(missing)).toMatchObject({ ok: false, field: 'host-1' });
    const twice = {
      ...f,
      nodes: f.nodes.map((n, i) => (i === 2 ? { ...n, host: '10.0.0.11' } : n)),
    };
    const r = checkClusterServers(twice);
    expect(r).toMatchObject({ ok: false, field: 'host-2' });
    if (!r.ok) expect(r.error).toContain('server 1');
  });

  it('asks for the shared user once, or for each server its own', () => {
    const shared = { ...filled(), user: '' };
    expect(checkClusterServers(shared)).toMatchObject({ ok: false, field: 'user' });
    const own = { ...filled(), sameLogin: false };
    expect(checkClusterServers(own)).toMatchObject({ ok: false, field: 'user-0' });
    const ownFilled = {
      ...own,
      nodes: own.nodes.map((n, i) => ({ ...n, user: `u${i}`, port: '2222' })),
    };
    const r = checkClusterServers(ownFilled);
    expect(r.ok && r.value.map((t) => `${t.user}:${t.port}`)).toEqual([
      'u0:2222',
      'u1:2222',
      'u2:2222',
    ]);
  });

  it('uses the shared login or the server’s own', () => {
    const f = filled();
    const withLogins = {
      ...f,
      login: { ...f.login, password: 'shared' },
      nodes: f.nodes.map((n, i) => ({ ...n, login: { ...n.login, password: `own${i}` } })),
    };
    expect(loginFormFor(withLogins, 1).password).toBe('shared');
    expect(loginFormFor({ ...withLogins, sameLogin: false }, 1).password).toBe('own1');
  });

  it('keeps the first servers when going from 3 to 5 and back', () => {
    const five = resizeServers(filled(), 5);
    expect(five.nodes.map((n) => n.host)).toEqual([...hosts, '', '']);
    expect(resizeServers(five, 3).nodes.map((n) => n.host)).toEqual(hosts);
  });

  it('finds the next server to log in to', () => {
    expect(nextToLogIn([{}, null, null])).toBe(1);
    expect(nextToLogIn([{}, {}, {}])).toBeNull();
  });

  it('says what is on a server in one line', () => {
    expect(factsLine(facts)).toBe('Ubuntu 24.04 LTS · x86_64 · no Java yet · no Kafka yet');
    expect(
      factsLine({
        ...facts,
        kafkaVersion: '4.1.1',
        java: { major: 21, version: '21.0.5' },
        ufw: 'active',
      }),
    ).toBe('Ubuntu 24.04 LTS · x86_64 · Java 21 · Kafka 4.1.1 there · firewall active');
  });
});

describe('the cluster plan request', () => {
  const tarball = {
    kind: 'ready' as const,
    ref: { videoId: 'f1', name: 'kafka_2.13-4.1.1.tgz', sizeBytes: 1 },
  };

  it('advertises each login address by default and sends KRaft choices', () => {
    const r = buildClusterPlanRequest(refs, DEFAULT_CLUSTER_OPTIONS, { kind: 'none' });
    expect(r).toEqual({
      ok: true,
      value: {
        nodes: hosts.map((h, i) => ({ sessionId: `s${i}`, advertise: h })),
        kafkaVersion: '4.1.1',
        installDir: '/opt/kafka',
        source: { kind: 'download', mirrorUrl: 'https://archive.apache.org/dist' },
        openFirewall: false,
      },
    });
  });

  it('takes an edited address and an uploaded .tgz; opens the firewall only where ufw is on', () => {
    const form = {
      ...withAdvertise(DEFAULT_CLUSTER_OPTIONS, 1, '10.1.0.12'),
      source: 'upload' as const,
    };
    expect(nodeAdvertise(form, 1, hosts[1] ?? '')).toBe('10.1.0.12');
    const withUfw = refs.map((r, i) =>
      i === 2 ? { ...r, facts: { ...facts, ufw: 'active' as const } } : r,
    );
    const r = buildClusterPlanRequest(withUfw, form, tarball);
    expect(r.ok && r.value.nodes[1]?.advertise).toBe('10.1.0.12');
    expect(r.ok && r.value.source).toEqual({ kind: 'upload', fileId: 'f1' });
    expect(r.ok && r.value.openFirewall).toBe(true);
  });

  it('refuses a missing or shared advertised address, a ZooKeeper-era version and no .tgz', () => {
    const named = refs.map((r) => ({ ...r, host: 'kafka-1.example' }));
    expect(buildClusterPlanRequest(named, DEFAULT_CLUSTER_OPTIONS, tarball)).toMatchObject({
      ok: false,
      field: 'advertise-0',
    });
    const same = withAdvertise(DEFAULT_CLUSTER_OPTIONS, 2, hosts[0] ?? '');
    expect(buildClusterPlanRequest(refs, same, tarball)).toMatchObject({
      ok: false,
      field: 'advertise-2',
    });
    expect(
      buildClusterPlanRequest(refs, { ...DEFAULT_CLUSTER_OPTIONS, kafkaVersion: '2.8.2' }, tarball),
    ).toMatchObject({ ok: false, field: 'kafkaVersion' });
    expect(
      buildClusterPlanRequest(
        refs,
        { ...DEFAULT_CLUSTER_OPTIONS, source: 'upload' },
        { kind: 'none' },
      ),
    ).toMatchObject({ ok: false, field: 'tarball' });
  });

  it('refuses a cluster that is not 3 or 5 servers', () => {
    expect(
      buildClusterPlanRequest(refs.slice(0, 2), DEFAULT_CLUSTER_OPTIONS, tarball),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('a cluster run', () => {
  it('puts each server’s steps and log in its own place, the checks in theirs', () => {
    let v = startClusterInstall(plan, 'r1');
    expect(v.nodes.map((n) => n.label)).toEqual(hosts.map((h, i) => `node ${i + 1} — ${h}`));
    expect(clusterProgress(v)).toEqual({ done: 0, total: 8 });
    v = applyClusterEvent(v, {
      type: 'step',
      ev: {
        runId: 'r1',
        node: 1,
        index: 0,
        stepCount: 2,
        stepId: 'java',
        title: 'Java',
        status: 'changed',
      },
    });
    v = applyClusterEvent(v, {
      type: 'log',
      ev: { runId: 'r1', node: 1, lines: ['$ apt-get install'] },
    });
    v = applyClusterEvent(v, {
      type: 'log',
      ev: { runId: 'r1', lines: ['asking for the quorum'] },
    });
    v = applyClusterEvent(v, {
      type: 'step',
      ev: {
        runId: 'r1',
        index: 0,
        stepCount: 2,
        stepId: 'quorum',
        title: 'Quorum',
        status: 'running',
      },
    });
    expect(v.nodes[1]?.run.steps[0]?.status).toBe('changed');
    expect(v.nodes[0]?.run.steps[0]?.status).toBe('pending');
    expect(v.nodes[1]?.run.log).toEqual(['$ apt-get install']);
    expect(v.nodes[0]?.run.log).toEqual([]);
    expect(v.checks.log).toEqual(['asking for the quorum']);
    expect(v.checks.steps[0]?.status).toBe('running');
    expect(nodeStatus(v.nodes[1]?.run ?? v.checks)).toBe('running');
    expect(nodeStatus(v.nodes[0]?.run ?? v.checks)).toBe('pending');
    expect(clusterProgress(v)).toEqual({ done: 1, total: 8 });
  });

  it('ignores a server it does not know', () => {
    const v = startClusterInstall(plan, 'r1');
    const after = applyClusterEvent(v, {
      type: 'step',
      ev: {
        runId: 'r1',
        node: 7,
        index: 0,
        stepCount: 2,
        stepId: 'x',
        title: 'x',
        status: 'failed',
      },
    });
    expect(after).toBe(v);
  });

  it('a server (or the checks) is done, already done, or checked', () => {
    const rows = (...statuses: ('changed' | 'unchanged' | 'checked')[]) => ({
      runId: null,
      steps: statuses.map((status, index) => ({ index, stepId: `s${index}`, title: 't', status })),
      log: [],
      droppedLines: 0,
      ended: null,
    });
    expect(nodeStatus(rows('changed', 'checked'))).toBe('changed');
    expect(nodeStatus(rows('unchanged', 'checked'))).toBe('unchanged');
    expect(nodeStatus(rows('checked', 'checked'))).toBe('checked');
  });

  it('ends with the brokers, the quorum leader and the replicas in sync', () => {
    const v = applyClusterEvent(startClusterInstall(plan, 'r1'), { type: 'ended', ev: ended({}) });
    const r = clusterResultView(v, plan);
    expect(r).toMatchObject({
      ok: true,
      bootstrap: plan.bootstrap,
      quorumLeader: 2,
      inSync: '3 of 3 replicas in sync',
      counts: '6 steps changed something, 0 were already done.',
    });
    expect(r?.brokers).toEqual(hosts.map((h, i) => `node ${i + 1} at ${h}:9092`));
    const again = clusterResultView(
      applyClusterEvent(startClusterInstall(plan, 'r2'), {
        type: 'ended',
        ev: ended({ changed: 0, unchanged: 6 }),
      }),
      plan,
    );
    expect(again?.counts).toBe('0 steps changed something, 6 were already done.');
  });

  it('says which server and step failed, and that a re-run is safe', () => {
    let v = startClusterInstall(plan, 'r1');
    v = applyClusterEvent(v, {
      type: 'step',
      ev: {
        runId: 'r1',
        node: 2,
        index: 1,
        stepCount: 2,
        stepId: 'start',
        title: 'Start Kafka',
        status: 'running',
      },
    });
    v = applyClusterEvent(v, {
      type: 'ended',
      ev: ended({
        ok: false,
        cluster: null,
        verify: null,
        error: { code: 'SSH_ERROR', message: 'The server went away.' },
      }),
    });
    expect(v.nodes[2]?.run.steps[1]?.status).toBe('failed');
    expect(clusterFailure(v)?.where).toBe('node 3 — 10.0.0.13');
    const r = clusterResultView(v, plan);
    expect(r?.ok).toBe(false);
    expect(r?.error?.message).toBe('The server went away.');
    expect(r?.lines).toContain('On node 3 — 10.0.0.13, step 2 failed: Start Kafka.');
  });

  it('marks a cancelled run', () => {
    let v = startClusterInstall(plan, 'r1');
    v = applyClusterEvent(v, {
      type: 'step',
      ev: {
        runId: 'r1',
        node: 0,
        index: 0,
        stepCount: 2,
        stepId: 'java',
        title: 'Java',
        status: 'running',
      },
    });
    v = applyClusterEvent(v, {
      type: 'ended',
      ev: ended({
        ok: false,
        cancelled: true,
        cluster: null,
        error: { code: 'CANCELLED', message: 'The install was cancelled.' },
      }),
    });
    expect(v.nodes[0]?.run.steps[0]?.status).toBe('cancelled');
    expect(clusterResultView(v, plan)?.headline).toBe('Install cancelled');
  });

  it('shows a rolling restart as three steps per server and no checks', () => {
    let v = startRollingRestart(hosts, 'r3');
    expect(clusterProgress(v)).toEqual({ done: 0, total: 9 });
    v = applyClusterEvent(v, {
      type: 'step',
      ev: {
        runId: 'r3',
        node: 0,
        index: 2,
        stepCount: 3,
        stepId: 'in-sync',
        title: 'Every partition back in sync',
        status: 'checked',
      },
    });
    expect(v.nodes[0]?.run.steps[2]?.title).toBe('Every partition back in sync');
    expect(v.checks.steps).toEqual([]);
  });
});

describe('clock skew', () => {
  it('says ahead or behind', () => {
    expect(skewText(null)).toBe('unknown');
    expect(skewText(0)).toBe('in step with this computer');
    expect(skewText(3)).toBe('3 s ahead of this computer');
    expect(skewText(-2)).toBe('2 s behind this computer');
  });
});
