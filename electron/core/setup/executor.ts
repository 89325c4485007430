/**
 * Runs setup plans over an SSH session, detects a server, and verifies a broker from this
 * computer ("the laptop").
 *
 * runPlan: steps in order; a step whose `check` exits 0 is 'unchanged' and skipped, else its
 * `apply` commands run (sudo when the step says so); the first failure stops the plan with a
 * RunPlanError naming the step and the command's stderr tail. The sudo password only ever
 * reaches SshSession.sudo (stdin), never a command line, an event or an error.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KvsError, type ErrorCode } from '../../shared/errors.js';
import { locateFfmpeg } from '../ffmpeg/locate-ffmpeg.js';
import { createKafka } from '../kafka/client.js';
import { deleteTopic } from '../kafka/topics.js';
import { startViewer } from '../kafka/viewer.js';
import { produceFile } from '../produce-file.js';
import type { ExecOptions, ExecResult, SshSession, UploadOptions } from '../ssh/ssh-session.js';
import { isSshError } from '../ssh/ssh-errors.js';
import {
  detectionCommands,
  factsFromOutputs,
  type CommandOutput,
  type FactKey,
  type ServerFacts,
} from './detect.js';
import { renderCommand } from './dry-run.js';
import { installationFor } from './installation.js';
import {
  type Installation,
  type InstallPlan,
  type OperationPlan,
  type PlanStep,
  type RemoteCommand,
} from './plan-types.js';
import { buildStatusPlan } from './service-plans.js';

export type StepStatus = 'running' | 'changed' | 'unchanged' | 'checked' | 'failed';

/**
 * One step's progress. 'unchanged': its check said it is already done. 'checked': a
 * read-only step (preflight, port wait, status query) that passed and changed nothing.
 */
export interface StepEvent {
  stepId: string;
  title: string;
  status: StepStatus;
  /** The last lines of the last command's stdout + stderr (final events only). */
  output?: string;
  error?: string;
}

export interface RunPlanOptions {
  sudoPassword?: string;
  signal?: AbortSignal;
  onStep?: (event: StepEvent) => void;
  /** Per command (default 10 min: apt and downloads can be slow). */
  commandTimeoutMs?: number;
  /**
   * The live log: "$ <command>" before each command, then its output line by line as it
   * comes (stdout and stderr), and upload progress. The sudo password is scrubbed.
   */
  onLog?: (line: string) => void;
}

export interface RunPlanResult {
  changed: number;
  unchanged: number;
  checked: number;
  events: StepEvent[];
}

/** A step failed: code is the SSH layer's (SUDO_AUTH_FAILED, SSH_COMMAND_FAILED, …). */
export class RunPlanError extends KvsError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly stepId: string,
    detail?: string,
  ) {
    super(code, message, detail);
  }
}

/** Steps without a check that only look (never change anything). */
const READ_ONLY_STEPS = new Set(['preflight', 'verify-ports']);

const TAIL_CHARS = 1500;

function tail(text: string, max = TAIL_CHARS): string {
  const t = text.trimEnd();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

function describeCommand(command: RemoteCommand, sudo: boolean): string {
  return renderCommand(command, sudo, { fileContents: false, maxScriptLength: 40 })[0] ?? '';
}

const LOG_COMMAND_CHARS = 300;

/** A command as one line of the live log ("$ …" for commands, "write …"/"upload …" for files). */
function logLine(command: RemoteCommand, sudo: boolean): string {
  const line = describeCommand(command, sudo).replace(/\r?\n/g, '⏎');
  return line.length <= LOG_COMMAND_CHARS ? line : `${line.slice(0, LOG_COMMAND_CHARS)}…`;
}

interface Runner {
  run(command: RemoteCommand, sudo: boolean, timeoutMs: number): Promise<ExecResult>;
}

/** Splits chunks into lines for onLog (a partial line waits for its end, or for flush). */
function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const l of lines) emit(l);
    },
    flush() {
      if (partial !== '') emit(partial);
      partial = '';
    },
  };
}

