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
  type SetupConnectResult,
  type SetupEndedEvent,
  type SetupLogin,
  type SetupPlanRequest,
  type SetupPlanView,
  type SetupServerFacts,
  type SetupStepEvent,
  type ServiceState,
  type SavedServer,
  type VideoRef,
} from '../shared/contract.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import { renderCommand } from '../core/setup/dry-run.js';
import type { ServerFacts } from '../core/setup/detect.js';
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
import { isSshError } from '../core/ssh/ssh-errors.js';
import {
  openSsh,
  type HostKeyPolicy,
  type SshAuth,
  type SshConnectOptions,
  type SshSession,
  type UnknownHostInfo,
} from '../core/ssh/ssh-session.js';
import {
  SAVED_SERVERS_FILE,
  SavedServers,
  type SecretCipher,
  type ServerLogin,
} from './saved-servers.js';
import { newId } from './video-registry.js';

export const MAX_SESSIONS = 4;
/** Log lines go out in batches at most this often. */
const LOG_FLUSH_MS = 100;
const MAX_LOG_BATCH = 500;

export interface SetupEvents {
  step(e: SetupStepEvent): void;
  log(runId: string, lines: string[]): void;
  ended(e: SetupEndedEvent): void;
}

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
}

interface RunEntry {
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
  cancel(runId: string): Promise<Record<string, never>>;
  service(
    sessionId: string,
    installDir: string,
    action: 'status' | 'start' | 'stop',
  ): Promise<ServiceState>;
  /** A logged-in session to this server (by the address typed in the wizard), for the doctor's "Fix on server". */
  sessionFor(host: string): string | null;
  /** Rewrite advertised.listeners on that server and restart Kafka (live log lines go to `onLog`). */
  fixAdvertised(sessionId: string, advertise: string): Promise<void>;
  dispose(): Promise<void>;
}

function factsView(f: ServerFacts): SetupServerFacts {
  return {
    os: {
      prettyName: f.os.prettyName,
      id: f.os.id,
      versionId: f.os.versionId,
      supported: f.os.supported,
      reason: f.os.reason,
    },
    arch: f.arch,
    systemd: f.systemd,
    diskFreeKb: f.diskFreeKb,
    java: f.java,
    kafkaVersion: f.kafkaVersion,
    zookeeperdAvailable: f.zookeeperdCandidate !== null || f.zookeeperd?.installed === true,
    portsInUse: f.portsInUse === null ? null : [...f.portsInUse],
    ufw: f.ufw,
    user: f.user,
  };
}

/** The SSH layer's errors as the contract's (same codes, same safe messages). */
function plain(e: unknown): KvsError {
  return isSshError(e) ? new KvsError(e.code, e.message, e.detail) : toKvsError(e);
}

