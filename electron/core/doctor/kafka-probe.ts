/**
 * Small, time-limited probes that speak the Kafka wire protocol directly over node:net and
 * node:tls, for the connection doctor. kafkajs retries and wraps its errors, so a refused
 * port, a silent firewall, a TLS listener and a SASL listener all end up looking alike; here
 * each probe opens exactly one connection, sends at most two hand-written requests and says
 * precisely what went wrong.
 *
 * Every probe
 * - opens one connection and destroys it at the end;
 * - never rejects: every problem becomes a ProbeFailure whose message names host:port;
 * - has a hard time limit (a timer destroys the socket → kind 'timeout');
 * - refuses replies larger than MAX_REPLY_BYTES before allocating them;
 * - connects to the host exactly as given (IPv4, IPv6 or a name resolved by the OS).
 *
 * Wire format (https://kafka.apache.org/protocol): every request and response is an int32
 * size followed by that many bytes. Requests start with header v1 (api_key int16,
 * api_version int16, correlation_id int32, client_id nullable string); responses with header
 * v0 (correlation_id int32). Only non-flexible versions are spoken: ApiVersions v0,
 * Metadata v1–v8, SaslHandshake v1.
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------------------------
// Public result types

export type ProbeFailureKind =
  'refused' | 'timeout' | 'unreachable' | 'reset' | 'closed' | 'tls' | 'not-kafka' | 'error';

export interface ProbeFailure {
  ok: false;
  kind: ProbeFailureKind;
  /** Plain words; names host:port. */
  message: string;
  /** The Kafka error code, when the broker answered a valid response carrying one. */
  errorCode?: number;
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
} as const;