function makeRunner(session: SshSession, opts: RunPlanOptions): Runner {
  let root: boolean | undefined;
  const isRoot = async (): Promise<boolean> => (root ??= await session.isRoot());
  const log = opts.onLog;
  const logLine =
    log === undefined ? undefined : (l: string): void => log(scrub(l, opts.sudoPassword));
  const common = (timeoutMs: number): { timeoutMs: number; signal?: AbortSignal } =>
    opts.signal ? { timeoutMs, signal: opts.signal } : { timeoutMs };
  /** Like common, plus the command's output streamed to the live log line by line. */
  const streamed = async (
    go: (o: ExecOptions) => Promise<ExecResult>,
    timeoutMs: number,
  ): Promise<ExecResult> => {
    if (logLine === undefined) return go(common(timeoutMs));
    const out = lineSplitter(logLine);
    const err = lineSplitter(logLine);
    try {
      return await go({
        ...common(timeoutMs),
        onStdout: (c) => out.push(c),
        onStderr: (c) => err.push(c),
      });
    } finally {
      out.flush();
      err.flush();
    }
  };
  const argv = async (
    a: readonly string[],
    sudo: boolean,
    timeoutMs: number,
  ): Promise<ExecResult> => {
    if (!sudo || (await isRoot())) return streamed((o) => session.exec(a, o), timeoutMs);
    const pw = opts.sudoPassword;
    return streamed(
      (o) => session.sudo(a, pw === undefined ? o : { ...o, password: pw }),
      timeoutMs,
    );
  };
  /** Upload progress for the live log, every 10 %. */
  const uploadProgress = (name: string): UploadOptions => {
    if (logLine === undefined) return {};
    let shown = -1;
    return {
      onProgress: (done, total) => {
        const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
        if (tenth === shown) return;
        shown = tenth;
        logLine(
          `uploading ${name}: ${(done / 1024 ** 2).toFixed(1)} of ${(total / 1024 ** 2).toFixed(1)} MiB`,
        );
      },
    };
  };
  const ok: ExecResult = { code: 0, signal: null, stdout: '', stderr: '' };
  /** SFTP cannot sudo: put the bytes in a private temp file, then `sudo install` it into place. */
  const viaTemp = async (
    put: (tmp: string) => Promise<void>,
    dest: string,
    mode: number,
    timeoutMs: number,
  ): Promise<ExecResult> => {
    const made = await session.exec(['mktemp'], common(30_000));
    const tmp = made.stdout.trim();
    if (made.code !== 0 || !tmp.startsWith('/'))
      return made.code !== 0 ? made : { ...made, code: 1, stderr: 'mktemp gave no path' };
    try {
      await put(tmp);
      return await argv(
        ['install', '-m', mode.toString(8).padStart(4, '0'), '--', tmp, dest],
        true,
        timeoutMs,
      );
    } finally {
      await session.exec(['rm', '-f', '--', tmp], common(30_000)).catch(() => undefined);
    }
  };
  return {
    async run(command, sudo, timeoutMs) {
      if ('argv' in command) return argv(command.argv, sudo, timeoutMs);
      const needsSudo = sudo && !(await isRoot());
      if ('writeFile' in command) {
        const { path: dest, content, mode } = command.writeFile;
        if (!needsSudo) {
          await session.writeFile(dest, content, mode);
          return ok;
        }
        return viaTemp((tmp) => session.writeFile(tmp, content, 0o600), dest, mode, timeoutMs);
      }
      const { localPath, remotePath } = command.upload;
      const progress = uploadProgress(path.basename(localPath));
      if (!needsSudo) {
        await session.upload(localPath, remotePath, progress);
        return ok;
      }
      return viaTemp(
        (tmp) => session.upload(localPath, tmp, progress),
        remotePath,
        0o644,
        timeoutMs,
      );
    },
  };
}

function outputOf(r: ExecResult, secret: string | undefined): string {
  return scrub(tail([r.stdout, r.stderr].filter((s) => s.trim() !== '').join('\n')), secret);
}