export function createSetupService(deps: SetupServiceDeps): SetupService {
  const saved = new SavedServers(path.join(deps.userDataDir, SAVED_SERVERS_FILE), deps.cipher);
  const knownHostsFile = path.join(deps.userDataDir, 'known-hosts.json');
  const connectSsh = deps.openSsh ?? ((o: SshConnectOptions) => openSsh(o));
  const verify = deps.verify ?? verifyFromLaptop;
  const sessions = new Map<string, SessionEntry>();
  const plans = new Map<string, PlanEntry>();
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
    const who: ServerLogin = { host: login.host, port: login.port, user: login.user };
    const wantsRemember = login.remember && login.auth.kind === 'password';
    // refuse before logging in: nothing happens on the server when the answer is no anyway
    if (wantsRemember && !saved.canRemember) {
      throw new KvsError(
        'INVALID_ARGUMENT',
        'Remembering passwords needs the desktop app with the system keychain; nothing was saved. Untick "remember" to go on.',
      );
    }
    let auth: SshAuth;
    let loginPassword: string | undefined;
    switch (login.auth.kind) {
      case 'password':
        loginPassword = login.auth.password;
        auth = { kind: 'password', password: loginPassword };
        break;
      case 'saved': {
        const pw = await saved.password(who);
        if (pw === null)
          throw new KvsError(
            'SSH_AUTH_FAILED',
            `No password is remembered for ${login.user}@${login.host}; type it in.`,
          );
        loginPassword = pw;
        auth = { kind: 'password', password: pw };
        break;
      }
      case 'key':
        auth =
          login.auth.passphrase === undefined
            ? { kind: 'key', privateKey: login.auth.privateKey }
            : { kind: 'key', privateKey: login.auth.privateKey, passphrase: login.auth.passphrase };
        break;
      case 'agent':
        auth = { kind: 'agent' };
        break;
    }

    let unknown: UnknownHostInfo | undefined;
    const trust = login.trustHostKey;
    const hostKey: HostKeyPolicy = {
      knownHostsFile,
      onUnknownHost: async (info) => {
        unknown = info;
        return trust !== undefined && info.fingerprint === trust;
      },
    };
    let session: SshSession;
    try {
      session = await connectSsh({
        host: login.host,
        port: login.port,
        username: login.user,
        auth,
        hostKey,
      });
    } catch (e) {
      if (unknown !== undefined && isSshError(e) && e.code === 'SSH_HOST_KEY_UNKNOWN') {
        if (trust !== undefined) {
          throw new KvsError(
            'SSH_HOST_KEY_CHANGED',
            `The server now shows the key ${unknown.fingerprint}, not the ${trust} you confirmed. Nothing was trusted; check the server's key before going on.`,
          );
        }
        return {
          state: 'unknown-host',
          host: unknown.host,
          port: unknown.port,
          keyType: unknown.keyType,
          fingerprint: unknown.fingerprint,
        };
      }
      throw plain(e);
    }

    const sudoPassword = login.sudoPassword ?? loginPassword;
    try {
      // sudo is checked now, at the login step, so a wrong sudo password is told here and not
      // half-way through the install
      if (!(await session.isRoot())) {
        const r = await session.sudo(['true'], {
          timeoutMs: 20_000,
          ...(sudoPassword === undefined ? {} : { password: sudoPassword }),
        });
        if (r.code !== 0)
          throw new KvsError(
            'SUDO_NOT_ALLOWED',
            `${login.user} cannot run commands as root with sudo on ${login.host}.`,
            r.stderr.slice(0, 500),
          );
      }
      const facts = await detectServer(
        session,
        SETUP_DEFAULTS.installDir,
        sudoPassword === undefined ? {} : { sudoPassword },
      );
      let remembered = false;
      if (login.auth.kind === 'saved' || wantsRemember) {
        await saved.remember(who, loginPassword);
        remembered = true;
      } else {
        await saved.remember(who).catch(() => undefined);
      }
      const id = newId();
      sessions.set(id, {
        id,
        session,
        sudoPassword,
        running: false,
        installDir: SETUP_DEFAULTS.installDir,
      });
      return {
        state: 'connected',
        sessionId: id,
        hostKey: session.hostKey,
        facts: factsView(facts),
        remembered,
      };
    } catch (e) {
      await session.close().catch(() => undefined);
      if (
        isSshError(e) &&
        e.code === 'SUDO_AUTH_FAILED' &&
        login.sudoPassword === undefined &&
        loginPassword !== undefined
      ) {
        throw new KvsError(
          'SUDO_AUTH_FAILED',
          `sudo on ${login.host} did not accept the login password. If sudo has its own password there, enter it under "sudo password".`,
        );
      }
      if (isSshError(e) && e.code === 'SUDO_AUTH_FAILED' && sudoPassword === undefined) {
        throw new KvsError(
          'SUDO_AUTH_FAILED',
          `sudo on ${login.host} asks for a password: enter it under "sudo password".`,
        );
      }
      throw plain(e);
    }
  }

  async function disconnect(sessionId: string): Promise<Record<string, never>> {
    const s = sessions.get(sessionId);
    if (!s) return {};
    sessions.delete(sessionId);
    for (const [id, p] of plans) if (p.sessionId === sessionId) plans.delete(id);
    await s.session.close().catch(() => undefined);
    return {};
  }

  async function plan(req: SetupPlanRequest): Promise<SetupPlanView> {
    const s = sessionOf(req.sessionId);
    let source: KafkaSource;
    if (req.source.kind === 'upload') {
      const file = deps.fileById(req.source.fileId);
      if (!file)
        throw new KvsError(
          'INVALID_ARGUMENT',
          'The Kafka .tgz chosen for the upload is no longer available; choose it again.',
        );
      source = { kind: 'upload', tarballPath: file.path };
    } else {
      source = { kind: 'download', mirrorUrl: req.source.mirrorUrl };
    }
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
    });
    const planId = newId();
    plans.set(planId, { sessionId: s.id, plan: built, advertise: req.advertise });
    return {
      planId,
      mode: built.installation.mode,
      kafkaVersion: built.installation.kafkaVersion,
      bootstrap: `${req.advertise}:${SETUP_DEFAULTS.kafkaPort}`,
      notes: built.notes,
      steps: built.steps.map((step) => ({
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
      })),
    };
  }

  async function install(planId: string): Promise<{ runId: string }> {
    const p = plans.get(planId);
    if (!p)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That plan is no longer available; make the plan again.',
      );
    const s = sessionOf(p.sessionId);
    if (s.running)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'An install is already running on this server; wait for it or cancel it.',
      );
    s.running = true;
    const runId = newId();
    const controller = new AbortController();
    const steps = p.plan.steps;
    const stepCount = steps.length + 1;
    const verifyStep = {
      stepId: 'verify-from-here',
      title: 'Check from this computer: metadata and a few frames through the advertised address',
    };

    let pending: string[] = [];
    let flushTimer: NodeJS.Timeout | null = null;
    const flushLog = (): void => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      while (pending.length > 0) deps.events.log(runId, pending.splice(0, MAX_LOG_BATCH));
    };
    const log = (line: string): void => {
      pending.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      if (pending.length >= MAX_LOG_BATCH) flushLog();
      else flushTimer ??= setTimeout(flushLog, LOG_FLUSH_MS);
    };
    const indexOf = new Map(steps.map((st, i) => [st.id, i]));
    const step = (e: Omit<SetupStepEvent, 'runId' | 'stepCount'>): void => {
      flushLog(); // the log lines of a step go out before its status
      deps.events.step({ runId, stepCount, ...e });
    };

    const run = async (): Promise<void> => {
      let changed = 0;
      let unchanged = 0;
      let verified: SetupEndedEvent['verify'] = null;
      let failedAt: number | null = null;
      try {
        const result = await runPlan(s.session, p.plan, {
          ...sudoOpts(s, controller.signal),
          onLog: log,
          onStep: (e) => {
            const index = indexOf.get(e.stepId) ?? 0;
            if (e.status === 'failed') failedAt = index;
            const status =
              e.status === 'failed' && controller.signal.aborted ? 'cancelled' : e.status;
            step({
              index,
              stepId: e.stepId,
              title: e.title,
              status,
              ...(e.error === undefined ? {} : { error: e.error }),
            });
          },
        });
        changed = result.changed;
        unchanged = result.unchanged + result.checked;
        failedAt = steps.length;
        step({ index: steps.length, ...verifyStep, status: 'running' });
        log(`checking ${p.advertise}:${SETUP_DEFAULTS.kafkaPort} from this computer…`);
        const v = await verify({ advertise: p.advertise, signal: controller.signal });
        verified = {
          bootstrap: v.bootstrap,
          brokers: v.brokers,
          framesSent: v.framesSent,
          framesReceived: v.framesReceived,
          problem: v.problem,
        };
        log(
          `metadata names ${v.brokers.join(', ') || 'no broker'}; ${v.framesReceived} of ${v.framesSent} test frames came back`,
        );
        if (!v.ok)
          throw new KvsError(
            'KAFKA_ERROR',
            `Kafka is running but the check from this computer failed: ${v.problem ?? 'unknown problem'}`,
          );
        step({ index: steps.length, ...verifyStep, status: 'checked' });
        flushLog();
        deps.events.ended({
          runId,
          ok: true,
          cancelled: false,
          changed,
          unchanged,
          verify: verified,
          error: null,
        });
      } catch (e) {
        const err = controller.signal.aborted
          ? new KvsError(
              'CANCELLED',
              'The install was cancelled. Run it again to go on: finished steps are kept and report "unchanged".',
            )
          : plain(e);
        if (failedAt === steps.length) {
          step({
            index: steps.length,
            ...verifyStep,
            status: err.code === 'CANCELLED' ? 'cancelled' : 'failed',
            error: err.message,
          });
        }
        flushLog();
        deps.events.ended({
          runId,
          ok: false,
          cancelled: err.code === 'CANCELLED',
          changed,
          unchanged,
          verify: verified,
          error:
            err.detail === undefined
              ? { code: err.code, message: err.message }
              : { code: err.code, message: err.message, detail: err.detail },
        });
      } finally {
        s.running = false;
        runs.delete(runId);
        pending = [];
        if (flushTimer) clearTimeout(flushTimer);
      }
    };
    // starts on the next turn, after the caller has the runId
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(run);
    runs.set(runId, { controller, done });
    return { runId };
  }

  async function service(
    sessionId: string,
    installDir: string,
    action: 'status' | 'start' | 'stop',
  ): Promise<ServiceState> {
    const s = sessionOf(sessionId);
    const facts = await detectServer(s.session, installDir, sudoOpts(s));
    const inst = await installedIn(s.session, facts, installDir);
    if (action !== 'status')
      await runPlan(
        s.session,
        action === 'start' ? buildStartPlan(inst) : buildStopPlan(inst),
        sudoOpts(s),
      );
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
      throw plain(e);
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
