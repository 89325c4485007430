// The shapes of a local broker instance: start options, what start/status/stop return, the log.
import { type Env } from './tools.js';
import { type KafkaMode } from './versions.js';

export type Log = (line: string) => void;

export interface StartOptions {
  /** Instance name (default "default"); each has its own folder, ports and processes. */
  name?: string;
  /** Default 'kraft' (Kafka 4). 'zookeeper' runs Kafka 3.9 with its ZooKeeper. */
  mode?: KafkaMode;
  /** Client port on 127.0.0.1 (default 9092). */
  port?: number;
  /** Throw away the instance's data (topics, offsets) before starting. */
  fresh?: boolean;
  /** Environment used to find java / mvn and passed to them (default process.env). */
  env?: Env;
  /** Progress lines (default: stderr). */
  log?: Log;
  /** How long to wait for the broker to answer (default 90 s). */
  timeoutMs?: number;
}

export interface BrokerPids {
  broker?: number;
  zookeeper?: number;
}

export interface BrokerInfo {
  name: string;
  mode: KafkaMode;
  kafkaVersion: string;
  zookeeperVersion?: string;
  /** "127.0.0.1:<port>" */
  bootstrap: string;
  port: number;
  pids: BrokerPids;
  /** The instance folder: data, configs, logs, state.json. */
  stateDir: string;
  logFiles: string[];
}

export interface StartResult extends BrokerInfo {
  /** True when it was running already and nothing was started. */
  alreadyRunning: boolean;
  elapsedMs: number;
}

export interface BrokerStatus {
  name: string;
  stateDir: string;
  running: boolean;
  /** Known when the instance was ever started. */
  info?: BrokerInfo;
}

export interface StopResult {
  name: string;
  /** Processes that were ended (empty when nothing was running). */
  stopped: number[];
  /** Processes that had to be killed with SIGKILL after the grace period. */
  killed: number[];
}
