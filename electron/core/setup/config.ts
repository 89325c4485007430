/**
 * Pure text generators for the files the setup wizard writes on the server:
 * server.properties, zookeeper.properties and the systemd units. Inputs are already
 * validated (validate.ts), so no value here can break out of its line.
 */
import type { KafkaVersion } from '../../shared/setup-validate.js';

export type KafkaModeChoice = 'kraft' | 'zookeeper';

/** The fixed layout on the server. */
export const LAYOUT = {
  dataDir: '/var/lib/kafka/data',
  stateDir: '/var/lib/kafka',
  zookeeperDataDir: '/var/lib/kafka/zookeeper',
  logDir: '/var/log/kafka',
  stagingDir: '/var/tmp/kvs-setup',
  unitDir: '/etc/systemd/system',
  kafkaUnit: 'kafka.service',
  /** ZooKeeper bundled with Kafka (when apt has no zookeeperd). */
  bundledZookeeperUnit: 'kafka-zookeeper.service',
  /** The unit the zookeeperd package installs. */
  zookeeperdUnit: 'zookeeper.service',
  kafkaPidFile: '/var/lib/kafka/kafka.pid',
  zookeeperPidFile: '/var/lib/kafka/zookeeper.pid',
  kafkaOutFile: '/var/log/kafka/kafka.out',
  zookeeperOutFile: '/var/log/kafka/zookeeper.out',
  user: 'kafka',
  clientPort: 9092,
  controllerPort: 9093,
  /** Secure install: PLAINTEXT for inter-broker traffic and local tools, on 127.0.0.1 only. */
  internalPort: 9091,
  /** Secure install: the CA and the server's keystore (root:kafka 0750). */
  tlsDir: '/var/lib/kafka/tls',
  /** Secure install: which SCRAM user was set with which password (a PBKDF2 fingerprint; kafka 0600). */
  scramMarker: '/var/lib/kafka/scram-login',
  zookeeperPort: 2181,
  heapOpts: '-Xmx1G -Xms1G',
  zookeeperHeapOpts: '-Xmx512M -Xms512M',
} as const;

export function atLeast(v: KafkaVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

function properties(
  comment: string,
  entries: ReadonlyArray<readonly [string, string | number]>,
): string {
  return `# ${comment}\n${entries.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

export interface ServerPropertiesOptions {
  mode: KafkaModeChoice;
  kafkaVersion: KafkaVersion;
  /** The IPv4 clients connect to (validated). */
  advertise: string;
  /** Default LAYOUT.dataDir. */
  logDirs?: string;
  /** zookeeper mode: default localhost:2181. */
  zookeeperConnect?: string;
  /**
   * TLS + SCRAM login: clients on SASL_SSL (SCRAM-SHA-512) at advertise:9092 with the keystore
   * (PEM: key, certificate, CA); inter-broker traffic and the KRaft controller on PLAINTEXT bound to
   * 127.0.0.1 only. Absent: PLAINTEXT everywhere, as before.
   */
  secure?: { keystore: string };
  /**
   * One node of a KRaft cluster (issue 16): combined broker + controller with its own node.id and a
   * static controller quorum of every node (controller.quorum.voters id@address:9093). Absent: a
   * single node, as before.
   */
  cluster?: ClusterNodeConfig;
}

export interface ClusterNodeConfig {
  readonly nodeId: number;
  /** Every node of the cluster (this one included): its node.id and IPv4. */
  readonly voters: readonly { readonly nodeId: number; readonly host: string }[];
}

/** controller.quorum.voters: `1@10.0.0.11:9093,2@…` (node.id order). */
export function quorumVoters(voters: ClusterNodeConfig['voters']): string {
  return [...voters]
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((v) => `${v.nodeId}@${v.host}:${LAYOUT.controllerPort}`)
    .join(',');
}

/**
 * server.properties for one node of a KRaft cluster: combined broker + controller; the static
 * quorum (every node a voter, addressed where the other nodes reach it); clients on
 * PLAINTEXT://advertise:9092 and the controller listener NOT advertised (a controller in
 * advertised.listeners is a classic mistake: clients would be sent there); replication factor
 * min(3, nodes) and min.insync.replicas 2 from three nodes on, for new topics and the internal ones.
 */
function clusterServerProperties(
  o: ServerPropertiesOptions & { cluster: ClusterNodeConfig },
): string {
  const n = o.cluster.voters.length;
  const rf = Math.min(3, n);
  const isr = n >= 3 ? 2 : 1;
  const four = atLeast(o.kafkaVersion, 4, 0);
  return properties(
    `Kafka ${o.kafkaVersion.text}, KRaft cluster node ${o.cluster.nodeId} of ${n} (combined broker + controller), written by Kafka Video Studio`,
    [
      ['process.roles', 'broker,controller'],
      ['node.id', o.cluster.nodeId],
      ['controller.quorum.voters', quorumVoters(o.cluster.voters)],
      [
        'listeners',
        `PLAINTEXT://0.0.0.0:${LAYOUT.clientPort},CONTROLLER://0.0.0.0:${LAYOUT.controllerPort}`,
      ],
      ['advertised.listeners', `PLAINTEXT://${o.advertise}:${LAYOUT.clientPort}`],
      ['inter.broker.listener.name', 'PLAINTEXT'],
      ['controller.listener.names', 'CONTROLLER'],
      ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
      ['log.dirs', o.logDirs ?? LAYOUT.dataDir],
      ['num.recovery.threads.per.data.dir', 1],
      ['log.retention.hours', 168],
      ['log.segment.bytes', 1073741824],
      ['log.retention.check.interval.ms', 300000],
      ['group.initial.rebalance.delay.ms', 0],
      ['num.partitions', 1],
      ['default.replication.factor', rf],
      ['min.insync.replicas', isr],
      ['offsets.topic.replication.factor', rf],
      ['transaction.state.log.replication.factor', rf],
      ['transaction.state.log.min.isr', isr],
      ...(four
        ? ([
            ['share.coordinator.state.topic.replication.factor', rf],
            ['share.coordinator.state.topic.min.isr', isr],
          ] as const)
        : []),
    ],
  );
}

