// What is known of an instance from its state.json: its info and its log files.
import path from 'node:path';
import { type BrokerInfo } from './broker-types.js';
import { type BrokerState } from './state.js';
import { type KafkaMode } from './versions.js';

function logFilesOf(dir: string, mode: KafkaMode): string[] {
  const files = [path.join(dir, 'broker.log')];
  if (mode === 'zookeeper') files.push(path.join(dir, 'zookeeper.log'));
  return files;
}

export function infoOf(state: BrokerState, dir: string): BrokerInfo {
  const info: BrokerInfo = {
    name: state.name,
    mode: state.mode,
    kafkaVersion: state.kafkaVersion,
    bootstrap: state.bootstrap,
    port: state.port,
    pids: { ...state.pids },
    stateDir: dir,
    logFiles: logFilesOf(dir, state.mode),
  };
  if (state.zookeeperVersion !== undefined) info.zookeeperVersion = state.zookeeperVersion;
  return info;
}
