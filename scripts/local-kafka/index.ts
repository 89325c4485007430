/**
 * A local Apache Kafka for development and tests, started from jars that Maven fetches
 * from Maven Central: KRaft mode (Kafka 4) or ZooKeeper mode (Kafka 3.9 + ZooKeeper).
 * The CLI is scripts/local-kafka.ts (`npm run kafka -- start|stop|restart|status`).
 */
export {
  brokerStatus,
  listInstances,
  randomClusterId,
  restartBroker,
  startBroker,
  startFreshBroker,
  stopBroker,
  type BrokerInfo,
  type BrokerPids,
  type BrokerStatus,
  type Log,
  type StartOptions,
  type StartResult,
  type StopResult,
} from './broker.js';
export { cacheRoot, ensureKafkaLibs, libsDir } from './install.js';
export { assertPortFree, freePort, freePorts, isPortFree, HOST } from './ports.js';
export { isAlive } from './processes.js';
export { readState, stateDir, type BrokerState } from './state.js';
export { findJava, findMaven, parseJavaMajorVersion, type Env } from './tools.js';
export {
  DEFAULT_NAME,
  DEFAULT_PORT,
  DISTRIBUTIONS,
  KAFKA_MODES,
  isKafkaMode,
  type Distribution,
  type KafkaMode,
} from './versions.js';