type Entry = readonly [string, string | number];

/** The listener lines of a secure install (see ServerPropertiesOptions.secure). */
function secureListeners(
  o: ServerPropertiesOptions & { secure: { keystore: string } },
  kraft: { dynamic: boolean } | null,
): Entry[] {
  const internal = `INTERNAL://127.0.0.1:${LAYOUT.internalPort}`;
  const controller = `CONTROLLER://127.0.0.1:${LAYOUT.controllerPort}`;
  const listeners = [`SASL_SSL://0.0.0.0:${LAYOUT.clientPort}`, internal];
  const advertised = [`SASL_SSL://${o.advertise}:${LAYOUT.clientPort}`, internal];
  const map = ['SASL_SSL:SASL_SSL', 'INTERNAL:PLAINTEXT'];
  if (kraft !== null) {
    listeners.push(controller);
    if (kraft.dynamic) advertised.push(controller);
    map.push('CONTROLLER:PLAINTEXT');
  }
  return [
    ['listeners', listeners.join(',')],
    ['advertised.listeners', advertised.join(',')],
    ['inter.broker.listener.name', 'INTERNAL'],
    ...(kraft === null ? [] : ([['controller.listener.names', 'CONTROLLER']] as const)),
    ['listener.security.protocol.map', map.join(',')],
    // KIP-651: a PEM keystore (unencrypted PKCS#8 key + certificate chain), so no ssl.key.password
    ['ssl.keystore.type', 'PEM'],
    ['ssl.keystore.location', o.secure.keystore],
    ['ssl.client.auth', 'none'],
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
    [
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config',
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ],
  ];
}

/**
 * server.properties for a single node (a secure install: see ServerPropertiesOptions.secure). KRaft: combined broker+controller; the controller
 * quorum is addressed on 127.0.0.1 (the node talks to itself, which works even when the
 * advertised address is a NAT/public address not bound on the server). Kafka 4.x uses the
 * dynamic quorum (controller.quorum.bootstrap.servers, formatted --standalone); 3.3–3.9 the
 * static controller.quorum.voters.
 */
