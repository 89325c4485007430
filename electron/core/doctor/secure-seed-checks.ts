/**
 * The doctor's checks of a secured connection to the first broker that answered (issue 15): the
 * TLS check (handshake, the broker's certificate against the CA and the name, ours if it wants
 * one — up to the first answer, since TLS 1.3 refuses a client certificate after the handshake)
 * and the SASL check (the mechanism, then the login). A problem becomes its finding
 * (security-findings.ts); a listener that speaks another protocol gets the one to choose.
 */
import { type Diagnosis, STEP_MS } from './diagnosis-report.js';
import { finding, type Finding } from './findings.js';
import { whatListenerSpeaks } from './probe-security.js';
import type { ProbeFailure } from './probe-types.js';
import { probeApiVersions, probeSaslLogin } from './probes.js';
import { protocolFinding, securityFinding } from './security-findings.js';
import type { Seed } from './seed-broker-checks.js';

/**
 * The finding for a probe failure of kind 'security' (or a plaintext probe that met TLS), asking
 * the listener what it speaks when the protocol is the problem; null when it is neither.
 */
export async function securityFailureFinding(
  d: Diagnosis,
  s: Seed,
  f: ProbeFailure,
): Promise<Finding | null> {
  const p = f.security;
  const protocolProblem =
    (f.kind === 'security' && (p?.kind === 'not-tls' || p?.kind === 'not-sasl')) ||
    (f.kind === 'tls' && !d.security.usesTls);
  if (protocolProblem) {
    const speaks = await whatListenerSpeaks(s.host, s.port, s.name, d.left(STEP_MS.api));
    if (speaks !== null && speaks.protocol !== d.security.protocol)
      return protocolFinding(s.address, d.security.protocol, speaks.protocol, speaks.mechanisms);
    return null;
  }
  if (f.kind === 'security' && p !== undefined) return securityFinding(s.address, p);
  return null;
}

/** TLS: resolves true when the handshake and a first answer went through with these settings. */
export function checkTls(d: Diagnosis, s: Seed): Promise<boolean> {
  return d.timed('tls', async () => {
    const r = await probeApiVersions(s.host, s.port, d.left(STEP_MS.tls), d.security.probe(s.name));
    if (r.ok) {
      const client = d.security.settings.tls?.client ? '; our client certificate accepted' : '';
      const name = d.security.settings.tls?.verifyHostname === false ? 'not checked (off)' : s.name;
      return {
        status: 'ok',
        detail: `${s.address}: the certificate verifies (name: ${name})${client}, in ${r.ms} ms.`,
        value: true,
      };
    }
    d.findings.push(
      (await securityFailureFinding(d, s, r)) ?? finding.notKafka(s.address, r.message),
    );
    return { status: 'failed', detail: r.message, value: false };
  });
}

/** SASL: the mechanism and the login; resolves true when the broker accepted it. */
export function checkSasl(d: Diagnosis, s: Seed): Promise<boolean> {
  return d.timed('sasl', async () => {
    const probe = d.security.probe(s.name);
    if (probe.sasl === null)
      return { status: 'skipped', detail: 'No SASL login in the settings.', value: true };
    const r = await probeSaslLogin(s.host, s.port, d.left(STEP_MS.sasl), probe.tls, probe.sasl);
    const sasl = probe.sasl.sasl;
    if (r.ok)
      return {
        status: 'ok',
        detail: `${s.address} enables ${sasl.mechanism} and accepted the login${sasl.mechanism === 'OAUTHBEARER' ? '' : ` of "${sasl.username}"`} (${r.ms} ms).`,
        value: true,
      };
    d.findings.push(
      (await securityFailureFinding(d, s, r)) ?? finding.notKafka(s.address, r.message),
    );
    return { status: 'failed', detail: r.message, value: false };
  });
}
