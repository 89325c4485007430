/**
 * The connection doctor: why a broker cannot be used from here, and what to change.
 *
 * Checks, in order, each with its own time limit inside one overall budget (default 10 s, so an
 * unreachable cluster is diagnosed in seconds, never an endless spinner):
 *   parse → resolve names → TCP to each bootstrap address → [TLS: certificate, name, client
 *   certificate] → ApiVersions (broker version, TLS / non-Kafka listeners) → [SASL: mechanism,
 *   login] → metadata (cluster id, controller, advertised brokers; SASL listeners) → each
 *   advertised address: resolve, TCP, metadata (cluster id) → compare → topic limit.
 * Every probe connects with the connection settings (`security`, default PLAINTEXT): TLS with
 * the CA, client certificate and name rule given; the login before the metadata, on the same
 * connection. Probes speak the Kafka protocol directly (probes.ts, sasl-login.ts); only the topic
 * check uses kafkajs, and only once the advertised addresses are known to work.
 *
 * This file runs the checks in order and stops at the first that leaves nothing to go on; the
 * checks are in bootstrap-checks.ts, secure-seed-checks.ts, seed-broker-checks.ts,
 * advertised-checks.ts and topic-check.ts, and the report they fill in is diagnosis-report.ts.
 */
import { lookup } from 'node:dns/promises';
import { isLoopback, parseBootstrap } from '../../shared/bootstrap.js';
import type { ConnectionSecurity } from '../../shared/connection-security.js';
import { checkAdvertisedAddresses, checkCompare } from './advertised-checks.js';
import { checkResolve, checkTcp } from './bootstrap-checks.js';
import { startDiagnosis, TITLES, type DiagnoseResult } from './diagnosis-report.js';
import { finding } from './findings.js';
import { hostPort } from './host-port.js';
import { doctorSecurity } from './probe-security.js';
import { checkSasl, checkTls } from './secure-seed-checks.js';
import { checkApiVersions, checkMetadata } from './seed-broker-checks.js';
import { checkTopic } from './topic-check.js';

export type { BrokerReport, Check, CheckStatus, DiagnoseResult } from './diagnosis-report.js';

export interface DiagnoseOptions {
  /** Whole diagnosis budget (default 10 s). */
  budgetMs?: number;
  /** Also check this topic's max.message.bytes against `frameBytes`. */
  topic?: string;
  frameBytes?: number;
  /** Name resolution (default: the OS resolver via dns.lookup). */
  resolve?: (host: string) => Promise<string[]>;
  /** TLS and SASL settings to connect with (default: PLAINTEXT). */
  security?: ConnectionSecurity;
}

export const DEFAULT_BUDGET_MS = 10_000;

async function osResolve(host: string): Promise<string[]> {
  const all = await lookup(host, { all: true });
  return all.map((a) => a.address);
}

export async function diagnose(
  bootstrap: string,
  opts: DiagnoseOptions = {},
): Promise<DiagnoseResult> {
  const d = startDiagnosis(
    bootstrap,
    opts.budgetMs ?? DEFAULT_BUDGET_MS,
    opts.resolve ?? osResolve,
    doctorSecurity(opts.security),
  );
  const { out, checks, findings, finish } = d;

  // 1. parse
  const parsed = parseBootstrap(bootstrap);
  if (!parsed.ok) {
    checks.push({
      id: 'parse',
      title: TITLES.parse,
      status: 'failed',
      detail: parsed.error,
      ms: 0,
    });
    findings.push(finding.bootstrapInvalid(parsed.error));
    return finish();
  }
  out.bootstrap = parsed.normalized;
  checks.push({
    id: 'parse',
    title: TITLES.parse,
    status: 'ok',
    detail: parsed.brokers.join(', '),
    ms: 0,
  });

  const resolved = await checkResolve(d, parsed.entries);
  if (resolved.length === 0) return finish();

  const reachable = await checkTcp(d, resolved);
  const first = reachable[0];
  if (!first) return finish();
  const seedHost = first.ip ?? first.entry.host;
  const seed = first.entry.address;
  // What the broker should advertise: the address the person reached it at (an IP where we have one).
  out.advertiseFix = hostPort(
    first.entry.kind === 'hostname' && first.ip ? first.ip : first.entry.host,
    first.entry.port,
  );

  const seedBroker = {
    address: seed,
    host: seedHost,
    port: first.entry.port,
    name: first.entry.host,
  };

  if (d.security.usesTls && !(await checkTls(d, seedBroker))) return finish();
  const apis = await checkApiVersions(d, seedBroker);
  if (apis === null) return finish();
  if (d.security.usesSasl && !(await checkSasl(d, seedBroker))) return finish();

  const meta = await checkMetadata(d, seedBroker, apis);
  if (meta === null) return finish();

  const seedLoopback = parsed.entries.every((e) => isLoopback(e));
  const advertisedOk = await checkAdvertisedAddresses(d, meta, seed, seedLoopback);
  await checkCompare(d, reachable, seed, advertisedOk);
  await checkTopic(d, parsed.normalized, opts, advertisedOk);
  return finish();
}
