import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two ways a local broker can run: Kafka 4 (KRaft only) or Kafka 3.9 with ZooKeeper. */
export type KafkaMode = 'kraft' | 'zookeeper';
export const KAFKA_MODES: readonly KafkaMode[] = ['kraft', 'zookeeper'];

export interface Distribution {
  readonly mode: KafkaMode;
  /** Exact Apache Kafka version; must equal <kafka.version> in the pom. */
  readonly kafkaVersion: string;
  /** Exact ZooKeeper version (zookeeper mode only); must equal <zookeeper.version> in the pom. */
  readonly zookeeperVersion?: string;
  /** The pom listing the jars (scripts/kafka/<mode>/pom.xml). */
  readonly pomFile: string;
  /** Which logging backend the jars carry, so the right config file is written. */
  readonly logging: 'log4j2' | 'reload4j';
}

const kafkaPomDir = fileURLToPath(new URL('../kafka/', import.meta.url));

/** Pinned versions. Change them here and in scripts/kafka/<mode>/pom.xml together. */
export const DISTRIBUTIONS: Readonly<Record<KafkaMode, Distribution>> = {
  kraft: {
    mode: 'kraft',
    kafkaVersion: '4.1.1',
    pomFile: path.join(kafkaPomDir, 'kraft', 'pom.xml'),
    logging: 'log4j2',
  },
  zookeeper: {
    mode: 'zookeeper',
    kafkaVersion: '3.9.1',
    zookeeperVersion: '3.8.4',
    pomFile: path.join(kafkaPomDir, 'zookeeper', 'pom.xml'),
    logging: 'reload4j',
  },
};

export function isKafkaMode(value: string): value is KafkaMode {
  return (KAFKA_MODES as readonly string[]).includes(value);
}

export const DEFAULT_PORT = 9092;
export const DEFAULT_NAME = 'default';
