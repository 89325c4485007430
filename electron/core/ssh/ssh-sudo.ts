/** sudo over a session: the password goes to sudo's prompt on stdin only; refusals explained. */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { scrub } from './scrub-secrets.js';
import { writeStdinAndEnd, type CommandRunner } from './ssh-exec.js';
import { shellQuote } from './shell-quote.js';
import { SshError } from './ssh-errors.js';
import type { ExecResult, SessionInfo, SudoOptions } from './ssh-types.js';

/** The session's sudo: as root it is a plain exec; otherwise sudo -n (no password) or sudo -S (password on stdin). */
export function createSudo(
  runner: CommandRunner,
  info: SessionInfo,
): (argv: readonly string[], opts: SudoOptions) => Promise<ExecResult> {
  const { run, exec, isRoot } = runner;

  const sudo = async (argv: readonly string[], opts: SudoOptions): Promise<ExecResult> => {
    const { password, ...execOpts } = opts;
    shellQuote(argv); // validates (NUL, empty) before anything is sent
    if (await isRoot()) return exec(argv, execOpts);
    if (password !== undefined && /[\r\n\0]/.test(password)) {
      throw new SshError(
        'INVALID_ARGUMENT',
        'A sudo password cannot contain line breaks or NUL bytes.',
      );
    }

    // A random marker that the wrapped command prints to stderr once sudo has let it run:
    // before it, stderr is sudo's own (prompt / refusal); after it, the command's.
    const nonce = randomBytes(8).toString('hex');
    const okMarker = `KVS-SUDO-OK-${nonce}`;
    const prompt = `KVS-SUDO-PROMPT-${nonce}:`;
    const wrapped = ['sh', '-c', `printf '%s\\n' ${okMarker} >&2; exec "$@"`, 'sh', ...argv];
    const sudoArgv =
      password === undefined
        ? ['env', 'LC_ALL=C', 'sudo', '-n', '-k', '--', ...wrapped]
        : ['env', 'LC_ALL=C', 'sudo', '-S', '-p', prompt, '-k', '--', ...wrapped];
    const command = shellQuote(sudoArgv);

    let pre = '';
    let ok = false;
    let sentPassword = false;
    let wrongPassword = false;
    let stdinEnded = false;
    let chan: ClientChannel | undefined;

    const countPrompts = (text: string): number => {
      const ours = text.split(prompt).length - 1;
      // Fallback for a PAM prompt sudo did not replace with ours ("Password: ", "[sudo] password for x: ").
      const pam = (text.match(/password( for [^:\n]*)?: ?/gi) ?? []).length;
      return Math.max(ours, pam);
    };
    const endStdin = (data?: string | Buffer): void => {
      if (stdinEnded || !chan) return;
      stdinEnded = true;
      writeStdinAndEnd(chan, data);
    };
    const react = (): void => {
      if (!chan || ok) return;
      const prompts = countPrompts(pre);
      if (prompts === 1 && !sentPassword && password !== undefined) {
        sentPassword = true;
        chan.write(`${password}\n`); // stdin only: never on the command line, never logged
      } else if (prompts >= 2) {
        wrongPassword = true; // sudo asks again: let it hit EOF instead of retrying
        endStdin();
      }
    };

    const result = await run(command, execOpts, {
      drive: (ch) => {
        chan = ch;
        if (password === undefined) endStdin(execOpts.stdin);
        react();
      },
      filterStderr: (chunk) => {
        if (ok) return chunk;
        pre += chunk.toString('utf8');
        const at = pre.indexOf(`${okMarker}\n`);
        if (at >= 0) {
          ok = true;
          const rest = pre.slice(at + okMarker.length + 1);
          pre = pre.slice(0, at);
          endStdin(execOpts.stdin);
          return rest.length > 0 ? Buffer.from(rest, 'utf8') : undefined;
        }
        react();
        return undefined;
      },
    });
    if (ok) return result;

    // sudo refused before running the command: say why.
    const said = scrub(pre.split(prompt).join('').trim(), [password]);
    const who = `"${info.username}" on ${info.host}`;
    if (
      /not in the sudoers|not allowed to (run|execute)|may not run sudo|is not allowed to/i.test(
        said,
      )
    ) {
      throw new SshError(
        'SUDO_NOT_ALLOWED',
        `${who} is not allowed to use sudo; add the user to the sudo group or use root.`,
        said,
      );
    }
    if (
      wrongPassword ||
      /incorrect password|sorry, try again|no password was provided|authentication failure|password is required/i.test(
        said,
      )
    ) {
      throw new SshError(
        'SUDO_AUTH_FAILED',
        password === undefined
          ? `sudo on ${info.host} needs the password of ${who.split(' on ')[0]}; none was given.`
          : `sudo on ${info.host} rejected the password of ${who.split(' on ')[0]}.`,
        said,
      );
    }
    if (result.code === 127 || /sudo: (command )?not found/i.test(said)) {
      throw new SshError(
        'SUDO_NOT_ALLOWED',
        `sudo is not installed on ${info.host}; log in as root or install sudo.`,
        said,
      );
    }
    throw new SshError(
      'SSH_COMMAND_FAILED',
      `sudo on ${info.host} failed (exit ${String(result.code)}): ${said.split('\n')[0] ?? ''}`,
      said,
    );
  };

  return sudo;
}
