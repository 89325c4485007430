import { describe, expect, it } from 'vitest';
import { freshFacts } from '../../../scripts/test-support/setup-fixtures.js';
import { KvsError } from '../../shared/errors.js';
import { newClusterId, type ClusterChoice } from './cluster-choice.js';
import {
  clusterIdentity,
  parseMetaProperties,
  planCluster,
  type ClusterServer,
} from './cluster-install.js';
import { quorumVoters } from './config.js';
import { buildInstallPlan } from './install-plan.js';
import { SetupPlanError, type InstallChoices, type RemoteCommand } from './plan-types.js';
import { parseQuorumReplication, quorumProblem } from './quorum-check.js';
import { isFixedScript } from './scripts.js';

const ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const voters = [
  { nodeId: 1, host: '10.0.0.11' },
  { nodeId: 2, host: '10.0.0.12' },
  { nodeId: 3, host: '10.0.0.13' },
];
const base: InstallChoices = {
  mode: 'kraft',
  kafkaVersion: '4.1.1',
  advertise: '10.0.0.12',
  source: { kind: 'upload', tarballPath: '/tmp/kafka.tgz' },
};
const node2: ClusterChoice = { clusterId: ID, nodeId: 2, voters };

function props(choices: InstallChoices): Map<string, string> {
  const plan = buildInstallPlan(freshFacts(), choices);
  const write = plan.steps.find((s) => s.id === 'server-properties')?.apply[0];
  if (write === undefined || !('writeFile' in write)) throw new Error('no server.properties');
  return new Map(
    write.writeFile.content
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

function argvOf(c: RemoteCommand | undefined): readonly string[] {
  if (c === undefined || !('argv' in c)) throw new Error('not argv');
  return c.argv;
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SetupPlanError || e instanceof KvsError) return e.message;
    throw e;
  }
  throw new Error('did not throw');
}

