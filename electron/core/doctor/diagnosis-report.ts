/** A diagnosis in progress: its time budget, and the report being assembled check by check. */
import { ADVERTISED_FIXABLE, type Finding } from './findings.js';
import type { DoctorSecurity } from './probe-security.js';

export type CheckStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface Check {
  id:
    | 'parse'
    | 'resolve'
    | 'tcp'
    | 'tls'
    | 'api-versions'
    | 'sasl'
    | 'metadata'
    | 'advertised'
    | 'compare'
    | 'topic';
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

export const STEP_MS = {
  resolve: 2000,
  tcp: 2500,
  tls: 2500,
  api: 2500,
  sasl: 2500,
  metadata: 2500,
  topic: 3000,
} as const;

export const TITLES: Record<Check['id'], string> = {
  parse: 'Read the bootstrap list',
  resolve: 'Resolve names',
  tcp: 'Reach each bootstrap address (TCP)',
  tls: "TLS: the broker's certificate, and ours",
  'api-versions': 'Speak Kafka (ApiVersions): broker version',
  sasl: 'SASL: the mechanism and the login',
  metadata: 'Metadata: cluster id, controller, advertised brokers',
  advertised: 'Reach every advertised address',
  compare: 'Bootstrap and advertised addresses agree',
  topic: 'Topic accepts frames of this size',
};

export const ORDER = Object.keys(TITLES) as Check['id'][];

/** One check's outcome, and the value the next checks go on with. */
export interface CheckOutcome<T> {
  status: CheckStatus;
  detail: string;
  value: T;
}

/** The diagnosis the checks add to: the result, its checks and findings, and the time left. */
export interface Diagnosis {
  readonly out: DiagnoseResult;
  readonly checks: Check[];
  readonly findings: Finding[];
  /** performance.now() at which the whole budget is spent. */
  readonly deadline: number;
  /** A check step's time limit: its own, cut to what is left of the budget (at least 200 ms). */
  left(step: number): number;
  /** Name resolution (options.resolve, or the OS resolver). */
  resolve(host: string): Promise<string[]>;
  /** The connection settings the probes use (TLS, SASL). */
  readonly security: DoctorSecurity;
  /** Runs a check and records it with its duration; resolves with the check's value. */
  timed<T>(id: Check['id'], run: () => Promise<CheckOutcome<T>>): Promise<T>;
  /** Fills in the checks not reached as skipped, in order, and settles ok and the advertise fix. */
  finish(): DiagnoseResult;
}

export function startDiagnosis(
  bootstrap: string,
  budgetMs: number,
  resolve: (host: string) => Promise<string[]>,
  security: DoctorSecurity,
): Diagnosis {
  // the TLS and SASL checks are listed only when the connection settings use them
  const ids = ORDER.filter(
    (id) => (id !== 'tls' || security.usesTls) && (id !== 'sasl' || security.usesSasl),
  );
  const started = performance.now();
  const deadline = started + budgetMs;
  const left = (step: number): number =>
    Math.max(200, Math.min(step, deadline - performance.now()));
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
    for (const id of ids) {
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
  const timed = async <T>(id: Check['id'], run: () => Promise<CheckOutcome<T>>): Promise<T> => {
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
  return { out, checks, findings, deadline, left, resolve, security, timed, finish };
}
