/**
 * The setup wizard's calls (`setup:*`): log in to a server over SSH, look at it, show the
 * install plan, run it with a live log, check the new broker from this computer. Electron-free:
 * the app services compose it and hand it what it needs (files the person chose, the secret cipher,
 * the event emitter).
 *
 * - Sessions stay open between calls (by opaque id); at most MAX_SESSIONS at once.
 * - A plan is made from fresh facts (detected again when it is made) and kept by id until run.
 * - One install per session at a time; cancel aborts the running command and stops the plan.
 * - Secrets: passwords only ever reach the SSH layer (and, when the person asks, the
 *   SavedServers store, encrypted). They are never part of an event, a log line or an error.
 */
import path from 'node:path';
import {
  SETUP_DEFAULTS,
  type ClusterPlanRequest,
  type ClusterPlanView,
  type RollingRestartRequest,
  type SetupConnectResult,
  type SetupLogin,
  type SetupPlanRequest,
  type SetupPlanView,
  type ServiceState,
  type SavedServer,
  type VideoRef,
} from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import { validateIPv4 } from '../shared/setup-validate.js';
import { parseBootstrap } from '../shared/bootstrap.js';
import { renderCommand } from '../core/setup/dry-run.js';
import {
  detectServer,
  installedIn,
  queryStatus,
  runPlan,
  verifyFromLaptop,
  type VerifyOptions,
  type VerifyResult,
} from '../core/setup/executor.js';
import { buildInstallPlan } from '../core/setup/install-plan.js';
import { type InstallPlan, type KafkaSource } from '../core/setup/plan-types.js';
import { buildAdvertisePlan, buildStartPlan, buildStopPlan } from '../core/setup/service-plans.js';
import { openSsh, type SshConnectOptions, type SshSession } from '../core/ssh/ssh-session.js';
import {
  clusterIdentity,
  planCluster,
  preflightCluster,
  readNodeStorage,
  type ClusterServer,
} from '../core/setup/cluster-install.js';
import { QUORUM_WHY } from '../core/setup/cluster-choice.js';
import { waitForQuorum } from '../core/setup/quorum-check.js';
import { runClusterInstall, runRollingRestart } from './cluster-run.js';
import { runInstall, type SetupEvents } from './install-run.js';
import {
  SAVED_SERVERS_FILE,
  SavedServers,
  type SecretCipher,
  type ServerLogin,
} from './saved-servers.js';
import { loginToServer, plainSshError } from './setup-login.js';
import { newId } from './video-registry.js';

/** Enough for a five-server cluster and one more server. */
export const MAX_SESSIONS = 8;

export interface SetupServiceDeps {
  readonly userDataDir: string;
  /** A file the person chose or uploaded, by id (the app services' file registry). */
  readonly fileById: (id: string) => { path: string } | undefined;
  /** Electron's native dialog for a Kafka .tgz (absent in the browser: the page uploads it). */
  readonly chooseTarball?: () => Promise<VideoRef | null>;
  /** The OS keychain (Electron safeStorage); null where there is none (kvs serve). */
  readonly cipher: SecretCipher | null;
  readonly events: SetupEvents;
  /** Defaults: the real SSH layer and the real check from this computer; tests may shorten timeouts. */
  readonly openSsh?: (opts: SshConnectOptions) => Promise<SshSession>;
  readonly verify?: (opts: VerifyOptions) => Promise<VerifyResult>;
  /** A rolling restart's wait for one server to be back in sync (default 3 min). */
  readonly inSyncTimeoutMs?: number;
}

interface SessionEntry {
  readonly id: string;
  readonly session: SshSession;
  readonly sudoPassword: string | undefined;
  running: boolean;
  /** The install folder of the last plan made in this session (where Kafka is, for the doctor's fix). */
  installDir: string;
}

interface PlanEntry {
  readonly sessionId: string;
  readonly plan: InstallPlan;
  readonly advertise: string;
  /** A secure install's SCRAM password, for the check from this computer. */
  readonly scramPassword: string | undefined;
}

