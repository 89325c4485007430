/**
 * A real three-node KRaft cluster (Kafka 4.1.1, each node a combined broker + controller with a
 * static quorum, as `kvs setup-cluster` installs it: electron/core/setup/config.ts) on this machine,
 * for tests of what a client sees when one node goes: each node in a network namespace of its own
 * on one Linux bridge, so a node can be SIGKILLed (and started again on its data) or cut off the
 * network (its bridge port down: its TCP connections hang rather than refuse).
 *
 * - a bridge `kvs-v<N>-br` on a free 10.232.N.0/24 (reserveSubnet(); the reservation veth stays
 *   until close); this machine is 10.232.N.1, node i is 10.232.N.(10+i), clients on :9092, the
 *   controller on :9093. Replication factor 3 and min.insync.replicas 2 for new topics.
 * - data, logs and configs in one temp folder; every broker started with `ip netns exec`
 *   (netns-kafka.ts's spawnBrokerInNamespace), so it runs in this machine's filesystem.
 *
 * Much lighter than netns-servers.ts + the SSH install (no sshd, no copies of /etc): a few seconds
 * to start. close() kills whatever runs in the namespaces, removes them, the veths, the bridge and
 * the folder (idempotent, best effort). Plain Node (no Vitest). Needs Linux, root, java and the
 * cached Kafka 4.1.1 jars: check kraftInNamespaceSkipReason() first.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LOG4J2_PROPERTIES, propertiesPath } from '../local-kafka/config.js';
import { describeClusterOnce } from '../local-kafka/readiness.js';
import { randomClusterId } from '../local-kafka/storage-format.js';
import {
  cachedKraftLibs,
  delay,
  formatKraftStorage,
  javaPath,
  spawnBrokerInNamespace,
  step,
  waitForBroker,
  type BrokerProcess,
} from './netns-kafka.js';
import { SANDBOX_NET, reserveSubnet, sh } from './netns-subnet.js';

export { kraftInNamespaceSkipReason } from './netns-kafka.js';

const START_TIMEOUT_MS = 90_000;

export interface ClusterNode {
  readonly nodeId: number;
  readonly address: string;
  readonly ns: string;
  /** The running broker's JVM pid (null while stopped). */
  pid(): number | null;
  /** SIGKILL of the JVM (no clean shutdown: as a crash or a power cut). */
  kill(): Promise<void>;
  /** Starts the node again on its data; resolves once it runs (not once it is back in sync). */
  start(): Promise<void>;
  /** The node's bridge port down: nothing reaches it, it reaches nothing; connections hang. */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  log(): string;
}

export interface KraftCluster {
  /** Every node's client address, comma separated. */
  readonly bootstrap: string;
  readonly nodes: readonly ClusterNode[];
  readonly clusterId: string;
  close(): Promise<void>;
}

