import path from 'node:path';
import { HOST } from './ports.js';

/** Paths inside a .properties file: backslashes are escapes there, so use forward slashes. */
export function propertiesPath(p: string): string {
  return p.split(path.sep).join('/');
}

function properties(entries: ReadonlyArray<readonly [string, string | number]>): string {
  return `${entries.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

/** Settings for a single-node dev/test broker: everything replicated once, groups start at once. */
export const SINGLE_NODE: ReadonlyArray<readonly [string, string | number]> = [
  ['num.partitions', 1],
  ['default.replication.factor', 1],
  ['offsets.topic.replication.factor', 1],
  // one node: 50 partitions for group offsets only slow down the first consumer group
  ['offsets.topic.num.partitions', 5],
  ['transaction.state.log.replication.factor', 1],
  ['transaction.state.log.min.isr', 1],
  ['min.insync.replicas', 1],
  ['group.initial.rebalance.delay.ms', 0],
  ['auto.create.topics.enable', 'true'],
  ['delete.topic.enable', 'true'],
];

export function kraftServerProperties(o: {
  port: number;
  controllerPort: number;
  logDir: string;
}): string {
  return properties([
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${HOST}:${o.controllerPort}`],
    ['listeners', `PLAINTEXT://${HOST}:${o.port},CONTROLLER://${HOST}:${o.controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${HOST}:${o.port}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', propertiesPath(o.logDir)],
    ...SINGLE_NODE,
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
  ]);
}

export function zookeeperServerProperties(o: {
  port: number;
  zookeeperPort: number;
  logDir: string;
}): string {
  return properties([
    ['broker.id', 0],
    ['zookeeper.connect', `${HOST}:${o.zookeeperPort}`],
    ['zookeeper.connection.timeout.ms', 18000],
    ['listeners', `PLAINTEXT://${HOST}:${o.port}`],
    ['advertised.listeners', `PLAINTEXT://${HOST}:${o.port}`],
    ['log.dirs', propertiesPath(o.logDir)],
    ...SINGLE_NODE,
  ]);
}

export function zookeeperProperties(o: { zookeeperPort: number; dataDir: string }): string {
  return properties([
    ['dataDir', propertiesPath(o.dataDir)],
    ['clientPort', o.zookeeperPort],
    ['clientPortAddress', HOST],
    ['maxClientCnxns', 0],
    ['admin.enableServer', 'false'],
    ['4lw.commands.whitelist', 'ruok,srvr'],
  ]);
}

/** Log4j 2 config (Kafka 4.x): everything at INFO to stdout, which the launcher sends to a file. */
export const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
`;

/** Log4j 1 (reload4j) config (Kafka 3.9 and ZooKeeper 3.8 on it). */
export const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.zookeeper=INFO
`;
