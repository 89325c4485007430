/**
 * kafkajs client construction and error translation. Everything that talks to
 * a broker goes through here so every network step has a time limit and every
 * failure becomes a plain KvsError.
 */
import type { KafkaConfig, LogEntry, Kafka as KafkaClient } from 'kafkajs';
import { Kafka, logLevel } from './kafkajs.js';
import { parseBootstrap } from '../../shared/bootstrap.js';
import { KvsError } from '../../shared/errors.js';
import { topicNameProblem } from '../../shared/topic-name.js';
import type { ConnectionSecurity } from '../../shared/connection-security.js';
import { kafkajsSecurity } from './security.js';

export interface KafkaLogger {
  (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra?: Record<string, unknown>): void;
}

export interface ClientOptions {
  readonly bootstrap: string;
  readonly clientId?: string;
  /** Per TCP connection attempt. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** kafkajs retries per request (with exponential back-off). */
  readonly retries?: number;
  readonly logger?: KafkaLogger;
  /** TLS and SASL (shared/connection-security.ts); absent: PLAINTEXT. */
  readonly security?: ConnectionSecurity;
}

export interface KafkaHandle {
  readonly kafka: KafkaClient;
  readonly brokers: readonly string[];
  readonly bootstrap: string;
}

export function createKafka(opts: ClientOptions): KafkaHandle {
  const parsed = parseBootstrap(opts.bootstrap);
  if (!parsed.ok) throw new KvsError('BOOTSTRAP_INVALID', parsed.error);
  const log = opts.logger;
  const config: KafkaConfig = {
    clientId: opts.clientId ?? 'kafka-video-studio',
    brokers: [...parsed.brokers],
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 15000,
    retry: { initialRetryTime: 150, maxRetryTime: 2000, retries: opts.retries ?? 4 },
    logLevel: log ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!log) return;
      const { message, ...extra } = entry.log;
      const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : entry.level === logLevel.INFO ? 'info' : 'debug';
      log(level, `[${entry.namespace}] ${message}`, extra);
    },
  };
  if (opts.security) Object.assign(config, kafkajsSecurity(opts.security));
  return { kafka: new Kafka(config), brokers: parsed.brokers, bootstrap: parsed.normalized };
}

export { topicNameProblem };

export function assertTopicName(name: unknown): string {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new KvsError('TOPIC_INVALID', problem);
  return name as string;
}

/** Race a promise against a deadline; on expiry reject with a TIMEOUT KvsError saying what took too long. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KvsError('TIMEOUT', `${what} did not finish within ${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s.`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface KafkaJsLikeError {
  name?: string;
  message?: string;
  type?: string;
  code?: string | number;
  cause?: unknown;
  originalError?: unknown;
  retriable?: boolean;
}

function chain(e: unknown): KafkaJsLikeError[] {
  const out: KafkaJsLikeError[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    const err = cur as KafkaJsLikeError;
    out.push(err);
    cur = err.originalError ?? err.cause;
  }
  return out;
}

/**
 * Worth another try later: the broker is gone or restarting (connection refused/closed, timeouts,
 * leadership moving), as kafkajs marks it or as the translated error says. Not: a frame too large,
 * a refused topic name, anything the same request would hit again.
 */
export function isRetriableKafkaError(e: unknown): boolean {
  if (e instanceof KvsError) return e.code === 'BROKER_UNREACHABLE' || e.code === 'TIMEOUT';
  const translated = translateKafkaError(e, { bootstrap: '' }).code;
  if (translated === 'FRAME_TOO_LARGE' || translated === 'TOPIC_INVALID') return false;
  if (translated === 'BROKER_UNREACHABLE' || translated === 'TIMEOUT') return true;
  return chain(e).some((x) => x.retriable === true);
}

/** Translate a kafkajs (or socket) error into a KvsError a person can act on. */
export function translateKafkaError(e: unknown, ctx: { bootstrap: string; topic?: string }): KvsError {
  if (e instanceof KvsError) return e;
  const errs = chain(e);
  const text = errs.map((x) => `${x.name ?? ''} ${x.type ?? ''} ${String(x.code ?? '')} ${x.message ?? ''}`).join(' | ');
  const topic = ctx.topic ? `"${ctx.topic}"` : 'the topic';
  const advice = `Check that Kafka is running and that ${ctx.bootstrap} is the address in the broker's advertised.listeners.`;
  if (/ECONNREFUSED|Connection refused/i.test(text))
    return new KvsError('BROKER_UNREACHABLE', `Cannot reach a broker at ${ctx.bootstrap}: connection refused. ${advice}`, text);
  if (/ENOTFOUND|EAI_AGAIN/i.test(text))
    return new KvsError('BROKER_UNREACHABLE', `Cannot resolve the broker host in ${ctx.bootstrap}. Use the broker's IP address (x.y.z.w:9092).`, text);
  if (/EHOSTUNREACH|ENETUNREACH|Connection timeout|ETIMEDOUT|Connection error|KafkaJSConnectionError|NumberOfRetriesExceeded|Closed connection|ECONNRESET/i.test(text))
    return new KvsError('BROKER_UNREACHABLE', `No answer from a broker at ${ctx.bootstrap}. ${advice}`, text);
  if (/INVALID_TOPIC_EXCEPTION/.test(text))
    return new KvsError('TOPIC_INVALID', `Kafka refused the topic name ${topic}.`, text);
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition|This server does not host/i.test(text))
    return new KvsError('TOPIC_NOT_FOUND', `Topic ${topic} does not exist on ${ctx.bootstrap}.`, text);
  if (/TOPIC_ALREADY_EXISTS/.test(text)) return new KvsError('TOPIC_EXISTS', `Topic ${topic} already exists.`, text);
  if (/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/.test(text))
    return new KvsError('FRAME_TOO_LARGE', `The broker refused a frame as too large for ${topic} (max.message.bytes).`, text);
  if (/Request .*timed out|REQUEST_TIMED_OUT|KafkaJSRequestTimeoutError/i.test(text))
    return new KvsError('TIMEOUT', `The broker at ${ctx.bootstrap} did not answer in time.`, text);
  const first = errs[0];
  return new KvsError('KAFKA_ERROR', `Kafka error: ${first?.message ?? String(e)}`, text);
}
