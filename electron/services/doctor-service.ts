/**
 * The doctor behind doctor:run: diagnose() from the core over the connection's security settings
 * (TLS, SASL), plus `serverFix` when the setup wizard is logged in to the server behind this
 * bootstrap (it can rewrite advertised.listeners there).
 */
import { isIP } from 'node:net';
import type { Diagnosis } from '../shared/contract.js';
import { parseBootstrap } from '../shared/bootstrap.js';
import type { ConnectionSecurity } from '../shared/connection-security.js';
import { diagnose } from '../core/doctor/diagnose.js';

export async function runDoctor(
  bootstrap: string,
  opts: { topic?: string; frameBytes?: number; security?: ConnectionSecurity },
  sessionFor: (host: string) => string | null,
): Promise<Diagnosis> {
  const d = await diagnose(bootstrap, opts);
  const parsed = parseBootstrap(bootstrap);
  const host = parsed.ok ? parsed.entries[0]?.host : undefined;
  const sessionId = host === undefined ? null : sessionFor(host);
  const advertise = d.advertiseFix?.replace(/:\d+$/, '') ?? null;
  const serverFix =
    sessionId !== null && advertise !== null && isIP(advertise) === 4
      ? { sessionId, host: host ?? advertise, advertise }
      : null;
  return {
    ok: d.ok,
    bootstrap: d.bootstrap,
    clusterId: d.clusterId,
    controllerId: d.controllerId,
    brokerVersion: d.brokerVersion,
    checks: d.checks,
    brokers: d.brokers,
    findings: d.findings,
    durationMs: d.durationMs,
    serverFix,
  };
}
