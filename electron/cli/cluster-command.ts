/**
 * `kvs setup-cluster`: install a KRaft cluster of 3 (or 5) servers over SSH, one login for all
 * (issue 16; core/setup/cluster-install.ts), then prove it from this computer: every broker in the
 * metadata at its advertised address, a controller quorum with a leader and every voter caught up,
 * and frames there and back through a topic with replication factor 3 and min.insync.replicas 2
 * (acks=all). Passwords come from stdin only, as for `kvs setup`.
 */
import path from 'node:path';
import { SETUP_DEFAULTS } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import { validateIPv4 } from '../shared/setup-validate.js';
import {
  clusterIdentity,
  planCluster,
  preflightCluster,
  readNodeStorage,
  runClusterPlans,
  type ClusterServer,
} from '../core/setup/cluster-install.js';
import { renderPlan } from '../core/setup/dry-run.js';
import { detectServer, verifyFromLaptop } from '../core/setup/executor.js';
import { waitForQuorum } from '../core/setup/quorum-check.js';
import { rollingRestart } from '../core/setup/rolling-restart.js';
import { createKafka } from '../core/kafka/client.js';
import { DEFAULT_INSTALL_DIR } from '../core/setup/scripts.js';
import { parseCommand, requireOption, type CommandSpec, type DocumentedOptions } from './args.js';
import type { CliIo } from './cli-io.js';
import {
  LOGIN_NOTE,
  LOGIN_OPTIONS,
  openLogin,
  readLoginSecrets,
  toKvs,
  type LoginSecrets,
} from './ssh-login.js';

const { host: _host, 'host-key': _hostKey, ...CLUSTER_LOGIN } = LOGIN_OPTIONS;

