/**
 * What the doctor's wire probes return (ProbeFailure, ProbedBroker) and the Kafka protocol
 * constants they use (API keys, error codes, the Metadata versions spoken, size limits).
 */

import type { SecurityProblem } from './security-problem.js';

// ---------------------------------------------------------------------------------------------
// Public result types

export type ProbeFailureKind =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'reset'
  | 'closed'
  | 'tls'
  | 'not-kafka'
  | 'error'
  /** A secured connection was refused for a reason a person can fix: see `security`. */
  | 'security';

export interface ProbeFailure {
  ok: false;
  kind: ProbeFailureKind;
  /** Plain words; names host:port. */
  message: string;
  /** The Kafka error code, when the broker answered a valid response carrying one. */
  errorCode?: number;
  /** kind 'security': what the TLS handshake or the SASL login said (security-problem.ts). */
  security?: SecurityProblem;
}

export type ApiRanges = ReadonlyMap<number, { min: number; max: number }>;

export interface ProbedBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

// ---------------------------------------------------------------------------------------------
// Protocol constants

/** Replies larger than this are refused unread (a Metadata reply of a big cluster is ~100 KB). */
export const MAX_REPLY_BYTES = 1024 * 1024;
export const CLIENT_ID = 'kvs-doctor';

export const API_KEY = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  SaslHandshake: 17,
  ApiVersions: 18,
  SaslAuthenticate: 36,
} as const;

export const KAFKA_ERROR = {
  NONE: 0,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  SASL_AUTHENTICATION_FAILED: 58,
} as const;

/** Metadata versions this module speaks: v1 (first with "empty list = no topics") to v8 (last non-flexible). */
export const METADATA_MIN_VERSION = 1;
export const METADATA_MAX_VERSION = 8;
/**
 * The mechanism named in our SaslHandshake. No broker enables it, so a SASL listener answers
 * UNSUPPORTED_SASL_MECHANISM (33) with the list it does enable and starts no authentication.
 */
export const PROBE_SASL_MECHANISM = 'KVS-DOCTOR-PROBE';

/** int32 "authorized operations were not requested" (Integer.MIN_VALUE). */
export const NO_AUTHORIZED_OPERATIONS = -2147483648;
