// The config/ files of a packed Kafka distribution: server.properties, zookeeper.properties, log4j.
import { type KafkaMode } from './versions.js';

export function props(entries: ReadonlyArray<readonly [string, string | number]>, comment: string): string {
  return `# ${comment}\n${entries.map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

const SINGLE_NODE: ReadonlyArray<readonly [string, string | number]> = [
  ['num.network.threads', 3],
  ['num.io.threads', 8],
  ['socket.send.buffer.bytes', 102400],
  ['socket.receive.buffer.bytes', 102400],
  ['socket.request.max.bytes', 104857600],
  ['num.partitions', 1],
  ['num.recovery.threads.per.data.dir', 1],
  ['offsets.topic.replication.factor', 1],
  ['transaction.state.log.replication.factor', 1],
  ['transaction.state.log.min.isr', 1],
  ['log.retention.hours', 168],
  ['log.segment.bytes', 1073741824],
  ['log.retention.check.interval.ms', 300000],
];

/** config/server.properties as the distribution ships it for `mode`. */
export function distributionServerProperties(mode: KafkaMode): string {
  if (mode === 'kraft') {
    return props(
      [
        ['process.roles', 'broker,controller'],
        ['node.id', 1],
        ['controller.quorum.bootstrap.servers', 'localhost:9093'],
        ['listeners', 'PLAINTEXT://:9092,CONTROLLER://:9093'],
        ['inter.broker.listener.name', 'PLAINTEXT'],
        ['advertised.listeners', 'PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093'],
        ['controller.listener.names', 'CONTROLLER'],
        [
          'listener.security.protocol.map',
          'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
        ],
        ['log.dirs', '/tmp/kraft-combined-logs'],
        ...SINGLE_NODE,
        ['share.coordinator.state.topic.replication.factor', 1],
        ['share.coordinator.state.topic.min.isr', 1],
      ],
      'KRaft combined broker + controller (format first: bin/kafka-storage.sh format -t "$(bin/kafka-storage.sh random-uuid)" -c config/server.properties --standalone)',
    );
  }
  return props(
    [
      ['broker.id', 0],
      ['listeners', 'PLAINTEXT://:9092'],
      ['log.dirs', '/tmp/kafka-logs'],
      ...SINGLE_NODE,
      ['zookeeper.connect', 'localhost:2181'],
      ['zookeeper.connection.timeout.ms', 18000],
      ['group.initial.rebalance.delay.ms', 0],
    ],
    'Kafka broker using ZooKeeper at localhost:2181 (start bin/zookeeper-server-start.sh config/zookeeper.properties first)',
  );
}

export const DISTRIBUTION_ZOOKEEPER_PROPERTIES = props(
  [
    ['dataDir', '/tmp/zookeeper'],
    ['clientPort', 2181],
    ['maxClientCnxns', 0],
    ['admin.enableServer', 'false'],
  ],
  'ZooKeeper for a single Kafka broker',
);

export const LOG4J2_SERVER = `status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
appender.server.type = RollingFile
appender.server.name = SERVER
appender.server.fileName = \${sys:kafka.logs.dir}/server.log
appender.server.filePattern = \${sys:kafka.logs.dir}/server.log.%d{yyyy-MM-dd-HH}
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n
appender.server.policies.type = Policies
appender.server.policies.time.type = TimeBasedTriggeringPolicy
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
rootLogger.appenderRef.server.ref = SERVER
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = INFO
`;

export const LOG4J2_TOOLS = `status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
`;

export const LOG4J_SERVER = `log4j.rootLogger=INFO, stdout, kafkaAppender
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.kafkaAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.kafkaAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.kafkaAppender.File=\${kafka.logs.dir}/server.log
log4j.appender.kafkaAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.kafkaAppender.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.zookeeper=INFO
`;

export const LOG4J_TOOLS = `log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
`;