export const SETUP_CLUSTER = {
  usage: 'kvs setup-cluster --hosts [user@]<ip>,[user@]<ip>,[user@]<ip> --user <name>',
  summary:
    'Install a KRaft Kafka cluster on 3 (or 5) Ubuntu servers over SSH, then check it from here.',
  maxPositionals: 0,
  options: {
    hosts: {
      type: 'string',
      value: '<ip,ip,ip>',
      help: "the servers' addresses, comma-separated: 3 or 5 (required); user@ip logs in to that one as user",
    },
    ...CLUSTER_LOGIN,
    user: {
      type: 'string',
      value: '<name>',
      help: 'the user to log in as on every server without its own user@ (required unless each has one)',
    },
    'passwords-per-server': {
      type: 'boolean',
      help: 'each server its own passwords: stdin has one SSH password line per server (in --hosts order), then one sudo line per server',
    },
    'kafka-version': { type: 'string', value: 'V', help: 'the Kafka version (default 4.x)' },
    'kafka-tarball': {
      type: 'string',
      value: '<file>',
      help: 'install from this Kafka .tgz, uploaded from here to each server',
    },
    'kafka-url': {
      type: 'string',
      value: '<mirror>',
      help: 'download on each server from this Apache mirror (default: archive.apache.org)',
    },
    advertise: {
      type: 'string',
      value: '<ip,ip,ip>',
      help: 'the addresses clients and the other nodes reach each server at (default: --hosts)',
    },
    'dry-run': { type: 'boolean', help: "print every server's steps and commands, run nothing" },
    'rolling-restart': {
      type: 'boolean',
      help: 'restart the installed cluster one server at a time, each back in sync before the next',
    },
  },
  notes: [
    LOGIN_NOTE,
    'One login for every server, or each its own (user@ip in --hosts, --passwords-per-server); host keys are pinned per server (--accept-new-host-key on first contact).',
    'KRaft, each server a broker and a controller; a static controller quorum of all of them; the cluster id is made once and kept, so running it again changes nothing.',
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

function address(raw: string, i: number, what: string): string {
  try {
    return validateIPv4(raw.trim());
  } catch {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--${what}: "${raw.trim()}" (number ${i + 1}) is not an IPv4 address such as 10.0.0.5.`,
    );
  }
}

function addresses(raw: string, what: string): string[] {
  return raw.split(',').map((a, i) => address(a, i, what));
}

const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** --hosts: `ip` or `user@ip`, comma-separated. */
export function parseHosts(raw: string): { host: string; user: string | undefined }[] {
  return raw.split(',').map((entry, i) => {
    const at = entry.lastIndexOf('@');
    if (at < 0) return { host: address(entry, i, 'hosts'), user: undefined };
    const user = entry.slice(0, at).trim();
    if (!USER.test(user))
      throw new KvsError(
        'INVALID_ARGUMENT',
        `--hosts: "${user}" (number ${i + 1}) is not a user name (letters, digits, ".", "_" and "-").`,
      );
    return { host: address(entry.slice(at + 1), i, 'hosts'), user };
  });
}

export async function setupClusterCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const { values } = parseCommand(SETUP_CLUSTER, argv);
  const entries = parseHosts(requireOption(values.hosts, 'hosts', '10.0.0.11,10.0.0.12,10.0.0.13'));
  const hosts = entries.map((e) => e.host);
  const advertised =
    values.advertise === undefined ? hosts : addresses(values.advertise, 'advertise');
  if (advertised.length !== hosts.length)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--advertise names ${advertised.length} addresses for ${hosts.length} servers.`,
    );
  if (values['kafka-tarball'] !== undefined && values['kafka-url'] !== undefined)
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Choose either --kafka-tarball or --kafka-url, not both.',
    );
  if (entries.some((e) => e.user === undefined)) requireOption(values.user, 'user', 'ubuntu');
  const json = values.json === true;
  const installDir = values['install-dir'] ?? DEFAULT_INSTALL_DIR;
  const say = json ? (l: string) => io.err(`${l}\n`) : (l: string) => io.out(l);
  const perServer = values['passwords-per-server'] === true;
  if (perServer && !values['password-stdin'] && !values['sudo-password-stdin'])
    throw new KvsError(
      'INVALID_ARGUMENT',
      '--passwords-per-server reads passwords from stdin: add --password-stdin and/or --sudo-password-stdin.',
    );
  const secrets: LoginSecrets[] = perServer
    ? await readLoginSecrets(values, io, hosts.length)
    : Array<LoginSecrets>(hosts.length).fill(await readLoginSecrets(values, io));

  const servers: ClusterServer[] = [];
  try {
    for (const [i, host] of hosts.entries()) {
      const { session, sudoPassword } = await openLogin(
        host,
        values,
        secrets[i] ?? {},
        entries[i]?.user,
      );
      const sudo = sudoPassword !== undefined ? { sudoPassword } : {};
      const facts = await detectServer(session, installDir, { ...sudo, signal });
      servers.push({ label: host, session, facts, advertise: advertised[i] ?? host, ...sudo });
    }
    if (values['rolling-restart']) {
      const handle = createKafka({
        bootstrap: servers.map((s) => `${s.advertise}:${SETUP_DEFAULTS.kafkaPort}`).join(','),
      });
      const times = await rollingRestart(servers, handle, {
        installDir,
        signal,
        onStep: (i, e) => {
          if (e.status !== 'running') say(`${servers[i]?.label ?? ''} [${e.status}] ${e.title}`);
        },
        onServerDone: (i, ms) =>
          say(
            `${servers[i]?.label ?? ''}: restarted and back in sync in ${(ms / 1000).toFixed(1)} s`,
          ),
      });
      if (json) io.out(JSON.stringify({ ok: true, restarted: servers.length, ms: times }));
      else io.out(`Rolling restart done: ${servers.length} servers, one at a time.`);
      return 0;
    }
    for (const p of await preflightCluster(servers))
      for (const w of p.warnings) say(`warning: ${w}`);
    const storage = await Promise.all(servers.map((s) => readNodeStorage(s, signal)));
    const identity = clusterIdentity(
      servers.map((s, i) => ({ label: s.label, storage: storage[i] ?? null })),
    );
    const plans = planCluster(servers, identity, {
      mode: 'kraft',
      kafkaVersion: values['kafka-version'] ?? SETUP_DEFAULTS.kafkaVersion.kraft,
      installDir,
      source:
        values['kafka-tarball'] !== undefined
          ? { kind: 'upload', tarballPath: path.resolve(values['kafka-tarball']) }
          : { kind: 'download', mirrorUrl: values['kafka-url'] ?? SETUP_DEFAULTS.mirrorUrl },
    });
    const nodes = servers.map((s, i) => ({ host: s.advertise, nodeId: identity.nodeIds[i] ?? 0 }));
    say(
      `Cluster ${identity.clusterId}: ${nodes.map((n) => `node ${n.nodeId} at ${n.host}`).join(', ')}.`,
    );
    if (values['dry-run']) {
      for (const [i, plan] of plans.entries()) {
        io.out(`== ${servers[i]?.label ?? ''} (node ${identity.nodeIds[i] ?? '?'})`);
        for (const line of renderPlan(plan, { maxScriptLength: 80 })) io.out(line);
      }
      if (json)
        io.out(JSON.stringify({ ok: true, dryRun: true, clusterId: identity.clusterId, nodes }));
      return 0;
    }
    const results = await runClusterPlans(servers, plans, {
      signal,
      onStep: (i, e) => {
        if (e.status === 'running') return;
        say(
          `${servers[i]?.label ?? ''} [${e.status}] ${e.title}${e.status === 'failed' && e.error ? `: ${e.error}` : ''}`,
        );
      },
    });
    const first = servers[0];
    const inst = plans[0]?.installation;
    if (first === undefined || inst === undefined) throw new KvsError('INTERNAL', 'No servers.');
    const quorum = await waitForQuorum(
      first,
      inst,
      `${first.advertise}:${SETUP_DEFAULTS.kafkaPort}`,
      identity.nodeIds,
      { signal },
    );
    const bootstraps = servers.map((s) => `${s.advertise}:${SETUP_DEFAULTS.kafkaPort}`);
    const verify = await verifyFromLaptop({
      advertise: first.advertise,
      expectBrokers: bootstraps,
      replication: { factor: Math.min(3, servers.length), minInsync: 2 },
      signal,
    });
    if (!verify.ok)
      throw new KvsError(
        'KAFKA_ERROR',
        `The cluster runs but the check from this computer failed: ${verify.problem ?? 'unknown problem'}`,
      );
    const changed = results.reduce((n, r) => n + r.changed, 0);
    const unchanged = results.reduce((n, r) => n + r.unchanged + r.checked, 0);
    const summary = `Kafka cluster ${identity.clusterId} is ready: ${servers.length} brokers, quorum leader node ${quorum.leaderId ?? '?'}, ${verify.framesReceived}/${verify.framesSent} test frames went through a topic with ${verify.replicas ?? '?'} replicas (acks=all).`;
    say(summary);
    if (json)
      io.out(
        JSON.stringify({
          ok: true,
          bootstrap: bootstraps.join(','),
          clusterId: identity.clusterId,
          nodes,
          quorumLeader: quorum.leaderId,
          changed,
          unchanged,
        }),
      );
    else io.out(`Bootstrap: ${bootstraps.join(',')}`);
    return 0;
  } catch (e) {
    throw toKvs(e);
  } finally {
    await Promise.all(servers.map((s) => s.session.close().catch(() => undefined)));
  }
}
