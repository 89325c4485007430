/**
 * One probe connection: connect (TCP or TLS) with a hard time limit, send requests, read
 * size-prefixed replies up to MAX_REPLY_BYTES, and turn every socket error into a ProbeFailure
 * whose message names host:port. It never rejects and always destroys its socket.
 *
 * TLS (`ProbeTls`): the handshake runs with rejectUnauthorized false so that the doctor can look
 * at the certificate it was shown and say what is wrong with it (security-problem.ts judgePeer);
 * a connection whose certificate a real client would refuse is closed before any request, unless
 * the probe only asks which protocol the listener speaks (`verify: false`, nothing secret sent).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { CLIENT_ID, MAX_REPLY_BYTES, ProbeFailure, ProbeFailureKind } from './probe-types.js';
import { inspectReply, isText, looksLikeTls, previewBytes } from './reply-shape.js';
import {
  judgePeer,
  splitAltNames,
  tlsErrorProblem,
  type PeerFacts,
  type SecurityProblem,
} from './security-problem.js';
import { decodeResponse, encodeRequest } from './wire-messages.js';

/** How a probe speaks TLS. */
export interface ProbeTls {
  /** Node's TLS options: ca, cert/key/passphrase or pfx (never rejectUnauthorized). */
  readonly options: tls.ConnectionOptions;
  /** The name the certificate must carry: the host as the person wrote it (or as advertised). */
  readonly hostname: string;
  readonly verifyHostname: boolean;
  /** Judge the certificate and stop on a problem (false: only find out what the listener speaks). */
  readonly verify: boolean;
}

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

/** A secured connection refused for a reason the findings name (kind 'security'). */
export function securityFailure(
  where: string,
  problem: SecurityProblem,
  errorCode?: number,
): ProbeFailure {
  return {
    ...failure('security', `${where}: ${problemSummary(problem)}`, errorCode),
    security: problem,
  };
}

