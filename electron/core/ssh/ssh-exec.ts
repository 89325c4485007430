/** Runs one quoted command over the connection: time limit, cancelling, output, the command log. */
import type { ClientChannel } from 'ssh2';
import { shellQuote } from './shell-quote.js';
import { connectionClosed, SshError } from './ssh-errors.js';
import type { ExecOptions, ExecResult, SessionInfo, SshClient, SshDeps } from './ssh-types.js';

export interface RunHooks {
  /** Called with the open channel; owns writing stdin and ending it. */
  drive: (ch: ClientChannel) => void;
  /** Sees every stderr chunk before onStderr; returns what (if anything) to pass on. */
  filterStderr?: (chunk: Buffer) => Buffer | undefined;
}

export interface CommandRunner {
  /** Every command string sent to the server, in order. */
  readonly commandLog: string[];
  /** Runs a command string as is (already quoted), with hooks for stdin and stderr. */
  run(command: string, opts: ExecOptions, hooks: RunHooks): Promise<ExecResult>;
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  isRoot(): Promise<boolean>;
}

export function firstWord(command: string): string {
  const w = command.split(' ')[0] ?? '';
  return w.length > 60 ? `${w.slice(0, 60)}…` : w;
}

export const writeStdinAndEnd = (ch: ClientChannel, stdin: string | Buffer | undefined): void => {
  if (stdin !== undefined && stdin.length > 0) ch.end(stdin);
  else ch.end();
};

export function createCommandRunner(
  client: SshClient,
  info: SessionInfo,
  deps: SshDeps,
  isClosed: () => boolean,
): CommandRunner {
  const commandLog: string[] = [];
  let rootCheck: Promise<boolean> | undefined;

  const run = (command: string, opts: ExecOptions, hooks: RunHooks): Promise<ExecResult> => {
    if (isClosed()) return Promise.reject(connectionClosed(info.host));
    if (!(opts.timeoutMs > 0))
      return Promise.reject(
        new SshError('INVALID_ARGUMENT', 'timeoutMs must be a positive number.'),
      );
    if (opts.signal?.aborted)
      return Promise.reject(
        new SshError('CANCELLED', `Cancelled before running ${firstWord(command)}.`),
      );
    commandLog.push(command);
    deps.log?.(`$ ${command}`);
    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let exit: { code: number | null; signal: string | null } | undefined;
      let done = false;
      let channel: ClientChannel | undefined;

      const finish = (e?: SshError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (e) {
          if (channel) {
            try {
              channel.signal('KILL');
            } catch {
              /* the server may not support signals */
            }
            channel.close();
          }
          reject(e);
          return;
        }
        if (!exit) {
          reject(
            new SshError(
              'SSH_COMMAND_FAILED',
              `The connection closed before ${firstWord(command)} finished.`,
              'reason=channel-closed',
            ),
          );
          return;
        }
        resolve({
          code: exit.code,
          signal: exit.signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      };
      const timer = setTimeout(
        () =>
          finish(
            new SshError(
              'SSH_TIMEOUT',
              `${firstWord(command)} did not finish within ${opts.timeoutMs / 1000}s.`,
              'reason=command-timeout',
            ),
          ),
        opts.timeoutMs,
      );
      const onAbort = (): void =>
        finish(new SshError('CANCELLED', `Cancelled while running ${firstWord(command)}.`));
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      client.exec(command, (e, ch) => {
        if (e) {
          finish(
            new SshError(
              'SSH_COMMAND_FAILED',
              `The server would not run ${firstWord(command)}: ${e.message}`,
              'reason=exec-refused',
            ),
          );
          return;
        }
        channel = ch;
        if (done) {
          ch.close();
          return;
        }
        ch.on('data', (chunk: Buffer) => {
          out.push(chunk);
          opts.onStdout?.(chunk);
        });
        ch.stderr.on('data', (chunk: Buffer) => {
          const pass = hooks.filterStderr ? hooks.filterStderr(chunk) : chunk;
          if (pass && pass.length > 0) {
            err.push(pass);
            opts.onStderr?.(pass);
          }
        });
        ch.on('exit', (code: number | null, signal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
        });
        ch.on('close', () => finish());
        ch.on('error', () => undefined);
        hooks.drive(ch);
      });
    });
  };

  const exec = (argv: readonly string[], opts: ExecOptions): Promise<ExecResult> => {
    let command: string;
    try {
      command = shellQuote(argv);
    } catch (e) {
      return Promise.reject(e);
    }
    return run(command, opts, { drive: (ch) => writeStdinAndEnd(ch, opts.stdin) });
  };

  const isRoot = (): Promise<boolean> => {
    rootCheck ??= exec(['id', '-u'], { timeoutMs: 15_000 }).then(
      (r) => r.code === 0 && r.stdout.trim() === '0',
      (e: unknown) => {
        rootCheck = undefined;
        throw e;
      },
    );
    return rootCheck;
  };

  return { commandLog, run, exec, isRoot };
}