/** Run a plan's steps in order; resolves with the counts, rejects with a RunPlanError at the first failure. */
export async function runPlan(
  session: SshSession,
  plan: InstallPlan | OperationPlan,
  opts: RunPlanOptions = {},
): Promise<RunPlanResult> {
  const runner = makeRunner(session, opts);
  const timeoutMs = opts.commandTimeoutMs ?? 10 * 60_000;
  const events: StepEvent[] = [];
  const emit = (e: StepEvent): void => {
    if (e.status !== 'running') events.push(e);
    opts.onStep?.(e);
  };
  const result: RunPlanResult = { changed: 0, unchanged: 0, checked: 0, events };
  const readOnly = (step: PlanStep): boolean =>
    plan.kind === 'status' || step.apply.length === 0 || READ_ONLY_STEPS.has(step.id);

  for (const step of plan.steps) {
    if (opts.signal?.aborted)
      throw new RunPlanError('CANCELLED', `Stopped before "${step.title}".`, step.id);
    const base = { stepId: step.id, title: step.title };
    emit({ ...base, status: 'running' });
    let current: RemoteCommand | undefined;
    try {
      if (step.check !== undefined) {
        current = step.check;
        opts.onLog?.(`${logLine(step.check, step.sudo)}    # check: already done?`);
        const r = await runner.run(step.check, step.sudo, Math.min(timeoutMs, 120_000));
        if (r.code === 0) {
          result.unchanged++;
          emit({ ...base, status: 'unchanged' });
          continue;
        }
      }
      let last: ExecResult | undefined;
      for (const command of step.apply) {
        current = command;
        opts.onLog?.(logLine(command, step.sudo));
        last = await runner.run(command, step.sudo, timeoutMs);
        if (last.code !== 0) {
          const why = tail(
            last.stderr.trim() || last.stdout.trim() || `exit ${String(last.code ?? last.signal)}`,
            600,
          );
          throw new RunPlanError(
            'SSH_COMMAND_FAILED',
            `Step "${step.title}" failed: ${describeCommand(command, step.sudo)} exited ${String(last.code ?? `on ${String(last.signal)}`)}: ${why}`,
            step.id,
            outputOf(last, opts.sudoPassword),
          );
        }
      }
      const status: StepStatus = readOnly(step) ? 'checked' : 'changed';
      if (status === 'checked') result.checked++;
      else result.changed++;
      emit({ ...base, status, ...(last ? { output: outputOf(last, opts.sudoPassword) } : {}) });
    } catch (e) {
      let err: RunPlanError;
      if (e instanceof RunPlanError) err = e;
      else if (isSshError(e) || e instanceof KvsError) {
        const cmd = current === undefined ? '' : ` (${describeCommand(current, step.sudo)})`;
        err = new RunPlanError(
          e.code,
          `Step "${step.title}"${cmd}: ${e.message}`,
          step.id,
          e.detail,
        );
      } else {
        err = new RunPlanError(
          'INTERNAL',
          `Step "${step.title}": ${e instanceof Error ? e.message : String(e)}`,
          step.id,
        );
      }
      const safe = new RunPlanError(
        err.code,
        scrub(err.message, opts.sudoPassword),
        err.stepId,
        err.detail === undefined ? undefined : scrub(err.detail, opts.sudoPassword),
      );
      emit({
        ...base,
        status: 'failed',
        error: safe.message,
        ...(safe.detail ? { output: safe.detail } : {}),
      });
      throw safe;
    }
  }
  return result;
}

/**
 * Run the read-only detection commands and parse them. Commands that want sudo (ufw status)
 * run with sudo when possible; when sudo is refused their fact stays unknown (null) here,
 * and the refusal shows at the plan's first sudo step instead.
 */
export async function detectServer(
  session: SshSession,
  installDir: string,
  opts: { sudoPassword?: string; signal?: AbortSignal } = {},
): Promise<ServerFacts> {
  const runner = makeRunner(session, opts);
  const outputs: Partial<Record<FactKey, CommandOutput>> = {};
  for (const [key, { command, sudo }] of Object.entries(detectionCommands(installDir)) as Array<
    [FactKey, { command: { argv: string[] }; sudo: boolean }]
  >) {
    try {
      const r = await runner.run(command, sudo, 30_000);
      outputs[key] = { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
    } catch (e) {
      if (isSshError(e) && (e.code === 'SUDO_AUTH_FAILED' || e.code === 'SUDO_NOT_ALLOWED'))
        continue;
      throw e;
    }
  }
  return factsFromOutputs(outputs);
}

/** What kvs setup installed in installDir (mode read from its config), for start/stop/status/uninstall. */
export async function installedIn(
  session: SshSession,
  facts: ServerFacts,
  installDir: string,
): Promise<Installation> {
  if (facts.kafkaVersion === null)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `${installDir} holds no Kafka installed by kvs setup; check the install folder.`,
    );
  const kraft = await session.exec(
    ['grep', '-q', '^process.roles=', '--', `${installDir}/config/server.properties`],
    { timeoutMs: 30_000 },
  );
  const zkProps = await session.exec(['test', '-f', `${installDir}/config/zookeeper.properties`], {
    timeoutMs: 30_000,
  });
  return installationFor(facts, {
    mode: kraft.code === 0 ? 'kraft' : 'zookeeper',
    kafkaVersion: facts.kafkaVersion,
    installDir,
    advertise: '127.0.0.1',
    source: { kind: 'upload', tarballPath: '/dev/null' },
    zookeeper: zkProps.code === 0 ? 'bundled' : 'auto',
  });
}

export interface ServiceStatus {
  kafka: boolean;
  /** null when the installation has no ZooKeeper (KRaft). */
  zookeeper: boolean | null;
}