interface ClusterPlanEntry {
  readonly sessionIds: readonly string[];
  readonly servers: readonly ClusterServer[];
  readonly plans: readonly InstallPlan[];
  readonly clusterId: string;
  readonly nodeIds: readonly number[];
}

interface RunEntry {
  /** The sessions it runs on (a disconnect of one cancels the run and waits for its end). */
  readonly sessionIds: readonly string[];
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

export interface SetupService {
  savedServers(): Promise<{ servers: SavedServer[]; canRemember: boolean }>;
  forgetServer(login: ServerLogin): Promise<Record<string, never>>;
  connect(login: SetupLogin): Promise<SetupConnectResult>;
  disconnect(sessionId: string): Promise<Record<string, never>>;
  chooseTarball(): Promise<VideoRef | null>;
  plan(req: SetupPlanRequest): Promise<SetupPlanView>;
  install(planId: string): Promise<{ runId: string }>;
  clusterPlan(req: ClusterPlanRequest): Promise<ClusterPlanView>;
  clusterInstall(planId: string): Promise<{ runId: string }>;
  rollingRestart(req: RollingRestartRequest): Promise<{ runId: string }>;
  cancel(runId: string): Promise<Record<string, never>>;
  service(
    sessionId: string,
    installDir: string,
    action: 'status' | 'start' | 'stop' | 'restart',
  ): Promise<ServiceState>;
  /** A logged-in session to this server (by the address typed in the wizard), for the doctor's "Fix on server". */
  sessionFor(host: string): string | null;
  /** Rewrite advertised.listeners on that server and restart Kafka (live log lines go to `onLog`). */
  fixAdvertised(sessionId: string, advertise: string): Promise<void>;
  dispose(): Promise<void>;
}

export function createSetupService(deps: SetupServiceDeps): SetupService {
  const saved = new SavedServers(path.join(deps.userDataDir, SAVED_SERVERS_FILE), deps.cipher);
  const knownHostsFile = path.join(deps.userDataDir, 'known-hosts.json');
  const connectSsh = deps.openSsh ?? ((o: SshConnectOptions) => openSsh(o));
  const verify = deps.verify ?? verifyFromLaptop;
  const sessions = new Map<string, SessionEntry>();
  const plans = new Map<string, PlanEntry>();
  const clusterPlans = new Map<string, ClusterPlanEntry>();
  const runs = new Map<string, RunEntry>();
  let disposed = false;

  function sessionOf(id: string): SessionEntry {
    const s = sessions.get(id);
    if (!s)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That server session has ended (disconnected or the app restarted). Log in again.',
      );
    return s;
  }

  const sudoOpts = (
    s: SessionEntry,
    signal?: AbortSignal,
  ): { sudoPassword?: string; signal?: AbortSignal } => ({
    ...(s.sudoPassword === undefined ? {} : { sudoPassword: s.sudoPassword }),
    ...(signal ? { signal } : {}),
  });