describe('a KRaft cluster node', () => {
  it('server.properties: its own node.id and address, the static quorum of all, the controller not advertised, RF 3 / min ISR 2', () => {
    const p = props({ ...base, cluster: node2 });
    expect(p.get('process.roles')).toBe('broker,controller');
    expect(p.get('node.id')).toBe('2');
    expect(p.get('controller.quorum.voters')).toBe(
      '1@10.0.0.11:9093,2@10.0.0.12:9093,3@10.0.0.13:9093',
    );
    expect(p.has('controller.quorum.bootstrap.servers')).toBe(false);
    expect(p.get('advertised.listeners')).toBe('PLAINTEXT://10.0.0.12:9092');
    expect(p.get('listeners')).toBe('PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093');
    for (const k of [
      'default.replication.factor',
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'share.coordinator.state.topic.replication.factor',
    ])
      expect(p.get(k), k).toBe('3');
    for (const k of ['min.insync.replicas', 'transaction.state.log.min.isr'])
      expect(p.get(k), k).toBe('2');
    // five nodes: still RF 3 and min ISR 2
    const five = [...voters, { nodeId: 4, host: '10.0.0.14' }, { nodeId: 5, host: '10.0.0.15' }];
    expect(
      props({ ...base, cluster: { ...node2, voters: five } }).get('default.replication.factor'),
    ).toBe('3');
    expect(quorumVoters([...five].reverse())).toMatch(/^1@10\.0\.0\.11:9093,2@/);
  });

  it('formats once with the cluster id (a fixed script, values as arguments), never another cluster’s storage', () => {
    const plan = buildInstallPlan(freshFacts(), { ...base, cluster: node2 });
    const format = plan.steps.find((s) => s.id === 'format');
    expect(format?.title).toBe(`Format the KRaft storage for cluster ${ID} as node 2 (once)`);
    const a = argvOf(format?.apply[0]);
    const script = a[a.indexOf('-c') + 1] ?? '';
    expect(isFixedScript(script)).toBe(true);
    expect(a.slice(-5)).toEqual([
      '/opt/kafka',
      '/opt/kafka/config/server.properties',
      '/var/lib/kafka/data',
      ID,
      '2',
    ]);
    expect(script).toContain('not formatting it again');
    expect(script).not.toContain('--standalone');
    expect(argvOf(format?.check)).toContain(ID);
  });

  it('ufw active: the controller port is opened to the other nodes only (or the plan says it stays closed)', () => {
    const facts = freshFacts('ubuntu-22.04', { ufw: 'active' });
    const open = buildInstallPlan(facts, { ...base, cluster: node2, openFirewall: true }).steps;
    const step = open.find((s) => s.id === 'firewall-controller');
    expect(step?.apply.map(argvOf)).toEqual([
      ['ufw', 'allow', 'from', '10.0.0.11', 'to', 'any', 'port', '9093', 'proto', 'tcp'],
      ['ufw', 'allow', 'from', '10.0.0.13', 'to', 'any', 'port', '9093', 'proto', 'tcp'],
    ]);
    const check = argvOf(step?.check);
    expect(isFixedScript(check[2] ?? '')).toBe(true);
    expect(check.slice(3)).toEqual(['sh', '9093', '10.0.0.11', '10.0.0.13']);
    // before the port wait: the quorum needs it to form
    const ids = open.map((s) => s.id);
    expect(ids.indexOf('firewall-controller')).toBeLessThan(ids.indexOf('verify-ports'));

    const closed = buildInstallPlan(facts, { ...base, cluster: node2 }).steps.find(
      (s) => s.id === 'firewall-controller',
    );
    expect(closed?.apply).toEqual([]);
    expect(closed?.why).toContain('ufw allow from <other node> to any port 9093 proto tcp');
    // no ufw, or one server: no such step
    expect(
      buildInstallPlan(freshFacts(), { ...base, cluster: node2, openFirewall: true }).steps.some(
        (s) => s.id === 'firewall-controller',
      ),
    ).toBe(false);
    expect(
      buildInstallPlan(facts, { ...base, openFirewall: true }).steps.some(
        (s) => s.id === 'firewall-controller',
      ),
    ).toBe(false);
  });

  it('refuses what cannot make a cluster, saying why', () => {
    const c = (over: Partial<ClusterChoice>, choices: Partial<InstallChoices> = {}) =>
      refusal(() =>
        buildInstallPlan(freshFacts(), { ...base, ...choices, cluster: { ...node2, ...over } }),
      );
    expect(c({}, { mode: 'zookeeper', kafkaVersion: '3.9.1' })).toMatch(/KRaft mode/);
    expect(c({}, { kafkaVersion: '3.2.3' })).toMatch(/3\.3 or newer/);
    expect(c({ voters: voters.slice(0, 2) })).toMatch(/3 or 5 servers/);
    expect(c({ voters: [...voters.slice(0, 2), { nodeId: 2, host: '10.0.0.13' }] })).toMatch(
      /same node\.id/,
    );
    expect(c({ voters: [...voters.slice(0, 2), { nodeId: 3, host: '10.0.0.12' }] })).toMatch(
      /same address/,
    );
    expect(c({ nodeId: 7 })).toMatch(/not one of the cluster/);
    expect(c({}, { advertise: '10.0.0.13' })).toMatch(/must be the same address/);
    expect(c({ clusterId: 'short' })).toMatch(/not a Kafka cluster id/);
    expect(c({}, { secure: { scramUser: 'video', scramPassword: 'a-strong-password-1' } })).toMatch(
      /not offered yet/,
    );
  });
});

