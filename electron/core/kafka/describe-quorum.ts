/**
 * The KRaft metadata quorum, asked from this computer: ApiVersions v0, then DescribeQuorum
 * (describe-quorum-wire.ts) on the same plain TCP connection, over the doctor's probe connection
 * (one socket, a hard time limit, a 1 MiB reply cap, never rejects). A broker forwards the request
 * to the active controller; a combined node answers itself. The addresses are tried in turn within
 * one budget until one answers.
 *
 * Results: `ok` with the quorum; `not-kraft` when a broker answered ApiVersions without
 * DescribeQuorum (ZooKeeper mode, or a KRaft release before 3.3 whose brokers do not forward it);
 * `failed` when no address answered. Only PLAINTEXT is spoken: a TLS/SASL connection is not asked
 * (the connection service says "quorum unknown").
 */
import { performance } from 'node:perf_hooks';
import { correlationId, exchange, withConnection } from '../doctor/probe-connection.js';
import { API_KEY, CLIENT_ID, KAFKA_ERROR, type ProbeFailure } from '../doctor/probe-types.js';
import { decodeApiVersionsResponse } from '../doctor/wire-messages.js';
import {
  DESCRIBE_QUORUM_API_KEY,
  decodeDescribeQuorumResponse,
  encodeDescribeQuorumRequest,
  pickDescribeQuorumVersion,
  type QuorumInfo,
} from './describe-quorum-wire.js';

export type QuorumResult =
  | { readonly ok: true; readonly quorum: QuorumInfo; readonly from: string }
  | { readonly ok: false; readonly kind: 'not-kraft' | 'failed'; readonly message: string };

type Answer = { ok: true; quorum: QuorumInfo } | { ok: false; notKraft: boolean; message: string };

function askOne(host: string, port: number, timeoutMs: number): Promise<Answer | ProbeFailure> {
  return withConnection(host, port, timeoutMs, async (conn): Promise<Answer | ProbeFailure> => {
    const versions = await exchange(conn, API_KEY.ApiVersions, 0, 'ApiVersions', Buffer.alloc(0));
    if (!versions.ok) return versions;
    const apis = decodeApiVersionsResponse(versions.body);
    if (!apis.ok) return conn.notKafka(versions.body, 'the ApiVersions request', apis.reason);
    if (apis.value.errorCode !== KAFKA_ERROR.NONE)
      return {
        ok: false,
        notKraft: false,
        message: `${conn.where} answered ApiVersions with error ${apis.value.errorCode}.`,
      };
    const version = pickDescribeQuorumVersion(apis.value.apis.get(DESCRIBE_QUORUM_API_KEY));
    if (version === null)
      return {
        ok: false,
        notKraft: true,
        message: `${conn.where} does not offer DescribeQuorum: not a KRaft cluster, or a release before Kafka 3.3.`,
      };
    const id = correlationId();
    conn.send(encodeDescribeQuorumRequest(version, id, CLIENT_ID), 'DescribeQuorum');
    const read = await conn.readFrame('DescribeQuorum');
    if (!read.ok) return read;
    const decoded = decodeDescribeQuorumResponse(read.frame, version);
    if (!decoded.ok)
      return {
        ok: false,
        notKraft: false,
        message: `${conn.where} answered DescribeQuorum v${version}, but ${decoded.reason}.`,
      };
    if (decoded.correlationId !== id)
      return conn.notKafka(
        read.frame,
        'the DescribeQuorum request',
        'the reply is for another request',
      );
    return { ok: true, quorum: decoded.quorum };
  });
}

/**
 * Asks each address in turn (within `budgetMs` in all) until one answers. Never rejects.
 */
export async function describeQuorum(
  addresses: readonly { readonly host: string; readonly port: number }[],
  budgetMs: number,
): Promise<QuorumResult> {
  const start = performance.now();
  const problems: string[] = [];
  for (const { host, port } of addresses) {
    const left = budgetMs - (performance.now() - start);
    if (left < 1) break;
    const answer = await askOne(host, port, left);
    if (answer.ok) return { ok: true, quorum: answer.quorum, from: `${host}:${port}` };
    if ('notKraft' in answer && answer.notKraft)
      return { ok: false, kind: 'not-kraft', message: answer.message };
    problems.push(answer.message);
  }
  return {
    ok: false,
    kind: 'failed',
    message:
      problems.length > 0
        ? problems.join(' ')
        : `No broker was asked for the quorum within ${Math.round(budgetMs)} ms.`,
  };
}
