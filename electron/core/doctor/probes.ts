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
 *
 * Secured listeners (issue 15): ApiVersions, Metadata and the SASL probe take a `ProbeSecurity`:
 * TLS with the given CA, client certificate and name rule (a certificate a real client would
 * refuse ends the probe with that problem, before any request), and for Metadata a SASL login
 * first (sasl-login.ts), on the same connection.
 *
 * The pieces: probe-types.ts, wire-codec.ts, wire-messages.ts, reply-shape.ts,
 * probe-connection.ts, broker-versions.ts, security-problem.ts, sasl-login.ts, scram.ts.
 */
import net from 'node:net';
import tls from 'node:tls';
import { saslLogin, type SaslProbe } from './sasl-login.js';
import {
  ProbeConnection,
  type ProbeTls,
  badArguments,
  clampTimeout,
  errnoOf,
  exchange,
  failure,
  formatAddress,
  socketFailure,
  withConnection,
} from './probe-connection.js';
import {
  API_KEY,
  ApiRanges,
  KAFKA_ERROR,
  METADATA_MAX_VERSION,
  METADATA_MIN_VERSION,
  PROBE_SASL_MECHANISM,
  ProbeFailure,
  ProbedBroker,
} from './probe-types.js';
import {
  decodeApiVersionsResponse,
  decodeMetadataResponse,
  decodeSaslHandshakeResponse,
  encodeMetadataRequest,
  encodeSaslHandshakeRequest,
} from './wire-messages.js';

// ---------------------------------------------------------------------------------------------
// Probes

/** How a probe connects: TLS or not, and the login Metadata needs first. */
export interface ProbeSecurity {
  readonly tls: ProbeTls | null;
  readonly sasl: SaslProbe | null;
}

export const NO_SECURITY: ProbeSecurity = { tls: null, sasl: null };

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
  security: ProbeSecurity = NO_SECURITY,
): Promise<{ ok: true; apis: ApiRanges; ms: number } | ProbeFailure> {
  return withConnection(
    host,
    port,
    timeoutMs,
    async (conn) => {
      const result = await apiVersionsOn(conn);
      return result.ok ? { ok: true as const, apis: result.apis, ms: conn.elapsedMs() } : result;
    },
    security.tls,
  );
}

/**
 * A SASL login alone (TLS first when given): ApiVersions, SaslHandshake with the mechanism,
 * SaslAuthenticate. ok when the broker accepted it.
 */
export function probeSaslLogin(
  host: string,
  port: number,
  timeoutMs: number,
  tls: ProbeTls | null,
  sasl: SaslProbe,
): Promise<{ ok: true; ms: number } | ProbeFailure> {
  return withConnection(
    host,
    port,
    timeoutMs,
    async (conn) => {
      const versions = await apiVersionsOn(conn);
      if (!versions.ok) return versions;
      const refused = await saslLogin(conn, sasl, versions.apis);
      return refused ?? { ok: true as const, ms: conn.elapsedMs() };
    },
    tls,
  );
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
  security: ProbeSecurity = NO_SECURITY,
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
  return withConnection(
    host,
    port,
    timeoutMs,
    async (conn) => {
      let ranges = apis;
      if (ranges === undefined) {
        const versions = await apiVersionsOn(conn);
        if (!versions.ok) return versions;
        ranges = versions.apis;
      }
      if (security.sasl !== null) {
        const refused = await saslLogin(conn, security.sasl, ranges);
        if (refused !== null) return refused;
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
    },
    security.tls,
  );
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
  tls: ProbeTls | null = null,
): Promise<{ ok: true; errorCode: number; mechanisms: string[] } | ProbeFailure> {
  return withConnection(
    host,
    port,
    timeoutMs,
    async (conn) => {
      const reply = await exchange(
        conn,
        API_KEY.SaslHandshake,
        1,
        'SaslHandshake',
        encodeSaslHandshakeRequest(PROBE_SASL_MECHANISM),
      );
      if (!reply.ok) return reply;
      const decoded = decodeSaslHandshakeResponse(reply.body);
      if (!decoded.ok)
        return conn.notKafka(reply.body, 'the SaslHandshake request', decoded.reason);
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
    },
    tls,
  );
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
