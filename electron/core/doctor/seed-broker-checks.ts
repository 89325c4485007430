/**
 * The doctor's checks of the first broker that answered: ApiVersions (its version), then metadata,
 * both with the connection settings (TLS, a SASL login before the metadata: secure-seed-checks.ts
 * checks those first).
 */
import { clientCompatibility, describeBrokerVersion } from './broker-versions.js';
import { type Diagnosis, STEP_MS } from './diagnosis-report.js';
import { finding } from './findings.js';
import { hostPort } from './host-port.js';
import { type ApiRanges, type ProbedBroker } from './probe-types.js';
import { probeApiVersions, probeMetadata, probeSaslMechanisms, probeTls } from './probes.js';
import { securityFailureFinding } from './secure-seed-checks.js';

/** The broker the next checks ask: the address it was reached at, and the host to connect to. */
export interface Seed {
  /** host:port as the person wrote it. */
  address: string;
  /** The IP it resolved to, or the host as written. */
  host: string;
  port: number;
  /** The host as written: the name a TLS certificate must carry. */
  name: string;
}

/** 4. ApiVersions: the broker's version and whether this client can talk to it; null when not. */
export function checkApiVersions(d: Diagnosis, s: Seed): Promise<ApiRanges | null> {
  const { out, findings, left } = d;
  const { address: seed, host: seedHost, port } = s;
  return d.timed('api-versions', async () => {
    const r = await probeApiVersions(seedHost, port, left(STEP_MS.api), d.security.probe(s.name));
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
    // TLS where none was chosen, or a secured connection refused: say which and what to choose
    const secured = await securityFailureFinding(d, s, r);
    if (secured !== null) {
      findings.push(secured);
      return { status: 'failed', detail: r.message, value: null };
    }
    // Not a plaintext Kafka answer: is it TLS?
    const tls =
      d.security.usesTls || r.kind === 'security'
        ? { ok: false as const }
        : r.kind === 'tls'
          ? { ok: true as const }
          : await probeTls(seedHost, port, left(STEP_MS.api));
    if (tls.ok) {
      findings.push(finding.listenerTls(seed));
      return { status: 'failed', detail: `${seed} speaks TLS, not plaintext Kafka.`, value: null };
    }
    findings.push(finding.notKafka(seed, r.message));
    return { status: 'failed', detail: r.message, value: null };
  });
}

/** 5. metadata: cluster id, controller and the advertised brokers; null when it was not read. */
export function checkMetadata(
  d: Diagnosis,
  s: Seed,
  apis: ApiRanges,
): Promise<ProbedBroker[] | null> {
  const { out, findings, left, deadline } = d;
  const { address: seed, host: seedHost, port } = s;
  return d.timed('metadata', async () => {
    const security = d.security.probe(s.name);
    let r = await probeMetadata(seedHost, port, left(STEP_MS.metadata), apis, security);
    // a broker that is just starting answers with no brokers for a moment: ask again while the budget allows
    while (r.ok && r.brokers.length === 0 && deadline - performance.now() > 3000) {
      await new Promise((res) => setTimeout(res, 500));
      r = await probeMetadata(seedHost, port, left(STEP_MS.metadata), apis, security);
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
    const secured = await securityFailureFinding(d, s, r);
    if (secured !== null) {
      findings.push(secured);
      return { status: 'failed', detail: r.message, value: null };
    }
    if ((r.kind === 'closed' || r.kind === 'reset') && !d.security.usesSasl) {
      // a login is wanted: over the same TLS as chosen (its certificate already checked)
      const tls = security.tls === null ? null : { ...security.tls, verify: false };
      const sasl = await probeSaslMechanisms(seedHost, port, left(STEP_MS.metadata), tls);
      if (sasl.ok && sasl.mechanisms.length > 0) {
        findings.push(
          finding.listenerSasl(
            seed,
            sasl.mechanisms,
            d.security.usesTls ? 'SASL_SSL' : 'SASL_PLAINTEXT',
            d.security.usesTls ? 'SSL' : 'PLAINTEXT',
          ),
        );
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
}
