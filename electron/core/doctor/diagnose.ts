/**
 * The connection doctor: why a broker cannot be used from here, and what to change.
 *
 * Checks, in order, each with its own time limit inside one overall budget (default 10 s, so an
 * unreachable cluster is diagnosed in seconds, never an endless spinner):
 *   parse → resolve names → TCP to each bootstrap address → ApiVersions (broker version, TLS /
 *   non-Kafka listeners) → metadata (cluster id, controller, advertised brokers; SASL listeners)
 *   → each advertised address: resolve, TCP, metadata (cluster id) → compare → topic limit.
 * Probes speak the Kafka protocol directly (probes.ts); only the topic check uses kafkajs,
 * and only once the advertised addresses are known to work (kafkajs follows them).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isLoopback, parseBootstrap, type BootstrapEntry } from '../../shared/bootstrap.js';
import { createKafka, withTimeout } from '../kafka/client.js';
import { topicMaxMessageBytes, topicExists, withAdmin } from '../kafka/topics.js';
import { ADVERTISED_FIXABLE, finding, type Finding } from './findings.js';
import { clientCompatibility, describeBrokerVersion } from './broker-versions.js';
import { type ProbedBroker, type ProbeFailure } from './probe-types.js';
import {
  probeApiVersions,
  probeMetadata,
  probeSaslMechanisms,
  probeTcp,
  probeTls,
} from './probes.js';

export type CheckStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface Check {
  id:
    'parse' | 'resolve' | 'tcp' | 'api-versions' | 'metadata' | 'advertised' | 'compare' | 'topic';
  title: string;
  status: CheckStatus;
  detail: string;
  ms: number;
}

export interface BrokerReport {
  nodeId: number;
  advertised: string;
  reachable: boolean;
  clusterId: string | null;
}

export interface DiagnoseResult {
  ok: boolean;
  bootstrap: string;
  clusterId: string | null;
  controllerId: number | null;
  brokerVersion: string | null;
  checks: Check[];
  brokers: BrokerReport[];
  findings: Finding[];
  durationMs: number;
  /** The address to advertise when a finding is fixed by advertised.listeners (null when none is). */
  advertiseFix: string | null;
}

export interface DiagnoseOptions {
  /** Whole diagnosis budget (default 10 s). */
  budgetMs?: number;
  /** Also check this topic's max.message.bytes against `frameBytes`. */
  topic?: string;
  frameBytes?: number;
  /** Name resolution (default: the OS resolver via dns.lookup). */
  resolve?: (host: string) => Promise<string[]>;
}

export const DEFAULT_BUDGET_MS = 10_000;
const STEP_MS = { resolve: 2000, tcp: 2500, api: 2500, metadata: 2500, topic: 3000 } as const;

const TITLES: Record<Check['id'], string> = {
  parse: 'Read the bootstrap list',
  resolve: 'Resolve names',
  tcp: 'Reach each bootstrap address (TCP)',
  'api-versions': 'Speak Kafka (ApiVersions): broker version',
  metadata: 'Metadata: cluster id, controller, advertised brokers',
  advertised: 'Reach every advertised address',
  compare: 'Bootstrap and advertised addresses agree',
  topic: 'Topic accepts frames of this size',
};

const ORDER = Object.keys(TITLES) as Check['id'][];

async function osResolve(host: string): Promise<string[]> {
  const all = await lookup(host, { all: true });
  return all.map((a) => a.address);
}

const hostPort = (host: string, port: number): string =>
  isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;

function loopbackHost(host: string): boolean {
  const kind = isIP(host) === 4 ? 'ipv4' : isIP(host) === 6 ? 'ipv6' : 'hostname';
  return isLoopback({ host, kind });
}