/** Starts three nodes and resolves once the cluster's metadata lists all three. */
export async function startKraftCluster(opts: { prefix?: string } = {}): Promise<KraftCluster> {
  const prefix = opts.prefix ?? 'kvs-kc';
  if (!/^kvs[a-z0-9-]{0,10}$/.test(prefix)) throw new Error(`bad prefix ${prefix}`);
  const java = javaPath() ?? 'java';
  const libs = cachedKraftLibs() ?? '';
  const rand = randomBytes(3).toString('hex');
  const clusterId = randomClusterId();
  const count = 3;
  let dir = '';
  let reservation = '';
  let bridge = '';
  let bridgeMade = false;
  const made: Array<{ ns: string; hostVeth: string; nsMade: boolean; vethMade: boolean }> = [];
  const brokers = new Map<number, BrokerProcess>();
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all([...brokers.values()].map((b) => step(() => b.stop())));
      for (const m of made) {
        if (m.nsMade)
          await step(async () => {
            for (let i = 0; i < 30; i++) {
              const pids = (await sh('ip', ['netns', 'pids', m.ns]))
                .split(/\s+/)
                .filter(Boolean)
                .map(Number);
              if (pids.length === 0) break;
              for (const pid of pids) await step(() => process.kill(pid, 'SIGKILL'));
              await delay(100);
            }
          });
        if (m.vethMade) await step(() => sh('ip', ['link', 'del', m.hostVeth]));
        if (m.nsMade) await step(() => sh('ip', ['netns', 'del', m.ns]));
      }
      if (bridgeMade) await step(() => sh('ip', ['link', 'del', bridge]));
      if (reservation) await step(() => sh('ip', ['link', 'del', reservation]));
      if (dir) await step(() => rm(dir, { recursive: true, force: true }));
    })();
    return closing;
  };

  try {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-cluster-`));
    const net = await reserveSubnet();
    reservation = net.vethHost;
    const base = `${SANDBOX_NET}.${net.octet}`;
    bridge = `kvs-v${net.octet}-br`;
    await sh('ip', ['link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0']);
    bridgeMade = true;
    await sh('ip', ['addr', 'add', `${base}.1/24`, 'dev', bridge]);
    await sh('ip', ['link', 'set', bridge, 'up']);

    const addresses = [...Array(count).keys()].map((i) => `${base}.${11 + i}`);
    const voters = addresses.map((a, i) => `${i + 1}@${a}:9093`).join(',');
    const logConfig = path.join(dir, 'log4j2.properties');
    await writeFile(logConfig, LOG4J2_PROPERTIES);

    const nodes: ClusterNode[] = [];
    for (let i = 0; i < count; i++) {
      const nodeId = i + 1;
      const address = addresses[i] ?? '';
      const ns = `${prefix}-${rand}-${nodeId}`;
      const hostVeth = `kvs-v${net.octet}-c${nodeId}`;
      const nsVeth = `kvs-v${net.octet}-d${nodeId}`;
      const m = { ns, hostVeth, nsMade: false, vethMade: false };
      made.push(m);
      await sh('ip', ['netns', 'add', ns]);
      m.nsMade = true;
      await sh('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth]);
      m.vethMade = true;
      await sh('ip', ['link', 'set', hostVeth, 'master', bridge]);
      await sh('ip', ['link', 'set', hostVeth, 'up']);
      await sh('ip', ['link', 'set', nsVeth, 'netns', ns]);
      await sh('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', nsVeth]);
      await sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', nsVeth, 'up']);
      await sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

      const nodeDir = path.join(dir, `node-${nodeId}`);
      const logDir = path.join(nodeDir, 'data');
      await mkdir(logDir, { recursive: true });
      const propsFile = path.join(nodeDir, 'server.properties');
      await writeFile(propsFile, nodeProperties({ nodeId, address, voters, logDir }));
      const start = async (): Promise<void> => {
        const b = spawnBrokerInNamespace({
          ns,
          java,
          libs,
          dir: nodeDir,
          propsFile,
          logConfig,
          marker: `-Dkvs.kraft-cluster=${nodeDir}`,
        });
        brokers.set(nodeId, b);
        await delay(500);
        b.checkAlive();
      };
      nodes.push({
        nodeId,
        address,
        ns,
        pid: () => brokers.get(nodeId)?.pid ?? null,
        kill: async () => {
          const b = brokers.get(nodeId);
          brokers.delete(nodeId);
          if (b === undefined) return;
          process.kill(b.pid, 'SIGKILL');
          await b.stop(); // reaps it (already dead: returns at once)
        },
        start,
        linkDown: async () => void (await sh('ip', ['link', 'set', hostVeth, 'down'])),
        linkUp: async () => void (await sh('ip', ['link', 'set', hostVeth, 'up'])),
        log: () => brokers.get(nodeId)?.log() ?? '',
      });
      await formatKraftStorage({ java, libs, logConfig, clusterId, propsFile });
    }
    for (const n of nodes) await n.start();
    const bootstrap = addresses.map((a) => `${a}:9092`).join(',');
    const deadline = Date.now() + START_TIMEOUT_MS;
    const first = brokers.get(1);
    if (first === undefined) throw new Error('node 1 did not start');
    await waitForBroker(
      first,
      async () => {
        for (const b of brokers.values()) b.checkAlive();
        const c = await describeClusterOnce(`${addresses[0] ?? ''}:9092`);
        return c !== null && c.brokers.length === count && c.controller !== null;
      },
      `all ${count} nodes in the metadata within ${START_TIMEOUT_MS / 1000} s`,
      deadline,
    );
    return { bootstrap, nodes, clusterId, close };
  } catch (e) {
    await close();
    throw e;
  }
}

function nodeProperties(o: {
  nodeId: number;
  address: string;
  voters: string;
  logDir: string;
}): string {
  const entries: Array<readonly [string, string | number]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', o.nodeId],
    ['controller.quorum.voters', o.voters],
    ['listeners', `PLAINTEXT://${o.address}:9092,CONTROLLER://${o.address}:9093`],
    ['advertised.listeners', `PLAINTEXT://${o.address}:9092`],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', propertiesPath(o.logDir)],
    ['num.recovery.threads.per.data.dir', 1],
    ['group.initial.rebalance.delay.ms', 0],
    ['num.partitions', 1],
    ['default.replication.factor', 3],
    ['min.insync.replicas', 2],
    ['offsets.topic.replication.factor', 3],
    ['transaction.state.log.replication.factor', 3],
    ['transaction.state.log.min.isr', 2],
    ['share.coordinator.state.topic.replication.factor', 3],
    ['share.coordinator.state.topic.min.isr', 2],
  ];
  return `${entries.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}