function problemSummary(p: SecurityProblem): string {
  switch (p.kind) {
    case 'untrusted':
      return `the certificate (issued by ${p.issuer}) does not verify (${p.reason}).`;
    case 'hostname':
      return `the certificate names ${p.names.join(', ') || 'nothing'}, not ${p.connectedTo}.`;
    case 'expired':
      return `the certificate expired on ${p.validTo}.`;
    case 'not-yet-valid':
      return `the certificate is valid only from ${p.validFrom}.`;
    case 'client-cert-required':
      return `the broker wants a client certificate (${p.alert}).`;
    case 'client-cert-refused':
      return `the broker refused the client certificate (${p.alert}).`;
    case 'not-tls':
      return `the listener does not speak TLS (${p.detail}).`;
    case 'mechanism-not-enabled':
      return `SASL ${p.mechanism} is not enabled (enabled: ${p.enabled.join(', ') || 'none'}).`;
    case 'not-sasl':
      return 'the listener takes no SASL login.';
    case 'auth-failed':
      return `the ${p.mechanism} login was refused (${p.said}).`;
    case 'oauth-token':
      return p.message;
    case 'local-tls':
      return `the TLS settings cannot be used (${p.detail}).`;
  }
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
  /** TCP connected (and, with TLS, the handshake done). */
  private connected = false;
  /** TCP connected (TLS: the handshake may still be running). */
  private tcpConnected = false;
  private peer: PeerFacts | null = null;
  private authorizationError: string | null = null;
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
    readonly secure: ProbeTls | null = null,
  ) {
    this.where = formatAddress(host, port);
    if (secure === null) {
      this.socket = new net.Socket();
      this.socket.on('connect', () => {
        this.tcpConnected = true;
        this.connected = true;
        this.wake();
      });
    } else {
      const name = secure.hostname;
      const socket = tls.connect({
        ...secure.options,
        host,
        port,
        rejectUnauthorized: false,
        // the name is judged by judgePeer (peerProblem), after the chain
        checkServerIdentity: () => undefined,
        ...(net.isIP(name) === 0 ? { servername: name } : {}),
      });
      this.socket = socket;
      socket.on('connect', () => {
        this.tcpConnected = true;
        this.wake();
      });
      socket.on('secureConnect', () => {
        this.tcpConnected = true;
        this.connected = true;
        try {
          this.peer = peerFacts(socket);
        } catch {
          this.peer = null; // judged as "no certificate"
        }
        const authError = socket.authorizationError as unknown;
        this.authorizationError =
          authError instanceof Error
            ? ((authError as { code?: string }).code ?? authError.message)
            : typeof authError === 'string'
              ? authError
              : null;
        this.wake();
      });
    }
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
    // after the socket exists (tls.connect may throw on options: then there is nothing to time)
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.socket.destroy();
      this.wake();
    }, timeoutMs);
    if (secure === null) this.socket.connect({ host, port });
  }

  /** With TLS and `verify`: what a verifying client would refuse in the certificate, or null. */
  peerProblem(now: Date = new Date()): SecurityProblem | null {
    const s = this.secure;
    if (s === null || !s.verify || !this.connected) return null;
    return judgePeer(this.peer, this.authorizationError, {
      hostname: s.hostname,
      verifyHostname: s.verifyHostname,
      caGiven: s.options.ca !== undefined,
      now,
    });
  }

  /** A socket error (or a close during the TLS handshake) as a TLS problem, when it is one. */
  private tlsProblemFailure(): ProbeFailure | null {
    const s = this.secure;
    if (s === null) return null;
    const clientCert = s.options.cert !== undefined || s.options.pfx !== undefined;
    if (this.error !== null) {
      const { code, message } = errnoOf(this.error);
      const problem = tlsErrorProblem(code, message, clientCert);
      if (problem !== null) return securityFailure(this.where, problem);
    }
    if (this.tcpConnected && !this.connected && (this.peerClosed || this.error !== null)) {
      const detail = this.error === null ? 'it closed the connection' : errnoOf(this.error).message;
      return securityFailure(this.where, { kind: 'not-tls', detail });
    }
    return null;
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  /** What is left of this probe's time limit, in ms (at least 1). */
  remainingMs(): number {
    return Math.max(1, Math.round(this.timeoutMs - (performance.now() - this.startedAt)));
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
    if (this.tcpConnected && !this.connected)
      return failure(
        'timeout',
        `${this.where} accepted the connection but did not complete a TLS handshake within ${this.timeoutMs} ms.`,
      );
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
      const tlsProblem = this.tlsProblemFailure();
      if (tlsProblem !== null) return tlsProblem;
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
        const tlsProblem = this.tlsProblemFailure();
        if (tlsProblem !== null) return tlsProblem;
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

/** The facts of the certificate a TLS socket was shown (null when it was shown none). */
function peerFacts(socket: tls.TLSSocket): PeerFacts | null {
  const legacy = socket.getPeerCertificate();
  const x509 = socket.getPeerX509Certificate();
  if (x509 === undefined || Object.keys(legacy).length === 0) return null;
  return {
    subject: x509.subject,
    issuer: x509.issuer,
    names: splitAltNames(x509.subjectAltName),
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    legacy,
  };
}

/**
 * Runs `body` on one connection (TLS when `secure` is given: a certificate a real client would
 * refuse ends the probe with that problem first); the connection is always destroyed and nothing
 * rejects.
 */
export async function withConnection<T>(
  host: string,
  port: number,
  timeoutMs: number,
  body: (conn: ProbeConnection) => Promise<T | ProbeFailure>,
  secure: ProbeTls | null = null,
): Promise<T | ProbeFailure> {
  const invalid = badArguments(host, port, timeoutMs);
  if (invalid !== null) return invalid;
  if (secure !== null) {
    // a client key, its password or a PKCS#12 bundle that cannot be used: say so, not "not Kafka"
    try {
      tls.createSecureContext(secure.options);
    } catch (error) {
      return securityFailure(formatAddress(host, port), {
        kind: 'local-tls',
        detail: errnoOf(error).message,
      });
    }
  }
  let conn: ProbeConnection | undefined;
  try {
    conn = new ProbeConnection(host, port, clampTimeout(timeoutMs), secure);
    const notOpen = await conn.opened();
    if (notOpen !== null) return notOpen;
    const problem = conn.peerProblem();
    if (problem !== null) return securityFailure(conn.where, problem);
    return await body(conn);
  } catch (error) {
    return socketFailure(error, host, port, 'during the probe');
  } finally {
    conn?.destroy();
  }
}
