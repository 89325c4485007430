/**
 * The cluster path's forms (issue 16): one server or a KRaft cluster of 3 or 5, each server's
 * address and login (one login for all, or one each), and the options that become a
 * setup:cluster-plan request.
 */
import {
  CLUSTER_SIZES,
  ClusterPlanRequest,
  SETUP_DEFAULTS,
  type SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import {
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
} from '../../../../electron/shared/setup-validate.js';
import type { PickedFile } from '../../shared/picked-file.js';
import { FormCheck, defaultAdvertise, fail, problemOf } from './form-check.js';
import { checkKafkaSource } from './kafka-source-check.js';
import { DEFAULT_LOGIN_FORM, type LoginForm } from './login-form.js';
import { modeVersionProblem, type SourceKind } from './options-form.js';
import { checkServer, type ServerTarget } from './server-form.js';

// ---- what to set up ----------------------------------------------------------------------------

export type ClusterSize = (typeof CLUSTER_SIZES)[number];
export type SetupKind = 'one' | 'cluster-3' | 'cluster-5';

export const SETUP_KIND_OPTIONS: readonly { value: SetupKind; label: string }[] = [
  { value: 'one', label: 'One server' },
  { value: 'cluster-3', label: 'A cluster of 3 servers' },
  { value: 'cluster-5', label: '5 servers' },
];

export function clusterSize(kind: SetupKind): ClusterSize | null {
  return kind === 'cluster-3' ? 3 : kind === 'cluster-5' ? 5 : null;
}

// ---- servers and logins ------------------------------------------------------------------------

export interface ClusterNodeForm {
  readonly host: string;
  /** Used with one login each (sameLogin false). */
  readonly port: string;
  readonly user: string;
  readonly login: LoginForm;
}

export interface ClusterServersForm {
  /** One user, port and login for every server (the default). */
  readonly sameLogin: boolean;
  readonly port: string;
  readonly user: string;
  readonly login: LoginForm;
  readonly nodes: readonly ClusterNodeForm[];
}

const EMPTY_NODE: ClusterNodeForm = {
  host: '',
  port: String(SETUP_DEFAULTS.sshPort),
  user: '',
  login: DEFAULT_LOGIN_FORM,
};

export function defaultServersForm(size: ClusterSize): ClusterServersForm {
  return {
    sameLogin: true,
    port: String(SETUP_DEFAULTS.sshPort),
    user: '',
    login: DEFAULT_LOGIN_FORM,
    nodes: Array.from({ length: size }, () => EMPTY_NODE),
  };
}

/** The same form for another number of servers: the first ones are kept. */
export function resizeServers(form: ClusterServersForm, size: ClusterSize): ClusterServersForm {
  const nodes = form.nodes.slice(0, size);
  while (nodes.length < size) nodes.push(EMPTY_NODE);
  return { ...form, nodes };
}

/** The login used for server i. */
export function loginFormFor(form: ClusterServersForm, i: number): LoginForm {
  return form.sameLogin ? form.login : (form.nodes[i]?.login ?? DEFAULT_LOGIN_FORM);
}

/** Where a problem in the servers form is: `host-2`, `user`, `user-0`, `port`, … */
export type ServersField = string;

/** Every server's address, port and user, checked; no server named twice. */
export function checkClusterServers(
  form: ClusterServersForm,
): FormCheck<ServerTarget[], ServersField> {
  const out: ServerTarget[] = [];
  for (const [i, n] of form.nodes.entries()) {
    const checked = checkServer({
      host: n.host,
      port: form.sameLogin ? form.port : n.port,
      user: form.sameLogin ? form.user : n.user,
    });
    if (!checked.ok) {
      const shared = form.sameLogin && checked.field !== 'host';
      return fail(
        shared ? checked.field : `${checked.field}-${i}`,
        `Server ${i + 1}: ${checked.error}`,
      );
    }
    const twice = out.findIndex((t) => t.host.toLowerCase() === checked.value.host.toLowerCase());
    if (twice >= 0)
      return fail(
        `host-${i}`,
        `Server ${i + 1} has the same address as server ${twice + 1}; a cluster needs a different server for each node.`,
      );
    out.push(checked.value);
  }
  return { ok: true, value: out };
}

/** The first server not logged in yet, or null when all are. */
export function nextToLogIn(sessions: readonly (unknown | null)[]): number | null {
  const i = sessions.findIndex((s) => s === null);
  return i < 0 ? null : i;
}

/** One short line about a server from what the wizard found there. */
export function factsLine(facts: SetupServerFacts): string {
  const os =
    facts.os.prettyName ?? ([facts.os.id, facts.os.versionId].filter(Boolean).join(' ') || 'Linux');
  const parts = [facts.os.supported ? os : `${os} (not supported: ${facts.os.reason ?? '?'})`];
  if (facts.arch !== null) parts.push(facts.arch);
  parts.push(facts.java === null ? 'no Java yet' : `Java ${facts.java.major}`);
  parts.push(facts.kafkaVersion === null ? 'no Kafka yet' : `Kafka ${facts.kafkaVersion} there`);
  if (facts.ufw === 'active') parts.push('firewall active');
  return parts.join(' · ');
}

/** A server's clock against this computer's, in words (null: unknown). */
export function skewText(s: number | null): string {
  if (s === null) return 'unknown';
  if (s === 0) return 'in step with this computer';
  return `${Math.abs(s)} s ${s > 0 ? 'ahead of' : 'behind'} this computer`;
}

// ---- options -----------------------------------------------------------------------------------

export interface ClusterOptionsForm {
  /** null = not edited: the KRaft default. */
  readonly kafkaVersion: string | null;
  readonly source: SourceKind;
  readonly mirrorUrl: string;
  readonly installDir: string;
  readonly openFirewall: boolean;
  /** Per server; null = not edited: its login address when that is an IPv4 address. */
  readonly advertise: readonly (string | null)[];
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptionsForm = {
  kafkaVersion: null,
  source: 'download',
  mirrorUrl: SETUP_DEFAULTS.mirrorUrl,
  installDir: SETUP_DEFAULTS.installDir,
  openFirewall: true,
  advertise: [],
};

export function clusterVersion(form: ClusterOptionsForm): string {
  return form.kafkaVersion ?? SETUP_DEFAULTS.kafkaVersion.kraft;
}

export function nodeAdvertise(form: ClusterOptionsForm, i: number, host: string): string {
  return form.advertise[i] ?? defaultAdvertise(host);
}

export function withAdvertise(
  form: ClusterOptionsForm,
  i: number,
  value: string,
): ClusterOptionsForm {
  const advertise = [...form.advertise];
  while (advertise.length <= i) advertise.push(null);
  advertise[i] = value;
  return { ...form, advertise };
}

export type ClusterOptionsField =
  'kafkaVersion' | `advertise-${number}` | 'installDir' | 'mirrorUrl' | 'tarball';

export interface ClusterNodeRef {
  readonly sessionId: string;
  /** The address logged in to. */
  readonly host: string;
  readonly facts: SetupServerFacts;
}

export function buildClusterPlanRequest(
  nodes: readonly ClusterNodeRef[],
  form: ClusterOptionsForm,
  tarball: PickedFile,
): FormCheck<ClusterPlanRequest, ClusterOptionsField> {
  const version = clusterVersion(form).trim();
  if (version === '') return fail('kafkaVersion', 'Type the Kafka version to install, e.g. 4.1.1.');
  const versionProblem =
    problemOf(() => validateKafkaVersion(version)) ?? modeVersionProblem('kraft', version);
  if (versionProblem !== null) return fail('kafkaVersion', versionProblem);

  const planNodes: { sessionId: string; advertise: string }[] = [];
  for (const [i, n] of nodes.entries()) {
    const advertise = nodeAdvertise(form, i, n.host).trim();
    if (advertise === '')
      return fail(
        `advertise-${i}`,
        `Server ${i + 1}: type the IPv4 address clients and the other servers reach it at (advertised.listeners).`,
      );
    const problem = problemOf(() => validateIPv4(advertise));
    if (problem !== null) return fail(`advertise-${i}`, `Server ${i + 1}: ${problem}`);
    const twice = planNodes.findIndex((p) => p.advertise === advertise);
    if (twice >= 0)
      return fail(
        `advertise-${i}`,
        `Servers ${twice + 1} and ${i + 1} would both advertise ${advertise}; each node needs its own address.`,
      );
    planNodes.push({ sessionId: n.sessionId, advertise });
  }

  const installDir = form.installDir.trim();
  const dirProblem = problemOf(() => validateInstallDir(installDir));
  if (dirProblem !== null) return fail('installDir', dirProblem);

  const source = checkKafkaSource(form, tarball);
  if (!source.ok) return source;

  const request: ClusterPlanRequest = {
    nodes: planNodes,
    kafkaVersion: version,
    installDir,
    source: source.value,
    openFirewall: form.openFirewall && nodes.some((n) => n.facts.ufw === 'active'),
  };
  const parsed = ClusterPlanRequest.safeParse(request);
  if (!parsed.success)
    return fail(
      'kafkaVersion',
      parsed.error.issues[0]?.message ?? 'These choices cannot be sent as they are.',
    );
  return { ok: true, value: request };
}
