/** The doctor's checks of the bootstrap list: resolving its names, then TCP to each address. */
import { type BootstrapEntry } from '../../shared/bootstrap.js';
import { withTimeout } from '../kafka/client.js';
import { type Diagnosis, STEP_MS } from './diagnosis-report.js';
import { finding } from './findings.js';
import { type ProbeFailure } from './probe-types.js';
import { probeTcp } from './probes.js';

/** A bootstrap entry and the address it resolved to (null when it did not). */
export interface ResolvedEntry {
  entry: BootstrapEntry;
  ip: string | null;
  error?: string;
}

/** A resolved entry and what connecting to it gave. */
export type ReachedEntry = ResolvedEntry & { tcp: { ok: true; ms: number } | ProbeFailure };

/** 2. resolve names (IPs need none); resolves with the entries that have an address. */
export function checkResolve(
  d: Diagnosis,
  entries: readonly BootstrapEntry[],
): Promise<ResolvedEntry[]> {
  const { findings, left, resolve } = d;
  return d.timed('resolve', async () => {
    const results = await Promise.all(
      entries.map(async (e): Promise<ResolvedEntry> => {
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
      }),
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
}

/** 3. TCP to each bootstrap address; resolves with the entries that answered. */
export function checkTcp(d: Diagnosis, resolved: ResolvedEntry[]): Promise<ReachedEntry[]> {
  const { findings, left } = d;
  return d.timed('tcp', async () => {
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
}
