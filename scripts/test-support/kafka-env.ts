/**
 * Which real brokers a test may use. The Vitest global setup (global-kafka.ts) starts a
 * KRaft broker (Kafka 4.1.1) and a ZooKeeper-mode broker (Kafka 3.9.1) and hands their
 * bootstrap addresses to the tests both through Vitest's provide/inject and through the
 * environment variables below. Integration tests run over both:
 *
 *   describe.each(kafkaModes())('streaming on $mode', ({ mode, bootstrap }) => { … });
 *
 * With KVS_NO_KAFKA=1 nothing is started and kafkaModes() is empty: guard such a file with
 * describe.skipIf(!hasKafka()) so it still has a (skipped) suite.
 */
import { inject } from 'vitest';
import type { KafkaMode } from '../local-kafka/versions.js';
import {
  KRAFT_BOOTSTRAP_ENV,
  KRAFT_BOOTSTRAP_ENV_ALT,
  NO_KAFKA_ENV,
  ZK_BOOTSTRAP_ENV,
  ZK_BOOTSTRAP_ENV_ALT,
} from './global-kafka.js';

export { KRAFT_BOOTSTRAP_ENV, NO_KAFKA_ENV, ZK_BOOTSTRAP_ENV };

declare module 'vitest' {
  export interface ProvidedContext {
    /** 127.0.0.1:<port> of the KRaft broker, or null when Kafka is off (KVS_NO_KAFKA=1). */
    kvsKafkaKraftBootstrap: string | null;
    /** 127.0.0.1:<port> of the ZooKeeper-mode broker, or null when Kafka is off. */
    kvsKafkaZkBootstrap: string | null;
  }
}

export interface KafkaTarget {
  mode: KafkaMode;
  bootstrap: string;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

function provided(key: 'kvsKafkaKraftBootstrap' | 'kvsKafkaZkBootstrap'): string | undefined {
  try {
    return nonEmpty(inject(key));
  } catch {
    return undefined; // not inside a Vitest worker
  }
}

/** The brokers to test against, KRaft first; empty when Kafka is off. */
export function kafkaModes(): KafkaTarget[] {
  if (process.env[NO_KAFKA_ENV] === '1') return [];
  const kraft =
    provided('kvsKafkaKraftBootstrap') ??
    nonEmpty(process.env[KRAFT_BOOTSTRAP_ENV]) ??
    nonEmpty(process.env[KRAFT_BOOTSTRAP_ENV_ALT]);
  const zookeeper =
    provided('kvsKafkaZkBootstrap') ??
    nonEmpty(process.env[ZK_BOOTSTRAP_ENV]) ??
    nonEmpty(process.env[ZK_BOOTSTRAP_ENV_ALT]);
  const targets: KafkaTarget[] = [];
  if (kraft !== undefined) targets.push({ mode: 'kraft', bootstrap: kraft });
  if (zookeeper !== undefined) targets.push({ mode: 'zookeeper', bootstrap: zookeeper });
  return targets;
}

export function hasKafka(): boolean {
  return kafkaModes().length > 0;
}
