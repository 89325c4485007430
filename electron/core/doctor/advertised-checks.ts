/**
 * The doctor's checks of the advertised addresses: each works (with the connection settings: TLS
 * to the advertised name, the login) and is the same cluster; compare.
 */
import { isIP } from 'node:net';
import { withTimeout } from '../kafka/client.js';
import { type ReachedEntry } from './bootstrap-checks.js';
import { type BrokerReport, type Diagnosis, STEP_MS } from './diagnosis-report.js';
import { finding, type Finding } from './findings.js';
import { hostPort, loopbackHost } from './host-port.js';
import { securityFinding } from './security-findings.js';
import { type ProbedBroker, type ProbeFailure } from './probe-types.js';
import { probeMetadata, probeTcp } from './probes.js';

/** 6. every advertised address; resolves with whether they all work. */
export function checkAdvertisedAddresses(
  d: Diagnosis,
  meta: ProbedBroker[],
  seed: string,
  seedLoopback: boolean,
): Promise<boolean> {
  const { out, findings } = d;
  return d.timed('advertised', async () => {
    const reports = await Promise.all(meta.map((b) => checkAdvertised(d, b, seed, seedLoopback)));
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
}

async function checkAdvertised(
  d: Diagnosis,
  b: ProbedBroker,
  seed: string,
  seedLoopback: boolean,
): Promise<{ report: BrokerReport; detail: string; finding?: Finding }> {
  const { out, left, resolve } = d;
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
        (await withTimeout(resolve(b.host), left(STEP_MS.resolve), `Resolving ${b.host}`))[0] ?? '';
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
  const there = await probeMetadata(
    ip,
    b.port,
    left(STEP_MS.metadata),
    undefined,
    d.security.probe(b.host),
  );
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

/** 7. compare: the x.y.z.w:9092 rule (a bootstrap address should be an advertised one). */
export async function checkCompare(
  d: Diagnosis,
  reachable: ReachedEntry[],
  seed: string,
  advertisedOk: boolean,
): Promise<void> {
  const { out, findings, timed } = d;
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
}

function failureAt(advertised: string, fixTo: string, f: ProbeFailure): Finding {
  if (f.kind === 'tls') return finding.listenerTls(advertised);
  const secured = f.security === undefined ? null : securityFinding(advertised, f.security);
  if (secured !== null) return secured;
  return finding.advertisedUnreachable(advertised, fixTo, f.kind, f.message);
}