  async function connect(login: SetupLogin): Promise<SetupConnectResult> {
    if (sessions.size >= MAX_SESSIONS) {
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_SESSIONS} servers can be open at once; disconnect one first.`,
      );
    }
    const outcome = await loginToServer(login, { saved, knownHostsFile, connectSsh });
    if (outcome.state === 'unknown-host') return outcome;
    const { session, sudoPassword, facts, remembered } = outcome;
    const id = newId();
    sessions.set(id, {
      id,
      session,
      sudoPassword,
      running: false,
      installDir: SETUP_DEFAULTS.installDir,
    });
    return { state: 'connected', sessionId: id, hostKey: session.hostKey, facts, remembered };
  }

  async function disconnect(sessionId: string): Promise<Record<string, never>> {
    const s = sessions.get(sessionId);
    if (!s) return {};
    // A run on this server is cancelled and waited for first: closing the session under it would
    // cut a command in half (a rolling restart's node stopped and never started again).
    const using = [...runs.values()].filter((r) => r.sessionIds.includes(sessionId));
    for (const r of using) r.controller.abort();
    await Promise.all(using.map((r) => r.done));
    sessions.delete(sessionId);
    for (const [id, p] of plans) if (p.sessionId === sessionId) plans.delete(id);
    for (const [id, p] of clusterPlans)
      if (p.sessionIds.includes(sessionId)) clusterPlans.delete(id);
    await s.session.close().catch(() => undefined);
    return {};
  }

  function sourceOf(req: Pick<SetupPlanRequest, 'source'>): KafkaSource {
    if (req.source.kind === 'download')
      return { kind: 'download', mirrorUrl: req.source.mirrorUrl };
    const file = deps.fileById(req.source.fileId);
    if (!file)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'The Kafka .tgz chosen for the upload is no longer available; choose it again.',
      );
    return { kind: 'upload', tarballPath: file.path };
  }

  /** Marks these sessions busy (refused when one already is); the returned function frees them. */
  function claim(list: readonly SessionEntry[]): () => void {
    const busy = list.find((x) => x.running);
    if (busy)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `Something is already running on ${busy.session.host} (an install, a restart); wait for it or cancel it.`,
      );
    for (const x of list) x.running = true;
    return () => {
      for (const x of list) x.running = false;
    };
  }

  /** Starts `work` on the next turn (after the caller has the runId); cancel aborts its signal. */
  function startRun(
    sessionIds: readonly string[],
    work: (runId: string, signal: AbortSignal) => Promise<void>,
    release: () => void,
  ): { runId: string } {
    const runId = newId();
    const controller = new AbortController();
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => work(runId, controller.signal))
      // the runs end with an event, never a throw; should one throw anyway (an events sink gone),
      // it must not become an unhandled rejection in the host
      .catch(() => undefined)
      .finally(() => {
        release();
        runs.delete(runId);
      });
    runs.set(runId, { sessionIds, controller, done });
    return { runId };
  }

  const viewSteps = (built: InstallPlan): SetupPlanView['steps'] =>
    built.steps.map((step) => ({
      id: step.id,
      title: step.title,
      why: step.why,
      sudo: step.sudo,
      commands: [
        ...(step.check === undefined
          ? []
          : renderCommand(step.check, step.sudo, { maxScriptLength: 400 }).map((l, i) =>
              i === 0 ? `${l}    # check: already done?` : l,
            )),
        ...step.apply.flatMap((c) => renderCommand(c, step.sudo, { maxScriptLength: 400 })),
      ],
    }));

  async function plan(req: SetupPlanRequest): Promise<SetupPlanView> {
    const s = sessionOf(req.sessionId);
    const source = sourceOf(req);
    const facts = await detectServer(s.session, req.installDir, sudoOpts(s));
    s.installDir = req.installDir;
    const built = buildInstallPlan(facts, {
      mode: req.mode,
      kafkaVersion: req.kafkaVersion,
      installDir: req.installDir,
      advertise: req.advertise,
      source,
      zookeeper: req.zookeeper,
      openFirewall: req.openFirewall,
      ...(req.secure ? { secure: req.secure } : {}),
    });
    const planId = newId();
    plans.set(planId, {
      sessionId: s.id,
      plan: built,
      advertise: req.advertise,
      scramPassword: req.secure?.scramPassword,
    });
    return {
      planId,
      mode: built.installation.mode,
      kafkaVersion: built.installation.kafkaVersion,
      bootstrap: `${req.advertise}:${SETUP_DEFAULTS.kafkaPort}`,
      notes: built.notes,
      steps: viewSteps(built),
    };
  }

  async function clusterServers(
    sessionIds: readonly string[],
    installDir: string,
    advertise: readonly string[],
  ): Promise<{ entries: SessionEntry[]; servers: ClusterServer[] }> {
    const entries = sessionIds.map(sessionOf);
    const hosts = new Set(entries.map((e) => e.session.host.toLowerCase()));
    if (hosts.size !== entries.length)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'The same server is named twice; a cluster needs a different server for each node.',
      );
    const servers = await Promise.all(
      entries.map(async (e, i) => ({
        label: e.session.host,
        session: e.session,
        ...(e.sudoPassword === undefined ? {} : { sudoPassword: e.sudoPassword }),
        facts: await detectServer(e.session, installDir, sudoOpts(e)),
        advertise: advertise[i] ?? e.session.host,
      })),
    );
    return { entries, servers };
  }

  async function clusterPlan(req: ClusterPlanRequest): Promise<ClusterPlanView> {
    const sessionIds = req.nodes.map((n) => n.sessionId);
    const advertise = req.nodes.map((n) => validateIPv4(n.advertise));
    if (new Set(advertise).size !== advertise.length)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'Two nodes would advertise the same address; each node needs its own.',
      );
    const source = sourceOf(req);
    const { entries, servers } = await clusterServers(sessionIds, req.installDir, advertise);
    const [preflight, storage] = await Promise.all([
      preflightCluster(servers),
      Promise.all(servers.map((s) => readNodeStorage(s))),
    ]);
    const identity = clusterIdentity(
      servers.map((s, i) => ({ label: s.label, storage: storage[i] ?? null })),
    );
    const built = planCluster(servers, identity, {
      mode: 'kraft',
      kafkaVersion: req.kafkaVersion,
      installDir: req.installDir,
      source,
      zookeeper: 'auto',
      openFirewall: req.openFirewall,
    });
    for (const e of entries) e.installDir = req.installDir;
    const planId = newId();
    clusterPlans.set(planId, {
      sessionIds,
      servers,
      plans: built,
      clusterId: identity.clusterId,
      nodeIds: identity.nodeIds,
    });
    const voters = servers
      .map((s, i) => `${identity.nodeIds[i] ?? '?'}@${s.advertise}:9093`)
      .join(',');
    return {
      planId,
      clusterId: identity.clusterId,
      clusterIdKept: storage.some((x) => x !== null),
      kafkaVersion: built[0]?.installation.kafkaVersion ?? req.kafkaVersion,
      bootstrap: servers.map((s) => `${s.advertise}:${SETUP_DEFAULTS.kafkaPort}`).join(','),
      quorum: `controller.quorum.voters=${voters} on every node. ${QUORUM_WHY}`,
      nodes: servers.map((s, i) => {
        const p = built[i];
        return {
          sessionId: sessionIds[i] ?? '',
          host: s.label,
          nodeId: identity.nodeIds[i] ?? 0,
          advertise: s.advertise,
          clockSkewS: preflight[i]?.clockSkewS ?? null,
          warnings: [...(preflight[i]?.warnings ?? []), ...(p?.notes ?? [])],
          steps: p === undefined ? [] : viewSteps(p),
        };
      }),
    };
  }

  async function clusterInstall(planId: string): Promise<{ runId: string }> {
    const p = clusterPlans.get(planId);
    if (!p)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That plan is no longer available; make the plan again.',
      );
    const release = claim(p.sessionIds.map(sessionOf));
    return startRun(
      p.sessionIds,
      (runId, signal) =>
        runClusterInstall({
          runId,
          signal,
          events: deps.events,
          servers: p.servers,
          plans: p.plans,
          clusterId: p.clusterId,
          nodeIds: p.nodeIds,
          verify,
          waitForQuorum,
        }),
      release,
    );
  }

  async function rollingRestartOf(req: RollingRestartRequest): Promise<{ runId: string }> {
    const parsed = parseBootstrap(req.bootstrap);
    if (!parsed.ok) throw new KvsError('INVALID_ARGUMENT', parsed.error);
    // claimed before looking at the servers: nothing else may start on them meanwhile
    const release = claim(req.sessionIds.map(sessionOf));
    let servers: ClusterServer[];
    try {
      servers = (await clusterServers(req.sessionIds, req.installDir, [])).servers;
    } catch (e) {
      release();
      throw e;
    }
    return startRun(
      req.sessionIds,
      (runId, signal) =>
        runRollingRestart({
          runId,
          signal,
          events: deps.events,
          servers,
          installDir: req.installDir,
          bootstrap: parsed.normalized,
          ...(deps.inSyncTimeoutMs === undefined ? {} : { inSyncTimeoutMs: deps.inSyncTimeoutMs }),
        }),
      release,
    );
  }

  async function install(planId: string): Promise<{ runId: string }> {
    const p = plans.get(planId);
    if (!p)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That plan is no longer available; make the plan again.',
      );
    const s = sessionOf(p.sessionId);
    const release = claim([s]);
    return startRun(
      [s.id],
      (runId, signal) =>
        runInstall({
          runId,
          session: s.session,
          plan: p.plan,
          advertise: p.advertise,
          sudoPassword: s.sudoPassword,
          signal,
          events: deps.events,
          verify,
          ...(p.scramPassword === undefined ? {} : { scramPassword: p.scramPassword }),
        }),
      release,
    );
  }

  async function service(
    sessionId: string,
    installDir: string,
    action: 'status' | 'start' | 'stop' | 'restart',
  ): Promise<ServiceState> {
    const s = sessionOf(sessionId);
    const facts = await detectServer(s.session, installDir, sudoOpts(s));
    const inst = await installedIn(s.session, facts, installDir);
    if (action !== 'status') {
      const release = claim([s]);
      try {
        if (action !== 'start') await runPlan(s.session, buildStopPlan(inst), sudoOpts(s));
        if (action !== 'stop') await runPlan(s.session, buildStartPlan(inst), sudoOpts(s));
      } finally {
        release();
      }
    }
    const up = await queryStatus(s.session, inst, sudoOpts(s));
    return { ...up, installDir: inst.installDir, kafkaVersion: inst.kafkaVersion, mode: inst.mode };
  }

  async function fixAdvertised(sessionId: string, advertise: string): Promise<void> {
    const s = sessionOf(sessionId);
    if (s.running)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'An install is running on this server; wait for it to end.',
      );
    s.running = true;
    try {
      const facts = await detectServer(s.session, s.installDir, sudoOpts(s));
      const inst = await installedIn(s.session, facts, s.installDir);
      await runPlan(s.session, buildAdvertisePlan(inst, advertise), sudoOpts(s));
    } catch (e) {
      throw plainSshError(e);
    } finally {
      s.running = false;
    }
  }

  return {
    sessionFor(host) {
      for (const s of sessions.values())
        if (s.session.host.toLowerCase() === host.toLowerCase()) return s.id;
      return null;
    },
    fixAdvertised,
    async savedServers() {
      return { servers: await saved.list(), canRemember: saved.canRemember };
    },
    async forgetServer(login) {
      await saved.forget(login);
      return {};
    },
    connect: (login) => {
      if (disposed) return Promise.reject(new KvsError('CANCELLED', 'The app is shutting down.'));
      return connect(login);
    },
    disconnect,
    async chooseTarball() {
      if (!deps.chooseTarball)
        throw new KvsError(
          'INVALID_ARGUMENT',
          'Choosing a file with a dialog works in the desktop app only. Upload the .tgz instead.',
        );
      return deps.chooseTarball();
    },
    plan,
    install,
    clusterPlan,
    clusterInstall,
    rollingRestart: rollingRestartOf,
    async cancel(runId) {
      runs.get(runId)?.controller.abort();
      return {};
    },
    service,
    async dispose() {
      if (disposed) return;
      disposed = true;
      const active = [...runs.values()];
      for (const r of active) r.controller.abort();
      await Promise.all(active.map((r) => r.done.catch(() => undefined)));
      await Promise.all([...sessions.keys()].map((id) => disconnect(id)));
    },
  };
}