export function serverProperties(o: ServerPropertiesOptions): string {
  if (o.cluster !== undefined) return clusterServerProperties({ ...o, cluster: o.cluster });
  const logDirs = o.logDirs ?? LAYOUT.dataDir;
  const client = `PLAINTEXT://${o.advertise}:${LAYOUT.clientPort}`;
  const rf1: Entry[] = [
    ['num.partitions', 1],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
  ];
  const common: Entry[] = [
    ['log.dirs', logDirs],
    ['num.recovery.threads.per.data.dir', 1],
    ['log.retention.hours', 168],
    ['log.segment.bytes', 1073741824],
    ['log.retention.check.interval.ms', 300000],
    ['group.initial.rebalance.delay.ms', 0],
  ];
  if (o.mode === 'kraft') {
    const dynamic = atLeast(o.kafkaVersion, 4, 0);
    const controller = `127.0.0.1:${LAYOUT.controllerPort}`;
    return properties(
      `Kafka ${o.kafkaVersion.text}, KRaft combined broker + controller, written by Kafka Video Studio`,
      [
        ['process.roles', 'broker,controller'],
        ['node.id', 1],
        dynamic
          ? ['controller.quorum.bootstrap.servers', controller]
          : ['controller.quorum.voters', `1@${controller}`],
        ...(o.secure !== undefined
          ? secureListeners({ ...o, secure: o.secure }, { dynamic })
          : ([
              [
                'listeners',
                `PLAINTEXT://0.0.0.0:${LAYOUT.clientPort},CONTROLLER://0.0.0.0:${LAYOUT.controllerPort}`,
              ],
              ['advertised.listeners', dynamic ? `${client},CONTROLLER://${controller}` : client],
              ['inter.broker.listener.name', 'PLAINTEXT'],
              ['controller.listener.names', 'CONTROLLER'],
              ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
            ] as const)),
        ...common,
        ...rf1,
        ...(dynamic
          ? ([
              ['share.coordinator.state.topic.replication.factor', 1],
              ['share.coordinator.state.topic.min.isr', 1],
            ] as const)
          : []),
      ],
    );
  }
  return properties(`Kafka ${o.kafkaVersion.text} with ZooKeeper, written by Kafka Video Studio`, [
    ['broker.id', 0],
    ...(o.secure !== undefined
      ? secureListeners({ ...o, secure: o.secure }, null)
      : ([
          ['listeners', `PLAINTEXT://0.0.0.0:${LAYOUT.clientPort}`],
          ['advertised.listeners', client],
        ] as const)),
    ['zookeeper.connect', o.zookeeperConnect ?? `localhost:${LAYOUT.zookeeperPort}`],
    ['zookeeper.connection.timeout.ms', 18000],
    ...common,
    ...rf1,
  ]);
}

/** zookeeper.properties for the ZooKeeper bundled with Kafka: local clients only, no admin server. */
export function zookeeperProperties(dataDir: string = LAYOUT.zookeeperDataDir): string {
  return properties('ZooKeeper bundled with Kafka, written by Kafka Video Studio', [
    ['dataDir', dataDir],
    ['clientPort', LAYOUT.zookeeperPort],
    ['clientPortAddress', '127.0.0.1'],
    ['maxClientCnxns', 0],
    ['admin.enableServer', 'false'],
  ]);
}

export interface UnitOptions {
  installDir: string;
  javaHome: string;
  kafkaVersion: string;
  /** kafka.service: the ZooKeeper unit it needs (zookeeper mode), null for KRaft. */
  requires?: string | null;
}

function unit(
  description: string,
  after: string[],
  env: Array<[string, string]>,
  execStart: string,
  extra: string[],
): string {
  return `# Written by Kafka Video Studio
[Unit]
Description=${description}
Documentation=https://kafka.apache.org/documentation/
Wants=network-online.target
After=${['network-online.target', ...after].join(' ')}
${after.map((u) => `Requires=${u}\n`).join('')}
[Service]
Type=simple
User=${LAYOUT.user}
Group=${LAYOUT.user}
${env.map(([k, v]) => `Environment="${k}=${v}"`).join('\n')}
ExecStart=${execStart}
${extra.join('\n')}
Restart=on-failure
RestartSec=5
LimitNOFILE=100000
# The JVM exits with 143 on SIGTERM.
SuccessExitStatus=143

[Install]
WantedBy=multi-user.target
`;
}

export function kafkaSystemdUnit(o: UnitOptions): string {
  const after = o.requires === undefined || o.requires === null ? [] : [o.requires];
  return unit(
    `Apache Kafka ${o.kafkaVersion}`,
    after,
    [
      ['JAVA_HOME', o.javaHome],
      ['KAFKA_HEAP_OPTS', LAYOUT.heapOpts],
      ['LOG_DIR', LAYOUT.logDir],
    ],
    `${o.installDir}/bin/kafka-server-start.sh ${o.installDir}/config/server.properties`,
    ['TimeoutStopSec=120'],
  );
}

export function zookeeperSystemdUnit(o: UnitOptions): string {
  return unit(
    `Apache ZooKeeper (bundled with Kafka ${o.kafkaVersion})`,
    [],
    [
      ['JAVA_HOME', o.javaHome],
      ['KAFKA_HEAP_OPTS', LAYOUT.zookeeperHeapOpts],
      ['LOG_DIR', LAYOUT.logDir],
    ],
    `${o.installDir}/bin/zookeeper-server-start.sh ${o.installDir}/config/zookeeper.properties`,
    ['TimeoutStopSec=60'],
  );
}
