/**
 * One probe connection: connect (TCP or TLS) with a hard time limit, send requests, read
 * size-prefixed replies up to MAX_REPLY_BYTES, and turn every socket error into a ProbeFailure
 * whose message names host:port. It never rejects and always destroys its socket.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { CLIENT_ID, MAX_REPLY_BYTES, ProbeFailure, ProbeFailureKind } from './probe-types.js';
import { inspectReply, isText, looksLikeTls, previewBytes } from './reply-shape.js';
import { decodeResponse, encodeRequest } from './wire-messages.js';

// ---------------------------------------------------------------------------------------------
// Failures

/** host:port, IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

export function failure(kind: ProbeFailureKind, message: string, errorCode?: number): ProbeFailure {
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

export function errnoOf(error: unknown): {
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
export function socketFailure(
  error: unknown,
  host: string,
  port: number,
  during: string,
): ProbeFailure {
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

export function badArguments(host: string, port: number, timeoutMs: number): ProbeFailure | null {
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

export const clampTimeout = (ms: number): number =>
  Math.min(Math.max(1, Math.ceil(ms)), 2_147_483_647);

// ---------------------------------------------------------------------------------------------
// One connection, read frame by frame, under one deadline

export class ProbeConnection {
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
export function correlationId(): number {
  nextCorrelationId = (nextCorrelationId + 1) & 0x7fffffff;
  return nextCorrelationId;
}

/**
 * Sends one request and reads its response body: a frame that is not a valid response header
 * with our correlation id becomes 'not-kafka'.
 */
export async function exchange(
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
export async function withConnection<T>(
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