export const KAFKA_ERROR = {
  NONE: 0,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
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
const NO_AUTHORIZED_OPERATIONS = -2147483648;

// ---------------------------------------------------------------------------------------------
// Codecs: a bounds-checked reader and a writer. Decoders never throw; they return Decoded<T>.
// Response decoders ignore bytes after the last field of their version, as the Java client and
// kafkajs do (so a Kafka-compatible server that appends a field is not called "not Kafka");
// request decoders (used by test fakes) are strict.

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

class DecodeError extends Error {}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) throw new DecodeError(`truncated ${what}`);
  }

  int8(what: string): number {
    this.need(1, what);
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }

  bool(what: string): boolean {
    return this.int8(what) !== 0;
  }

  int16(what: string): number {
    this.need(2, what);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(what: string): number {
    this.need(4, what);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  nullableString(what: string): string | null {
    const len = this.int16(`${what} length`);
    if (len === -1) return null;
    if (len < 0) throw new DecodeError(`negative ${what} length ${len}`);
    this.need(len, what);
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  string(what: string): string {
    const v = this.nullableString(what);
    if (v === null) throw new DecodeError(`null ${what}`);
    return v;
  }

  /** An int32-counted array; the count is checked against the bytes left before any loop. */
  nullableArray<T>(what: string, minItemBytes: number, item: () => T): T[] | null {
    const count = this.int32(`${what} count`);
    if (count === -1) return null;
    if (count < 0) throw new DecodeError(`negative ${what} count ${count}`);
    if (count * minItemBytes > this.remaining) {
      throw new DecodeError(`${what} count ${count} does not fit in ${this.remaining} bytes`);
    }
    const items: T[] = [];
    for (let i = 0; i < count; i += 1) items.push(item());
    return items;
  }

  array<T>(what: string, minItemBytes: number, item: () => T): T[] {
    const v = this.nullableArray(what, minItemBytes, item);
    if (v === null) throw new DecodeError(`null ${what}`);
    return v;
  }

  int32Array(what: string): number[] {
    return this.array(what, 4, () => this.int32(what));
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return v;
  }

  end(what: string): void {
    if (this.remaining !== 0)
      throw new DecodeError(`${this.remaining} unexpected bytes after ${what}`);
  }
}

function decodeWith<T>(bytes: Uint8Array, read: (r: Reader) => T): Decoded<T> {
  try {
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    return { ok: true, value: read(new Reader(buf)) };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: error.message };
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

class Writer {
  private readonly parts: Buffer[] = [];

  private fixed(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }

  int8(v: number): this {
    return this.fixed(1, (b) => b.writeInt8(v));
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    return this.fixed(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(v));
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 0x7fff) throw new RangeError(`string of ${bytes.length} bytes is too long`);
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  string(v: string): this {
    return this.nullableString(v);
  }
  nullableArray<T>(items: readonly T[] | null, item: (w: this, v: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }
  array<T>(items: readonly T[], item: (w: this, v: T) => void): this {
    return this.nullableArray(items, item);
  }
  int32Array(items: readonly number[]): this {
    return this.array(items, (w, v) => w.int32(v));
  }
  bytes(v: Uint8Array): this {
    this.parts.push(Buffer.from(v));
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function sizePrefixed(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Reads the int32 size of a whole frame and checks it matches the bytes given. */
function readFramed(r: Reader, frameLength: number): void {
  const size = r.int32('frame size');
  if (size !== frameLength - 4) {
    throw new DecodeError(`frame size ${size} does not match the ${frameLength - 4} bytes given`);
  }
}

// --- Request and response headers -----------------------------------------------------------

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** A whole request frame: size, header v1, body. */
export function encodeRequest(header: RequestHeader, body: Uint8Array): Buffer {
  return sizePrefixed(
    new Writer()
      .int16(header.apiKey)
      .int16(header.apiVersion)
      .int32(header.correlationId)
      .nullableString(header.clientId)
      .bytes(body)
      .build(),
  );
}

export function decodeRequest(frame: Uint8Array): Decoded<{ header: RequestHeader; body: Buffer }> {
  return decodeWith(frame, (r) => {
    readFramed(r, frame.length);
    const header: RequestHeader = {
      apiKey: r.int16('api key'),
      apiVersion: r.int16('api version'),
      correlationId: r.int32('correlation id'),
      clientId: r.nullableString('client id'),
    };
    return { header, body: r.rest() };
  });
}

/** A whole response frame: size, header v0 (correlation id), body. */
export function encodeResponse(correlationId: number, body: Uint8Array): Buffer {
  return sizePrefixed(new Writer().int32(correlationId).bytes(body).build());
}

export function decodeResponse(
  frame: Uint8Array,
): Decoded<{ correlationId: number; body: Buffer }> {
  return decodeWith(frame, (r) => {
    readFramed(r, frame.length);
    return { correlationId: r.int32('correlation id'), body: r.rest() };
  });
}

// --- ApiVersions v0 (body of the request is empty) -------------------------------------------

export interface ApiVersionsResponse {
  errorCode: number;
  apis: ApiRanges;
}

export function encodeApiVersionsResponse(response: ApiVersionsResponse): Buffer {
  return new Writer()
    .int16(response.errorCode)
    .array([...response.apis], (w, [key, range]) => w.int16(key).int16(range.min).int16(range.max))
    .build();
}

export function decodeApiVersionsResponse(body: Uint8Array): Decoded<ApiVersionsResponse> {
  return decodeWith(body, (r) => {
    const errorCode = r.int16('error code');
    const apis = new Map<number, { min: number; max: number }>();
    r.array('api keys', 6, () => {
      const key = r.int16('api key');
      const min = r.int16('min version');
      const max = r.int16('max version');
      if (apis.has(key)) throw new DecodeError(`api key ${key} listed twice`);
      apis.set(key, { min, max });
    });
    return { errorCode, apis };
  });
}

// --- Metadata v1–v8 --------------------------------------------------------------------------

export interface MetadataRequest {
  /** null: all topics; []: none. */
  topics: string[] | null;
  /** v4+ */
  allowAutoTopicCreation: boolean;
  /** v8 */
  includeClusterAuthorizedOperations: boolean;
  /** v8 */
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  /** v7+; -1 below. */
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  /** v5+; [] below. */
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
  /** v8+; NO_AUTHORIZED_OPERATIONS below. */
  topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  /** v3+; 0 below. */
  throttleTimeMs: number;
  brokers: ProbedBroker[];
  /** v2+; null below. */
  clusterId: string | null;
  /** -1 when the broker knows no controller. */
  controllerId: number;
  topics: MetadataTopic[];
  /** v8+; NO_AUTHORIZED_OPERATIONS below. */
  clusterAuthorizedOperations: number;
}

function checkMetadataVersion(version: number): void {
  if (
    !Number.isInteger(version) ||
    version < METADATA_MIN_VERSION ||
    version > METADATA_MAX_VERSION
  ) {
    throw new RangeError(
      `Metadata v${version} is not spoken here (v${METADATA_MIN_VERSION}–v${METADATA_MAX_VERSION})`,
    );
  }
}

export function encodeMetadataRequest(version: number, request: MetadataRequest): Buffer {
  checkMetadataVersion(version);
  const w = new Writer().nullableArray(request.topics, (w2, name) => w2.string(name));
  if (version >= 4) w.bool(request.allowAutoTopicCreation);
  if (version >= 8) {
    w.bool(request.includeClusterAuthorizedOperations).bool(
      request.includeTopicAuthorizedOperations,
    );
  }
  return w.build();
}

export function decodeMetadataRequest(version: number, body: Uint8Array): Decoded<MetadataRequest> {
  return decodeWith(body, (r) => {
    checkMetadataVersion(version);
    const topics = r.nullableArray('topics', 2, () => r.string('topic name'));
    const allowAutoTopicCreation = version >= 4 ? r.bool('allow auto topic creation') : true;
    const includeClusterAuthorizedOperations = version >= 8 ? r.bool('include cluster ops') : false;
    const includeTopicAuthorizedOperations = version >= 8 ? r.bool('include topic ops') : false;
    r.end('Metadata request');
    return {
      topics,
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations,
      includeTopicAuthorizedOperations,
    };
  });
}

export function encodeMetadataResponse(version: number, response: MetadataResponse): Buffer {
  checkMetadataVersion(version);
  const w = new Writer();
  if (version >= 3) w.int32(response.throttleTimeMs);
  w.array(response.brokers, (w2, b) =>
    w2.int32(b.nodeId).string(b.host).int32(b.port).nullableString(b.rack),
  );
  if (version >= 2) w.nullableString(response.clusterId);
  w.int32(response.controllerId);
  w.array(response.topics, (w2, t) => {
    w2.int16(t.errorCode).string(t.name).bool(t.isInternal);
    w2.array(t.partitions, (w3, p) => {
      w3.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId);
      if (version >= 7) w3.int32(p.leaderEpoch);
      w3.int32Array(p.replicaNodes).int32Array(p.isrNodes);
      if (version >= 5) w3.int32Array(p.offlineReplicas);
    });
    if (version >= 8) w2.int32(t.topicAuthorizedOperations);
  });
  if (version >= 8) w.int32(response.clusterAuthorizedOperations);
  return w.build();
}

export function decodeMetadataResponse(
  version: number,
  body: Uint8Array,
): Decoded<MetadataResponse> {
  return decodeWith(body, (r) => {
    checkMetadataVersion(version);
    const throttleTimeMs = version >= 3 ? r.int32('throttle time') : 0;
    const brokers = r.array('brokers', 12, () => ({
      nodeId: r.int32('node id'),
      host: r.string('broker host'),
      port: r.int32('broker port'),
      rack: r.nullableString('rack'),
    }));
    const clusterId = version >= 2 ? r.nullableString('cluster id') : null;
    const controllerId = r.int32('controller id');
    const topics = r.array('topics', 9, () => {
      const errorCode = r.int16('topic error code');
      const name = r.string('topic name');
      const isInternal = r.bool('is internal');
      const partitions = r.array('partitions', 18, () => ({
        errorCode: r.int16('partition error code'),
        partitionIndex: r.int32('partition index'),
        leaderId: r.int32('leader id'),
        leaderEpoch: version >= 7 ? r.int32('leader epoch') : -1,
        replicaNodes: r.int32Array('replica nodes'),
        isrNodes: r.int32Array('isr nodes'),
        offlineReplicas: version >= 5 ? r.int32Array('offline replicas') : [],
      }));
      const topicAuthorizedOperations =
        version >= 8 ? r.int32('topic authorized operations') : NO_AUTHORIZED_OPERATIONS;
      return { errorCode, name, isInternal, partitions, topicAuthorizedOperations };
    });
    const clusterAuthorizedOperations =
      version >= 8 ? r.int32('cluster authorized operations') : NO_AUTHORIZED_OPERATIONS;
    return {
      throttleTimeMs,
      brokers,
      clusterId,
      controllerId,
      topics,
      clusterAuthorizedOperations,
    };
  });
}

// --- SaslHandshake v0/v1 (same body in both) -------------------------------------------------

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export function encodeSaslHandshakeRequest(mechanism: string): Buffer {
  return new Writer().string(mechanism).build();
}

export function decodeSaslHandshakeRequest(body: Uint8Array): Decoded<{ mechanism: string }> {
  return decodeWith(body, (r) => {
    const mechanism = r.string('mechanism');
    r.end('SaslHandshake request');
    return { mechanism };
  });
}

export function encodeSaslHandshakeResponse(response: SaslHandshakeResponse): Buffer {
  return new Writer()
    .int16(response.errorCode)
    .array(response.mechanisms, (w, m) => w.string(m))
    .build();
}

export function decodeSaslHandshakeResponse(body: Uint8Array): Decoded<SaslHandshakeResponse> {
  return decodeWith(body, (r) => {
    const errorCode = r.int16('error code');
    const mechanisms = r.array('mechanisms', 2, () => r.string('mechanism'));
    return { errorCode, mechanisms };
  });
}

// ---------------------------------------------------------------------------------------------
// What came back: a Kafka frame, TLS, or something else

export type ReplyShape =
  | { kind: 'frame'; /** bytes of the whole frame, size prefix included */ length: number }
  | { kind: 'incomplete' }
  | { kind: 'tls' }
  | { kind: 'not-kafka'; reason: string };

/** A TLS record starts with a content type (20–23: change_cipher_spec, alert, handshake, data) and major version 3. */
function looksLikeTls(bytes: Uint8Array): boolean {
  const type = bytes[0];
  if (type === undefined || type < 0x14 || type > 0x17) return false;
  return bytes.length < 2 || bytes[1] === 0x03;
}

/**
 * Classifies the bytes received so far, without copying them. A Kafka frame under
 * MAX_REPLY_BYTES always starts with 0x00, so a TLS record (0x15 alert, 0x16 handshake)
 * or text can be told apart from the first four bytes.
 */
export function inspectReply(bytes: Uint8Array, maxBytes: number = MAX_REPLY_BYTES): ReplyShape {
  if (bytes.length < 4) return { kind: 'incomplete' };
  if (looksLikeTls(bytes)) return { kind: 'tls' };
  const size = Buffer.from(bytes.buffer, bytes.byteOffset, 4).readInt32BE(0);
  if (size < 4) return { kind: 'not-kafka', reason: `a frame size of ${size} bytes` };
  if (size > maxBytes) return { kind: 'not-kafka', reason: `a frame size of ${size} bytes` };
  return bytes.length >= size + 4 ? { kind: 'frame', length: size + 4 } : { kind: 'incomplete' };
}

function isText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 48);
  return (
    head.length > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))
  );
}

/** A short, printable rendering of unexpected bytes for a message. */
export function previewBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 48));
  if (isText(head)) {
    const line = head.toString('latin1').split(/\r?\n/)[0] ?? '';
    return `"${line.slice(0, 40)}"`;
  }
  const hex = [...head.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `bytes ${hex}${bytes.length > 12 ? ' …' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Failures

/** host:port, IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function failure(kind: ProbeFailureKind, message: string, errorCode?: number): ProbeFailure {
  return errorCode === undefined
    ? { ok: false, kind, message }
    : { ok: false, kind, message, errorCode };
}

interface ErrnoLike {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  errors?: unknown;
}

function errnoOf(error: unknown): {
  code: string | undefined;
  syscall: string | undefined;
  message: string;
} {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrnoLike;
  let code = typeof e.code === 'string' ? e.code : undefined;
  // With several addresses for a name (autoSelectFamily), Node reports an AggregateError.
  if (code === undefined && Array.isArray(e.errors)) {
    const inner = e.errors.map((x: unknown) => errnoOf(x).code).filter((c) => c !== undefined);
    code = inner.find((c) => c !== 'ECONNREFUSED') ?? inner[0];
  }
  return {
    code,
    syscall: typeof e.syscall === 'string' ? e.syscall : undefined,
    message: typeof e.message === 'string' && e.message !== '' ? e.message : String(error),
  };
}

/** Maps a socket error to a failure; `during` says what the probe was doing. */
function socketFailure(error: unknown, host: string, port: number, during: string): ProbeFailure {
  const where = formatAddress(host, port);
  const { code, message } = errnoOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return failure(
        'refused',
        `Nothing is listening on ${where}: the connection was refused. Check the port and that the broker is running.`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return failure(
        'unreachable',
        `${where} cannot be reached from this computer (${code}): there is no network route to that host.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return failure(
        'unreachable',
        `${where} cannot be reached: the name "${host}" does not resolve to an address (${code}).`,
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return failure('reset', `${where} reset the connection ${during}.`);
    case 'ETIMEDOUT':
      return failure(
        'timeout',
        `${where} did not answer ${during}: the operating system gave up (ETIMEDOUT).`,
      );
    default:
      return failure(
        'error',
        `${where}: ${message}${code !== undefined && !message.includes(code) ? ` (${code})` : ''}.`,
      );
  }
}