describe('cluster identity (made once, kept)', () => {
  const fresh = [1, 2, 3].map((i) => ({ label: `10.0.0.1${i}`, storage: null }));

  it('a new cluster: one new id, node.ids 1…N', () => {
    expect(clusterIdentity(fresh, () => ID)).toEqual({ clusterId: ID, nodeIds: [1, 2, 3] });
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    // never one starting with '-' (Kafka's Uuid avoids them: they read as options)
    let calls = 0;
    const dashFirst = newClusterId(() => {
      calls += 1;
      return Buffer.from(calls === 1 ? 'f8' + '00'.repeat(15) : '01'.repeat(16), 'hex');
    });
    expect(dashFirst.startsWith('-')).toBe(false);
    expect(calls).toBe(2);
  });

  it('a re-run or a half-done install keeps the id and node.ids its storage holds', () => {
    const half = [
      { label: 'a', storage: { clusterId: ID, nodeId: 2 } },
      { label: 'b', storage: null },
      { label: 'c', storage: { clusterId: ID, nodeId: 1 } },
    ];
    expect(clusterIdentity(half, () => 'unused-id-unused-id-xx')).toEqual({
      clusterId: ID,
      nodeIds: [2, 3, 1],
    });
  });

  it('refuses servers of two clusters and a node.id held twice', () => {
    expect(
      refusal(() =>
        clusterIdentity([
          { label: 'a', storage: { clusterId: ID, nodeId: 1 } },
          { label: 'b', storage: { clusterId: 'OtherClusterIdOtherCl1', nodeId: 2 } },
          { label: 'c', storage: null },
        ]),
      ),
    ).toMatch(/different Kafka clusters: a to MkU3.*, b to OtherCluster/);
    expect(
      refusal(() =>
        clusterIdentity([
          { label: 'a', storage: { clusterId: ID, nodeId: 1 } },
          { label: 'b', storage: { clusterId: ID, nodeId: 1 } },
          { label: 'c', storage: null },
        ]),
      ),
    ).toMatch(/same node\.id/);
    expect(refusal(() => clusterIdentity(fresh.slice(0, 2)))).toMatch(/3 or 5 servers, not 2/);
  });

  it('reads meta.properties', () => {
    expect(
      parseMetaProperties(`#\n#Thu\nnode.id=3\ndirectory.id=abc\nversion=1\ncluster.id=${ID}\n`),
    ).toEqual({ clusterId: ID, nodeId: 3 });
    expect(parseMetaProperties('version=1\n')).toBeNull();
  });

  it('plans every server with the same id and quorum, naming the server a refusal is about', () => {
    const servers = ['10.0.0.11', '10.0.0.12', '10.0.0.13'].map((ip): ClusterServer => ({
      label: ip,
      advertise: ip,
      facts: freshFacts(),
      session: {} as ClusterServer['session'],
    }));
    const { mode, kafkaVersion, source } = base;
    const plans = planCluster(
      servers,
      { clusterId: ID, nodeIds: [1, 2, 3] },
      { mode, kafkaVersion, source },
    );
    expect(plans).toHaveLength(3);
    expect(plans.map((p) => p.steps.find((s) => s.id === 'format')?.title)).toEqual([
      `Format the KRaft storage for cluster ${ID} as node 1 (once)`,
      `Format the KRaft storage for cluster ${ID} as node 2 (once)`,
      `Format the KRaft storage for cluster ${ID} as node 3 (once)`,
    ]);
    const busy = servers.map((s, i) =>
      i === 2 ? { ...s, facts: { ...freshFacts(), portsInUse: [9093] } } : s,
    );
    expect(
      refusal(() =>
        planCluster(busy, { clusterId: ID, nodeIds: [1, 2, 3] }, { mode, kafkaVersion, source }),
      ),
    ).toMatch(/^10\.0\.0\.13: TCP port 9093/);
  });
});

describe('the controller quorum, as kafka-metadata-quorum.sh reports it', () => {
  const table4 = [
    'NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t',
    '1     \tAAAAAAAAAAAAAAAAAAAAAA\t317         \t0  \t1733363351000     \t1733363351000        \tLeader  \t',
    '2     \tBBBBBBBBBBBBBBBBBBBBBB\t317         \t0  \t1733363350900     \t1733363350900        \tFollower\t',
    '3     \tCCCCCCCCCCCCCCCCCCCCCC\t310         \t7  \t1733363350800     \t1733363350800        \tFollower\t',
  ].join('\n');

  it('finds the leader and each voter’s lag (4.x columns; 3.x has no DirectoryId)', () => {
    const q = parseQuorumReplication(table4);
    expect(q.leaderId).toBe(1);
    expect(q.members.map((m) => [m.nodeId, m.lag, m.status])).toEqual([
      [1, 0, 'Leader'],
      [2, 0, 'Follower'],
      [3, 7, 'Follower'],
    ]);
    const three = parseQuorumReplication(
      'NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus\n2\t9\t0\t1\t1\tLeader\n',
    );
    expect(three).toEqual({ leaderId: 2, members: [{ nodeId: 2, lag: 0, status: 'Leader' }] });
    expect(parseQuorumReplication('Error: timed out')).toEqual({ leaderId: null, members: [] });
  });

  it('says what is not right: no leader, a node not a voter, a voter behind', () => {
    const q = parseQuorumReplication(table4);
    expect(quorumProblem(q, [1, 2, 3])).toBe(
      'Voter 3 (7 behind) has not caught up with the leader.',
    );
    expect(quorumProblem(q, [1, 2, 3, 4])).toBe('Node 4 is not a voter of the controller quorum.');
    expect(quorumProblem({ leaderId: null, members: [] }, [1])).toBe(
      'The controller quorum has no leader.',
    );
    expect(
      quorumProblem(
        parseQuorumReplication(table4.replace('310         \t7', '317         \t0')),
        [1, 2, 3],
      ),
    ).toBeNull();
  });
});