export async function diagnose(
  bootstrap: string,
  opts: DiagnoseOptions = {},
): Promise<DiagnoseResult> {
  const started = performance.now();
  const deadline = started + (opts.budgetMs ?? DEFAULT_BUDGET_MS);
  const left = (step: number): number =>
    Math.max(200, Math.min(step, deadline - performance.now()));
  const resolve = opts.resolve ?? osResolve;
  const checks: Check[] = [];
  const findings: Finding[] = [];
  const out: DiagnoseResult = {
    ok: false,
    bootstrap,
    clusterId: null,
    controllerId: null,
    brokerVersion: null,
    checks,
    brokers: [],
    findings,
    durationMs: 0,
    advertiseFix: null,
  };
  const finish = (): DiagnoseResult => {
    for (const id of Object.keys(TITLES) as Check['id'][]) {
      if (!checks.some((c) => c.id === id))
        checks.push({
          id,
          title: TITLES[id],
          status: 'skipped',
          detail: 'Not reached: an earlier check failed.',
          ms: 0,
        });
    }
    checks.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
    out.ok = findings.length === 0;
    out.durationMs = Math.round(performance.now() - started);
    if (!findings.some((f) => ADVERTISED_FIXABLE.has(f.code))) out.advertiseFix = null;
    return out;
  };
  const timed = async <T>(
    id: Check['id'],
    run: () => Promise<{ status: CheckStatus; detail: string; value: T }>,
  ): Promise<T> => {
    const t0 = performance.now();
    const r = await run();
    checks.push({
      id,
      title: TITLES[id],
      status: r.status,
      detail: r.detail,
      ms: Math.round(performance.now() - t0),
    });
    return r.value;
  };

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

  // 2. resolve names (IPs need none)
  const resolved = await timed('resolve', async () => {
    const results = await Promise.all(
      parsed.entries.map(
        async (e): Promise<{ entry: BootstrapEntry; ip: string | null; error?: string }> => {
          if (e.kind !== 'hostname') return { entry: e, ip: e.host };
          try {
            const ips = await withTimeout(
              resolve(e.host),
              left(STEP_MS.resolve),
              `Resolving ${e.host}`,
            );
            return { entry: e, ip: ips[0] ?? null, ...(ips[0] ? {} : { error: 'no addresses' }) };
          } catch (err) {
            return { entry: e, ip: null, error: err instanceof Error ? err.message : String(err) };
          }
        },
      ),
    );
    for (const r of results)
      if (r.ip === null)
        findings.push(finding.bootstrapUnresolved(r.entry.host, r.error ?? 'no answer'));
    const names = results.filter((r) => r.entry.kind === 'hostname');
    const detail =
      names.length === 0
        ? 'Only addresses, nothing to resolve.'
        : names
            .map((r) => `${r.entry.host} → ${r.ip ?? `not resolved (${r.error ?? '?'})`}`)
            .join('; ');
    return {
      status: results.every((r) => r.ip !== null) ? 'ok' : 'failed',
      detail,
      value: results.filter((r) => r.ip !== null),
    };
  });
  if (resolved.length === 0) return finish();

  // 3. TCP to each bootstrap address
  const reachable = await timed('tcp', async () => {
    const results = await Promise.all(
      resolved.map(async (r) => ({
        ...r,
        tcp: await probeTcp(r.ip ?? r.entry.host, r.entry.port, left(STEP_MS.tcp)),
      })),
    );
    for (const r of results)
      if (!r.tcp.ok)
        findings.push(finding.bootstrapUnreachable(r.entry.address, r.tcp.kind, r.tcp.message));
    const detail = results
      .map((r) =>
        r.tcp.ok
          ? `${r.entry.address} answered in ${r.tcp.ms} ms`
          : `${r.entry.address}: ${r.tcp.message}`,
      )
      .join('; ');
    return {
      status: results.every((r) => r.tcp.ok) ? 'ok' : 'failed',
      detail,
      value: results.filter((r) => r.tcp.ok),
    };
  });
  const first = reachable[0];
  if (!first) return finish();
  const seedHost = first.ip ?? first.entry.host;
  const seed = first.entry.address;
  // What the broker should advertise: the address the person reached it at (an IP where we have one).
  out.advertiseFix = hostPort(
    first.entry.kind === 'hostname' && first.ip ? first.ip : first.entry.host,
    first.entry.port,
  );

  // 4. ApiVersions
  const apis = await timed('api-versions', async () => {
    const r = await probeApiVersions(seedHost, first.entry.port, left(STEP_MS.api));
    if (r.ok) {
      const version = describeBrokerVersion(r.apis);
      out.brokerVersion = version;
      const compat = clientCompatibility(r.apis);
      if (compat.tooOld) findings.push(finding.brokerTooOld(seed, version, compat.tooOld));
      if (compat.tooNew) findings.push(finding.brokerTooNew(seed, version, compat.tooNew));
      const bad = compat.tooOld !== null || compat.tooNew !== null;
      return {
        status: bad ? 'failed' : 'ok',
        detail: `Kafka ${version}, answered in ${r.ms} ms`,
        value: bad ? null : r.apis,
      };
    }
    // Not a plaintext Kafka answer: is it TLS?
    const tls =
      r.kind === 'tls'
        ? { ok: true as const }
        : await probeTls(seedHost, first.entry.port, left(STEP_MS.api));
    if (tls.ok) {
      findings.push(finding.listenerTls(seed));
      return { status: 'failed', detail: `${seed} speaks TLS, not plaintext Kafka.`, value: null };
    }
    findings.push(finding.notKafka(seed, r.message));
    return { status: 'failed', detail: r.message, value: null };
  });
  if (apis === null) return finish();

  // 5. metadata
  const meta = await timed('metadata', async () => {
    let r = await probeMetadata(seedHost, first.entry.port, left(STEP_MS.metadata), apis);
    // a broker that is just starting answers with no brokers for a moment: ask again while the budget allows
    while (r.ok && r.brokers.length === 0 && deadline - performance.now() > 3000) {
      await new Promise((res) => setTimeout(res, 500));
      r = await probeMetadata(seedHost, first.entry.port, left(STEP_MS.metadata), apis);
    }
    if (r.ok && r.brokers.length === 0) {
      findings.push(finding.brokerNotReady(seed));
      return {
        status: 'failed',
        detail: `cluster ${r.clusterId ?? '?'}: the metadata names no broker yet.`,
        value: null,
      };
    }
    if (r.ok) {
      out.clusterId = r.clusterId;
      out.controllerId = r.controllerId;
      const names = r.brokers.map((b) => `${b.nodeId} → ${hostPort(b.host, b.port)}`).join(', ');
      return {
        status: 'ok',
        detail: `cluster ${r.clusterId ?? '?'}, controller ${r.controllerId ?? '?'}, brokers: ${names || 'none'}`,
        value: r.brokers,
      };
    }
    if (r.kind === 'closed' || r.kind === 'reset') {
      const sasl = await probeSaslMechanisms(seedHost, first.entry.port, left(STEP_MS.metadata));
      if (sasl.ok && sasl.mechanisms.length > 0) {
        findings.push(finding.listenerSasl(seed, sasl.mechanisms));
        return {
          status: 'failed',
          detail: `${seed} closed the connection at the metadata request and offers SASL ${sasl.mechanisms.join(', ')}.`,
          value: null,
        };
      }
    }
    findings.push(finding.notKafka(seed, r.message));
    return { status: 'failed', detail: r.message, value: null };
  });
  if (meta === null) return finish();

  // 6. every advertised address
  const seedLoopback = parsed.entries.every((e) => isLoopback(e));
  const advertisedOk = await timed('advertised', async () => {
    const reports = await Promise.all(meta.map((b) => checkAdvertised(b)));
    out.brokers = reports.map((r) => r.report);
    const problems = reports.flatMap((r) => (r.finding ? [r.finding] : []));
    findings.push(...problems);
    const detail =
      reports.map((r) => `${r.report.advertised}: ${r.detail}`).join('; ') ||
      'The metadata named no broker.';
    return {
      status: problems.length === 0 && reports.length > 0 ? 'ok' : 'failed',
      detail,
      value: problems.length === 0 && reports.length > 0,
    };
  });

  async function checkAdvertised(
    b: ProbedBroker,
  ): Promise<{ report: BrokerReport; detail: string; finding?: Finding }> {
    const advertised = hostPort(b.host, b.port);
    const report: BrokerReport = {
      nodeId: b.nodeId,
      advertised,
      reachable: false,
      clusterId: null,
    };
    const fixTo = out.advertiseFix ?? seed;
    if (loopbackHost(b.host) && !seedLoopback) {
      return {
        report,
        detail: 'a loopback address (this computer, not the server)',
        finding: finding.advertisedLoopback(seed, advertised, fixTo),
      };
    }
    let ip = b.host;
    if (isIP(b.host) === 0) {
      try {
        ip =
          (await withTimeout(resolve(b.host), left(STEP_MS.resolve), `Resolving ${b.host}`))[0] ??
          '';
        if (ip === '') throw new Error('no addresses');
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        return {
          report,
          detail: `does not resolve (${why})`,
          finding: finding.advertisedUnresolvable(advertised, fixTo, why),
        };
      }
    }
    const tcp = await probeTcp(ip, b.port, left(STEP_MS.tcp));
    if (!tcp.ok)
      return {
        report,
        detail: tcp.message,
        finding: finding.advertisedUnreachable(advertised, fixTo, tcp.kind, tcp.message),
      };
    report.reachable = true;
    const there = await probeMetadata(ip, b.port, left(STEP_MS.metadata));
    if (!there.ok)
      return {
        report,
        detail: `reachable, but ${there.message}`,
        finding: failureAt(advertised, fixTo, there),
      };
    report.clusterId = there.clusterId;
    if (out.clusterId !== null && there.clusterId !== null && there.clusterId !== out.clusterId) {
      return {
        report,
        detail: `another cluster (${there.clusterId}) answers there`,
        finding: finding.advertisedOtherCluster(advertised, fixTo, there.clusterId, out.clusterId),
      };
    }
    return { report, detail: `reachable, same cluster (${tcp.ms} ms)` };
  }

  // 7. compare: the x.y.z.w:9092 rule
  await timed('compare', async () => {
    const advertised = out.brokers.map((b) => b.advertised.toLowerCase());
    const used = reachable.map((r) => r.entry.address.toLowerCase());
    const agreed = used.some((u) => advertised.includes(u));
    if (agreed || advertised.length === 0 || !advertisedOk) {
      return {
        status: agreed ? 'ok' : 'skipped',
        detail: agreed
          ? `${seed} is an advertised address.`
          : 'Compared only when every advertised address works.',
        value: undefined,
      };
    }
    findings.push(
      finding.bootstrapNotAdvertised(
        seed,
        out.brokers.map((b) => b.advertised),
      ),
    );
    return {
      status: 'warning',
      detail: `${seed} is not among ${out.brokers.map((b) => b.advertised).join(', ')}.`,
      value: undefined,
    };
  });

  // 8. topic limit (kafkajs: it follows the advertised addresses, which now are known to work)
  if (opts.topic !== undefined && opts.frameBytes !== undefined && advertisedOk) {
    const topic = opts.topic;
    const frameBytes = opts.frameBytes;
    await timed('topic', async () => {
      const handle = createKafka({ bootstrap: parsed.normalized, retries: 0 });
      try {
        const max = await withTimeout(
          withAdmin(handle, async (admin) =>
            (await topicExists(admin, topic)) ? topicMaxMessageBytes(admin, topic) : null,
          ),
          left(STEP_MS.topic),
          `Reading topic ${topic}`,
        );
        if (max === null)
          return {
            status: 'ok',
            detail: `Topic "${topic}" does not exist yet; it will be made to fit frames.`,
            value: undefined,
          };
        if (max < frameBytes) {
          findings.push(finding.topicMessageTooSmall(topic, max, frameBytes));
          return {
            status: 'failed',
            detail: `max.message.bytes ${max} < frame ${frameBytes}`,
            value: undefined,
          };
        }
        return {
          status: 'ok',
          detail: `max.message.bytes ${max} ≥ frame ${frameBytes}`,
          value: undefined,
        };
      } catch (e) {
        return {
          status: 'warning',
          detail: `Could not read the topic's settings: ${e instanceof Error ? e.message : String(e)}`,
          value: undefined,
        };
      }
    });
  } else if (advertisedOk) {
    checks.push({
      id: 'topic',
      title: TITLES.topic,
      status: 'skipped',
      detail: 'No topic and frame size given.',
      ms: 0,
    });
  }
  return finish();
}

function failureAt(advertised: string, fixTo: string, f: ProbeFailure): Finding {
  if (f.kind === 'tls') return finding.listenerTls(advertised);
  return finding.advertisedUnreachable(advertised, fixTo, f.kind, f.message);
}