function badArguments(host: string, port: number, timeoutMs: number): ProbeFailure | null {
  if (typeof host !== 'string' || host === '')
    return failure('error', 'No host was given to probe.');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return failure(
      'error',
      `${formatAddress(host, port)}: the port must be a whole number from 1 to 65535.`,
    );
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return failure(
      'error',
      `${formatAddress(host, port)}: the time limit must be a positive number of milliseconds.`,
    );
  }
  return null;
}

const clampTimeout = (ms: number): number => Math.min(Math.max(1, Math.ceil(ms)), 2_147_483_647);

// ---------------------------------------------------------------------------------------------
// One connection, read frame by frame, under one deadline

class ProbeConnection {
  private readonly socket: net.Socket;
  private readonly timer: NodeJS.Timeout;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private connected = false;
  private peerClosed = false;
  private error: unknown = null;
  private timedOut = false;
  private waiters: Array<() => void> = [];
  /** The request whose answer we are waiting for, for messages. */
  private awaiting: string | null = null;
  readonly where: string;
  readonly startedAt = performance.now();

  constructor(
    readonly host: string,
    readonly port: number,
    readonly timeoutMs: number,
  ) {
    this.where = formatAddress(host, port);
    this.socket = new net.Socket();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.socket.destroy();
      this.wake();
    }, timeoutMs);
    this.socket.on('connect', () => {
      this.connected = true;
      this.wake();
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      // Never hold more than one frame's worth: a frame over the limit fails on its first 4 bytes.
      if (this.buffered > MAX_REPLY_BYTES + 4) this.socket.pause();
      this.wake();
    });
    this.socket.on('end', () => {
      this.peerClosed = true;
      this.wake();
    });
    this.socket.on('close', () => {
      this.peerClosed = true;
      this.wake();
    });
    this.socket.on('error', (error: unknown) => {
      this.error ??= error;
      this.wake();
    });
    this.socket.connect({ host, port });
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private get during(): string {
    return this.awaiting === null
      ? 'while connecting'
      : `while we waited for its answer to ${this.awaiting}`;
  }

  private timeoutFailure(): ProbeFailure {
    return this.connected
      ? failure(
          'timeout',
          `${this.where} accepted the connection but did not answer ${this.awaiting ?? 'anything'} within ${this.timeoutMs} ms.`,
        )
      : failure(
          'timeout',
          `${this.where} did not accept a connection within ${this.timeoutMs} ms: the host may be down or a firewall may be dropping the packets.`,
        );
  }

  /** Resolves when TCP is connected, or with the failure that prevented it. */
  async opened(): Promise<ProbeFailure | null> {
    for (;;) {
      if (this.connected) return null;
      if (this.timedOut) return this.timeoutFailure();
      if (this.error !== null) return socketFailure(this.error, this.host, this.port, this.during);
      if (this.peerClosed)
        return failure('closed', `${this.where} closed the connection while connecting.`);
      await this.changed();
    }
  }

  send(frame: Buffer, what: string): void {
    this.awaiting = what;
    this.socket.write(frame);
  }

  private received(): Buffer {
    if (this.chunks.length !== 1) {
      const all = Buffer.concat(this.chunks);
      this.chunks.length = 0;
      this.chunks.push(all);
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(length: number): Buffer {
    const all = this.received();
    const frame = all.subarray(0, length);
    const rest = all.subarray(length);
    this.chunks.length = 0;
    if (rest.length > 0) this.chunks.push(rest);
    this.buffered = rest.length;
    this.socket.resume();
    return frame;
  }

  /** Failure for bytes that arrived but never formed a frame. */
  private partialFailure(bytes: Buffer, what: string): ProbeFailure | null {
    if (bytes.length === 0) return null;
    if (looksLikeTls(bytes)) return this.tlsFailure();
    if (bytes[0] !== 0) return this.notKafka(bytes, what);
    return null;
  }

  tlsFailure(): ProbeFailure {
    return failure(
      'tls',
      `${this.where} answered with TLS: this listener expects an encrypted connection (security.protocol SSL or SASL_SSL). Turn TLS on for this broker.`,
    );
  }

  notKafka(bytes: Buffer, what: string, reason?: string): ProbeFailure {
    return failure(
      'not-kafka',
      `${this.where} answered ${what}, but not like a Kafka broker: it sent ${previewBytes(bytes)}${reason === undefined || isText(bytes) ? '' : ` (${reason})`}. Check that this is the broker's port.`,
    );
  }

  /**
   * The next whole response frame (size prefix included), or the failure that came instead.
   * `silentClose` replaces the message when the peer closes without sending a byte.
   */
  async readFrame(
    what: string,
    silentClose?: string,
  ): Promise<{ ok: true; frame: Buffer } | ProbeFailure> {
    for (;;) {
      const bytes = this.received();
      const shape = inspectReply(bytes);
      if (shape.kind === 'frame') return { ok: true, frame: this.consume(shape.length) };
      if (shape.kind === 'tls') return this.tlsFailure();
      if (shape.kind === 'not-kafka')
        return this.notKafka(bytes, `the ${what} request`, shape.reason);
      const ended = this.timedOut || this.error !== null || this.peerClosed;
      if (ended) {
        const partial = this.partialFailure(bytes, `the ${what} request`);
        if (partial !== null) return partial;
        if (this.timedOut) return this.timeoutFailure();
        if (this.error !== null)
          return socketFailure(this.error, this.host, this.port, this.during);
        if (bytes.length > 0) {
          return failure(
            'closed',
            `${this.where} closed the connection in the middle of its answer to ${what}.`,
          );
        }
        return failure(
          'closed',
          silentClose ?? `${this.where} closed the connection without answering ${what}.`,
        );
      }
      await this.changed();
    }
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.socket.destroy();
    this.wake();
  }
}

let nextCorrelationId = Math.floor(Math.random() * 0x3fffffff);
function correlationId(): number {
  nextCorrelationId = (nextCorrelationId + 1) & 0x7fffffff;
  return nextCorrelationId;
}

/**
 * Sends one request and reads its response body: a frame that is not a valid response header
 * with our correlation id becomes 'not-kafka'.
 */
async function exchange(
  conn: ProbeConnection,
  apiKey: number,
  apiVersion: number,
  what: string,
  body: Buffer,
  silentClose?: string,
): Promise<{ ok: true; body: Buffer } | ProbeFailure> {
  const id = correlationId();
  conn.send(
    encodeRequest({ apiKey, apiVersion, correlationId: id, clientId: CLIENT_ID }, body),
    what,
  );
  const read = await conn.readFrame(what, silentClose);
  if (!read.ok) return read;
  const response = decodeResponse(read.frame);
  if (!response.ok) return conn.notKafka(read.frame, `the ${what} request`, response.reason);
  if (response.value.correlationId !== id) {
    return conn.notKafka(read.frame, `the ${what} request`, 'the reply is for another request');
  }
  return { ok: true, body: response.value.body };
}

/** Runs `body` on one connection; the connection is always destroyed and nothing rejects. */
async function withConnection<T>(
  host: string,
  port: number,
  timeoutMs: number,
  body: (conn: ProbeConnection) => Promise<T | ProbeFailure>,
): Promise<T | ProbeFailure> {
  const invalid = badArguments(host, port, timeoutMs);
  if (invalid !== null) return invalid;
  let conn: ProbeConnection | undefined;
  try {
    conn = new ProbeConnection(host, port, clampTimeout(timeoutMs));
    const notOpen = await conn.opened();
    if (notOpen !== null) return notOpen;
    return await body(conn);
  } catch (error) {
    return socketFailure(error, host, port, 'during the probe');
  } finally {
    conn?.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Probes

/** A TCP connection only: is anything listening, and how long does connecting take? */
export function probeTcp(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; ms: number } | ProbeFailure> {
  return withConnection(host, port, timeoutMs, async (conn) => ({
    ok: true as const,
    ms: conn.elapsedMs(),
  }));
}

async function apiVersionsOn(
  conn: ProbeConnection,
): Promise<{ ok: true; apis: ApiRanges } | ProbeFailure> {
  const reply = await exchange(
    conn,
    API_KEY.ApiVersions,
    0,
    'ApiVersions',
    Buffer.alloc(0),
    `${conn.where} closed the connection without answering ApiVersions: the listener may expect TLS (SSL), or it is not Kafka, or it is a broker older than Kafka 0.10.`,
  );
  if (!reply.ok) return reply;
  const decoded = decodeApiVersionsResponse(reply.body);
  if (!decoded.ok) return conn.notKafka(reply.body, 'the ApiVersions request', decoded.reason);
  const { errorCode, apis } = decoded.value;
  if (errorCode !== KAFKA_ERROR.NONE) {
    return failure(
      'error',
      `${conn.where} answered ApiVersions with Kafka error ${errorCode}${errorCode === KAFKA_ERROR.UNSUPPORTED_VERSION ? ' (UNSUPPORTED_VERSION)' : ''}.`,
      errorCode,
    );
  }
  if (!apis.has(API_KEY.ApiVersions)) {
    return conn.notKafka(
      reply.body,
      'the ApiVersions request',
      'its list lacks ApiVersions itself',
    );
  }
  return { ok: true, apis };
}

/**
 * ApiVersions v0 (every broker since 0.10 answers it, also before SASL auth). A TLS listener
 * answers plain bytes with a TLS alert (first byte 0x15) or closes: kind 'tls' when the reply
 * looks like TLS, 'closed' when it just closes, 'not-kafka' for anything else that is not a
 * valid response.
 */
export function probeApiVersions(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; apis: ApiRanges; ms: number } | ProbeFailure> {
  return withConnection(host, port, timeoutMs, async (conn) => {
    const result = await apiVersionsOn(conn);
    return result.ok ? { ok: true as const, apis: result.apis, ms: conn.elapsedMs() } : result;
  });
}

/** The Metadata version to ask for: the highest of v1–v8 the broker accepts, or null. */
export function pickMetadataVersion(apis: ApiRanges): number | null {
  const range = apis.get(API_KEY.Metadata);
  if (range === undefined) return null;
  for (let v = METADATA_MAX_VERSION; v >= METADATA_MIN_VERSION; v -= 1) {
    if (v >= range.min && v <= range.max) return v;
  }
  return null;
}

/**
 * Metadata with an empty topic list, using the highest non-flexible version (v8 down to v1) the
 * broker supports — Kafka 4.x removed the oldest versions (KIP-896). Opens its own connection
 * (ApiVersions first when `apis` is not given). A SASL listener answers ApiVersions but closes
 * the connection on Metadata: that is reported as kind 'closed' with a message saying so.
 */
export function probeMetadata(
  host: string,
  port: number,
  timeoutMs: number,
  apis?: ApiRanges,
): Promise<
  | {
      ok: true;
      clusterId: string | null;
      controllerId: number | null;
      brokers: ProbedBroker[];
      /** The Metadata version used. */
      version: number;
      ms: number;
    }
  | ProbeFailure
> {
  return withConnection(host, port, timeoutMs, async (conn) => {
    let ranges = apis;
    if (ranges === undefined) {
      const versions = await apiVersionsOn(conn);
      if (!versions.ok) return versions;
      ranges = versions.apis;
    }
    const version = pickMetadataVersion(ranges);
    if (version === null) {
      const range = ranges.get(API_KEY.Metadata);
      return failure(
        'error',
        range === undefined
          ? `${conn.where} does not offer the Metadata API: it is not a Kafka broker listener (perhaps a KRaft controller port).`
          : `${conn.where} only accepts Metadata v${range.min}–v${range.max}, and this check speaks v${METADATA_MIN_VERSION}–v${METADATA_MAX_VERSION}.`,
      );
    }
    const request = encodeMetadataRequest(version, {
      topics: [],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const reply = await exchange(conn, API_KEY.Metadata, version, 'Metadata', request);
    if (!reply.ok) {
      if (reply.kind === 'closed' || reply.kind === 'reset') {
        return failure(
          'closed',
          apis === undefined
            ? `${conn.where} answered ApiVersions but closed the connection when asked for Metadata: the listener most likely requires SASL authentication (security.protocol SASL_PLAINTEXT or SASL_SSL).`
            : `${conn.where} closed the connection when asked for Metadata: the listener most likely requires SASL authentication (security.protocol SASL_PLAINTEXT or SASL_SSL), or it expects TLS.`,
        );
      }
      return reply;
    }
    const decoded = decodeMetadataResponse(version, reply.body);
    if (!decoded.ok) return conn.notKafka(reply.body, 'the Metadata request', decoded.reason);
    const m = decoded.value;
    return {
      ok: true as const,
      clusterId: m.clusterId,
      controllerId: m.controllerId < 0 ? null : m.controllerId,
      brokers: m.brokers,
      version,
      ms: conn.elapsedMs(),
    };
  });
}

/**
 * SaslHandshake v1 (api key 17), naming a mechanism no broker enables (PROBE_SASL_MECHANISM),
 * so that no authentication starts. What brokers answer:
 * - a SASL listener: UNSUPPORTED_SASL_MECHANISM (33) with the mechanisms it enables, then it
 *   closes the connection → ok with those mechanisms (error 0 would also be ok);
 * - a PLAINTEXT (or SSL) listener: the request reaches the broker's API layer, which answers
 *   every SaslHandshake with ILLEGAL_SASL_STATE (34) (KafkaApis.handleSaslHandshakeRequest) —
 *   with an empty list on current brokers, with the configured sasl.enabled.mechanisms on old
 *   ones (0.10.x), so that list says nothing about the listener. Observed on Kafka 4.1.1 (KRaft) and 3.9.1
 *   (ZooKeeper): error 34, mechanisms []. This is reported as a failure of kind 'error' with
 *   errorCode 34 and a message saying that the listener does not use SASL.
 * ok:true therefore only comes with a valid SaslHandshake response carrying error 0 or 33.
 */
export function probeSaslMechanisms(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; errorCode: number; mechanisms: string[] } | ProbeFailure> {
  return withConnection(host, port, timeoutMs, async (conn) => {
    const reply = await exchange(
      conn,
      API_KEY.SaslHandshake,
      1,
      'SaslHandshake',
      encodeSaslHandshakeRequest(PROBE_SASL_MECHANISM),
    );
    if (!reply.ok) return reply;
    const decoded = decodeSaslHandshakeResponse(reply.body);
    if (!decoded.ok) return conn.notKafka(reply.body, 'the SaslHandshake request', decoded.reason);
    const { errorCode, mechanisms } = decoded.value;
    if (errorCode === KAFKA_ERROR.NONE || errorCode === KAFKA_ERROR.UNSUPPORTED_SASL_MECHANISM) {
      return { ok: true as const, errorCode, mechanisms };
    }
    if (errorCode === KAFKA_ERROR.ILLEGAL_SASL_STATE) {
      return failure(
        'error',
        `${conn.where} does not use SASL: it answered the SASL handshake with ILLEGAL_SASL_STATE (34), as a PLAINTEXT or SSL listener does. Turn SASL off for this broker.`,
        errorCode,
      );
    }
    if (errorCode === KAFKA_ERROR.UNSUPPORTED_VERSION) {
      return failure(
        'error',
        `${conn.where} does not accept SaslHandshake v1 (UNSUPPORTED_VERSION, 35): the broker is older than Kafka 1.0.`,
        errorCode,
      );
    }
    return failure(
      'error',
      `${conn.where} answered the SASL handshake with Kafka error ${errorCode}.`,
      errorCode,
    );
  });
}

/** A TLS handshake (rejectUnauthorized false, SNI only for names): ok when the listener speaks TLS. */
export function probeTls(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: true; protocol: string | null } | ProbeFailure> {
  const invalid = badArguments(host, port, timeoutMs);
  if (invalid !== null) return Promise.resolve(invalid);
  const where = formatAddress(host, port);
  const limit = clampTimeout(timeoutMs);
  return new Promise((resolve) => {
    let socket: tls.TLSSocket | undefined;
    let connected = false;
    let settled = false;
    const finish = (result: { ok: true; protocol: string | null } | ProbeFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish(
        connected
          ? failure(
              'timeout',
              `${where} accepted the connection but did not complete a TLS handshake within ${limit} ms.`,
            )
          : failure(
              'timeout',
              `${where} did not accept a connection within ${limit} ms: the host may be down or a firewall may be dropping the packets.`,
            ),
      );
    }, limit);
    const notTls = (detail: string): ProbeFailure =>
      failure('tls', `${where} does not speak TLS: the handshake failed (${detail}).`);
    try {
      socket = tls.connect({
        host,
        port,
        rejectUnauthorized: false,
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
      });
      socket.on('connect', () => {
        connected = true;
      });
      socket.on('secureConnect', () => {
        finish({ ok: true, protocol: socket?.getProtocol() ?? null });
      });
      socket.on('error', (error: unknown) => {
        const { code, syscall, message } = errnoOf(error);
        if (!connected) {
          finish(socketFailure(error, host, port, 'while connecting'));
        } else if (code === 'ECONNRESET' && syscall === undefined) {
          // Node's "Client network socket disconnected before secure TLS connection was established".
          finish(
            failure(
              'closed',
              `${where} closed the connection during the TLS handshake: the listener does not seem to speak TLS (PLAINTEXT or SASL_PLAINTEXT?).`,
            ),
          );
        } else if (code === 'ECONNRESET' || code === 'EPIPE') {
          finish(failure('reset', `${where} reset the connection during the TLS handshake.`));
        } else if (code === 'EPROTO' || (typeof code === 'string' && code.startsWith('ERR_SSL_'))) {
          finish(notTls(message));
        } else {
          finish(socketFailure(error, host, port, 'during the TLS handshake'));
        }
      });
      socket.on('close', () => {
        finish(
          connected
            ? failure('closed', `${where} closed the connection during the TLS handshake.`)
            : failure('closed', `${where} closed the connection while connecting.`),
        );
      });
    } catch (error) {
      finish(socketFailure(error, host, port, 'while connecting'));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Broker versions

const rangeOf = (apis: ApiRanges, key: number): { min: number; max: number } | undefined =>
  apis.get(key);

/**
 * Markers that tell Kafka releases apart by their ApiVersions answer, newest first; the first
 * that matches names the release. Sources: the validVersions comments in Apache Kafka's
 * clients/src/main/resources/common/message/*.json, KIP-896 (4.0 removed the pre-2.1 versions,
 * among them Fetch v0–v3) and kafka-python's check_version table (Fetch v8 → 2.0, Metadata
 * v5 → 1.0, Metadata v4 → 0.11). Produce is no 4.0 marker: 4.x still *advertises* Produce
 * v0–v2 (and rejects them) because old librdkafka needs to see v0 (KAFKA-18659); Kafka 4.1.1
 * answers Produce 0–13, Fetch 4–18.
 *
 * | release       | marker                                   | why                                   |
 * |---------------|------------------------------------------|---------------------------------------|
 * | 4.0 or newer  | Fetch min version ≥ 4                    | KIP-896 removed Fetch v0–v3 in 4.0    |
 * | 3.x           | ListOffsets max version ≥ 7              | v7 = max-timestamp lookup (KIP-734), 3.0 |
 * | 2.x           | Fetch max version ≥ 8                    | Fetch v8 (KIP-219 throttling), 2.0    |
 * | 1.x           | Metadata max version ≥ 5                 | Metadata v5 (offline replicas, KIP-112), 1.0 |
 * | 0.11          | Produce max version ≥ 3                  | record batches with headers, 0.11     |
 * | 0.10.x        | anything else that answers ApiVersions   | ApiVersions itself came in 0.10.0     |
 */
export const BROKER_VERSION_MARKERS: ReadonlyArray<{
  label: string;
  marker: string;
  test: (apis: ApiRanges) => boolean;
}> = [
  {
    label: '4.0 or newer',
    marker: 'Fetch min version ≥ 4 (KIP-896)',
    test: (a) => (rangeOf(a, API_KEY.Fetch)?.min ?? 0) >= 4,
  },
  {
    label: '3.x',
    marker: 'ListOffsets max version ≥ 7 (KIP-734)',
    test: (a) => (rangeOf(a, API_KEY.ListOffsets)?.max ?? -1) >= 7,
  },
  {
    label: '2.x',
    marker: 'Fetch max version ≥ 8',
    test: (a) => (rangeOf(a, API_KEY.Fetch)?.max ?? -1) >= 8,
  },
  {
    label: '1.x',
    marker: 'Metadata max version ≥ 5',
    test: (a) => (rangeOf(a, API_KEY.Metadata)?.max ?? -1) >= 5,
  },
  {
    label: '0.11',
    marker: 'Produce max version ≥ 3',
    test: (a) => (rangeOf(a, API_KEY.Produce)?.max ?? -1) >= 3,
  },
];

/** A human label for the broker version, from its ApiVersions ranges (see BROKER_VERSION_MARKERS). */
export function describeBrokerVersion(apis: ApiRanges): string {
  if (!apis.has(API_KEY.Produce)) {
    return 'unknown (it offers no Produce API: perhaps a KRaft controller port rather than a broker)';
  }
  return BROKER_VERSION_MARKERS.find((m) => m.test(apis))?.label ?? 'older than 0.11 (0.10.x)';
}

/**
 * The highest version of each request kafkajs 2.2.4 implements, by api key, read from
 * node_modules/kafkajs/src/protocol/requests/<name>/index.js (kafka-probe.test.ts checks
 * this table against the installed kafkajs).
 */
export const KAFKAJS_MAX_VERSIONS: ReadonlyMap<number, { name: string; max: number }> = new Map([
  [0, { name: 'Produce', max: 7 }],
  [1, { name: 'Fetch', max: 11 }],
  [2, { name: 'ListOffsets', max: 3 }],
  [3, { name: 'Metadata', max: 6 }],
  [8, { name: 'OffsetCommit', max: 5 }],
  [9, { name: 'OffsetFetch', max: 4 }],
  [10, { name: 'FindCoordinator', max: 2 }],
  [11, { name: 'JoinGroup', max: 5 }],
  [12, { name: 'Heartbeat', max: 3 }],
  [13, { name: 'LeaveGroup', max: 3 }],
  [14, { name: 'SyncGroup', max: 3 }],
  [15, { name: 'DescribeGroups', max: 2 }],
  [16, { name: 'ListGroups', max: 2 }],
  [17, { name: 'SaslHandshake', max: 1 }],
  [18, { name: 'ApiVersions', max: 2 }],
  [19, { name: 'CreateTopics', max: 3 }],
  [20, { name: 'DeleteTopics', max: 1 }],
  [21, { name: 'DeleteRecords', max: 1 }],
  [22, { name: 'InitProducerId', max: 1 }],
  [24, { name: 'AddPartitionsToTxn', max: 1 }],
  [25, { name: 'AddOffsetsToTxn', max: 1 }],
  [26, { name: 'EndTxn', max: 1 }],
  [28, { name: 'TxnOffsetCommit', max: 1 }],
  [29, { name: 'DescribeAcls', max: 1 }],
  [30, { name: 'CreateAcls', max: 1 }],
  [31, { name: 'DeleteAcls', max: 1 }],
  [32, { name: 'DescribeConfigs', max: 2 }],
  [33, { name: 'AlterConfigs', max: 1 }],
  [36, { name: 'SaslAuthenticate', max: 1 }],
  [37, { name: 'CreatePartitions', max: 1 }],
  [42, { name: 'DeleteGroups', max: 1 }],
  [45, { name: 'AlterPartitionReassignments', max: 0 }],
  [46, { name: 'ListPartitionReassignments', max: 0 }],
]);

/**
 * Whether this app's client (kafkajs 2.2.x) can work with the broker. tooOld: the broker lacks
 * what the app needs (record headers need Produce v3 / Fetch v4, i.e. Kafka ≥ 0.11). tooNew: for
 * some API kafkajs uses, the broker's lowest accepted version is above the highest kafkajs speaks.
 */
export function clientCompatibility(apis: ApiRanges): {
  tooOld: string | null;
  tooNew: string | null;
} {
  const produce = rangeOf(apis, API_KEY.Produce);
  const fetch = rangeOf(apis, API_KEY.Fetch);
  let tooOld: string | null = null;
  if (produce === undefined || fetch === undefined) {
    tooOld = `This server does not offer ${produce === undefined ? 'Produce' : 'Fetch'}, so the app cannot stream through it: it is not a Kafka broker listener (perhaps a KRaft controller port).`;
  } else if (produce.max < 3 || fetch.max < 4) {
    tooOld = `This broker is older than Kafka 0.11 (it speaks up to Produce v${produce.max} and Fetch v${fetch.max}): it cannot store record headers, which the app needs (Produce v3, Fetch v4). Use Kafka 0.11 or newer.`;
  }
  const rejected: string[] = [];
  for (const [key, client] of KAFKAJS_MAX_VERSIONS) {
    const broker = rangeOf(apis, key);
    if (broker !== undefined && broker.min > client.max) {
      rejected.push(
        `${client.name} (the broker needs v${broker.min} or newer, the app's client speaks up to v${client.max})`,
      );
    }
  }
  const tooNew =
    rejected.length === 0
      ? null
      : `This broker no longer accepts the request versions the app's Kafka client (kafkajs 2.2) uses: ${rejected.join('; ')}.`;
  return { tooOld, tooNew };
}
