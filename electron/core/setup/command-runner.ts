/** Runs one plan command over an SSH session: exec or sudo, files by SFTP, output to the log. */
import path from 'node:path';
import type { ExecOptions, ExecResult, SshSession, UploadOptions } from '../ssh/ssh-session.js';
import { lineSplitter, scrub } from './command-log.js';
import { type RemoteCommand } from './plan-types.js';

/** What the runner needs from a run's options (RunPlanOptions has them all). */
export interface RunnerOptions {
  sudoPassword?: string;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
}

export interface Runner {
  run(command: RemoteCommand, sudo: boolean, timeoutMs: number): Promise<ExecResult>;
}

export function makeRunner(session: SshSession, opts: RunnerOptions): Runner {
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
    stdin?: string,
  ): Promise<ExecResult> => {
    // A secret given on stdin is hidden from the log and the result, should the command echo it.
    const secrets = (stdin ?? '').split('\n').filter((l) => l.length >= 8);
    const hide = (t: string): string => secrets.reduce((acc, sec) => scrub(acc, sec), t);
    const clean = (r: ExecResult): ExecResult =>
      secrets.length === 0 ? r : { ...r, stdout: hide(r.stdout), stderr: hide(r.stderr) };
    if (logLine === undefined) return clean(await go(common(timeoutMs)));
    const line = (l: string): void => logLine(hide(l));
    const out = lineSplitter(line);
    const err = lineSplitter(line);
    try {
      return clean(
        await go({
          ...common(timeoutMs),
          onStdout: (c) => out.push(c),
          onStderr: (c) => err.push(c),
        }),
      );
    } finally {
      out.flush();
      err.flush();
    }
  };
  const argv = async (
    a: readonly string[],
    sudo: boolean,
    timeoutMs: number,
    stdin?: string,
  ): Promise<ExecResult> => {
    const withStdin = (o: ExecOptions): ExecOptions => (stdin === undefined ? o : { ...o, stdin });
    if (!sudo || (await isRoot()))
      return streamed((o) => session.exec(a, withStdin(o)), timeoutMs, stdin);
    const pw = opts.sudoPassword;
    return streamed(
      (o) => session.sudo(a, pw === undefined ? withStdin(o) : { ...withStdin(o), password: pw }),
      timeoutMs,
      stdin,
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
      if ('argv' in command) return argv(command.argv, sudo, timeoutMs, command.stdin?.text);
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