/** Whether Kafka (and ZooKeeper) run: each status command exiting 0 means up; non-zero is "down", not an error. */
export async function queryStatus(
  session: SshSession,
  installation: Installation,
  opts: { sudoPassword?: string; signal?: AbortSignal } = {},
): Promise<ServiceStatus> {
  const plan = buildStatusPlan(installation);
  const out: ServiceStatus = { kafka: false, zookeeper: null };
  for (const step of plan.steps) {
    if (step.id !== 'kafka' && step.id !== 'zookeeper') continue;
    const up = await runPlan(session, { ...plan, steps: [step] }, opts).then(
      () => true,
      (e: unknown) => {
        if (e instanceof KvsError && e.code !== 'SSH_COMMAND_FAILED') throw e;
        return false;
      },
    );
    out[step.id] = up;
  }
  return out;
}

export interface VerifyOptions {
  /** The advertised IPv4 (what clients are told to use). */
  advertise: string;
  port?: number;
  /** A video to send; default: a 1 s, 10 fps test picture made with ffmpeg. */
  videoFile?: string;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface VerifyResult {
  ok: boolean;
  bootstrap: string;
  /** The brokers the cluster metadata names, as host:port. */
  brokers: string[];
  framesSent: number;
  framesReceived: number;
  /** Why ok is false (null when ok). */
  problem: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (err, _out, stderr) =>
      err
        ? reject(
            new KvsError(
              'FFMPEG_FAILED',
              `ffmpeg could not make the test video: ${tail(stderr, 300) || err.message}`,
            ),
          )
        : resolve(),
    );
  });
}

async function makeCheckVideo(dir: string): Promise<string> {
  const { ffmpegPath } = await locateFfmpeg();
  const file = path.join(dir, 'kvs-setup-check.mp4');
  await run(ffmpegPath, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=1',
    '-c:v',
    'mpeg4',
    '-q:v',
    '5',
    '-pix_fmt',
    'yuv420p',
    `file:${file}`,
  ]);
  return file;
}

/**
 * From this computer: the cluster metadata fetched through `advertise:port` must name a
 * broker at exactly `advertise:port` (else clients would be sent elsewhere), and a short
 * video must go through a fresh topic and come back frame for frame. The topic is deleted after.
 */
export async function verifyFromLaptop(opts: VerifyOptions): Promise<VerifyResult> {
  const port = opts.port ?? 9092;
  const bootstrap = `${opts.advertise}:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const handle = createKafka({ bootstrap, retries: 2 });
  const out: VerifyResult = {
    ok: false,
    bootstrap,
    brokers: [],
    framesSent: 0,
    framesReceived: 0,
    problem: null,
  };

  // Metadata (retried: a broker that just started may not answer yet).
  let lastError = '';
  while (out.brokers.length === 0) {
    if (opts.signal?.aborted) throw new KvsError('CANCELLED', 'Verification cancelled.');
    const admin = handle.kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      out.brokers = cluster.brokers.map((b) => `${b.host}:${String(b.port)}`);
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      if (Date.now() > deadline) {
        throw new KvsError(
          'BROKER_UNREACHABLE',
          `Kafka at ${bootstrap} did not answer from this computer: ${lastError}`,
        );
      }
      await sleep(1000);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  if (!out.brokers.includes(bootstrap)) {
    out.problem = `The broker advertises ${out.brokers.join(', ')}, not ${bootstrap}: clients would be sent to an address that is not the one you gave.`;
    return out;
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-verify-'));
  const topic = `kvs-setup-check-${randomBytes(4).toString('hex')}`;
  try {
    const file = opts.videoFile ?? (await makeCheckVideo(dir));
    const produced = await produceFile(handle, file, {
      topic,
      createTopic: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    out.framesSent = produced.acked;
    // Read it back from the beginning. A broker that just started may still be creating its
    // consumer-offsets topic (ZooKeeper mode): a reader that comes back short is tried again.
    let viewerError = '';
    do {
      const viewer = await startViewer(handle, {
        topic,
        from: { kind: 'beginning' },
        untilCaughtUp: true,
        onFrame: () => undefined,
        onState: (_s, err) => {
          if (err) viewerError = err.message;
        },
      });
      const timer = setTimeout(() => void viewer.stop(), Math.max(5000, deadline - Date.now()));
      const stats = await viewer.done.finally(() => clearTimeout(timer));
      out.framesReceived = Math.max(out.framesReceived, stats.frames);
      if (out.framesReceived < out.framesSent && Date.now() < deadline) await sleep(1000);
    } while (out.framesReceived < out.framesSent && Date.now() < deadline && !opts.signal?.aborted);
    if (produced.failed > 0 || out.framesSent === 0)
      out.problem = `${produced.failed} of ${produced.frames} frames could not be sent.`;
    else if (out.framesReceived !== out.framesSent) {
      out.problem = `${out.framesSent} frames were sent but ${out.framesReceived} came back${viewerError ? ` (${viewerError})` : ''}.`;
    }
    out.ok = out.problem === null;
    return out;
  } finally {
    await deleteTopic(handle, topic).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
