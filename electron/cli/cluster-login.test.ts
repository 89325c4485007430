import { describe, expect, it } from 'vitest';
import { parseHosts } from './cluster-command.js';
import { readLoginSecrets } from './ssh-login.js';
import type { CliIo } from './cli-io.js';

const io = (stdin: string): CliIo => ({
  out: () => undefined,
  err: () => undefined,
  readStdin: () => Promise.resolve(stdin),
  isTTY: false,
});

describe('kvs setup-cluster logins', () => {
  it('--hosts takes ip or user@ip per server', () => {
    expect(parseHosts('10.0.0.11,alice@10.0.0.12, bob.b@10.0.0.13')).toEqual([
      { host: '10.0.0.11', user: undefined },
      { host: '10.0.0.12', user: 'alice' },
      { host: '10.0.0.13', user: 'bob.b' },
    ]);
    expect(() => parseHosts('10.0.0.11,-x@10.0.0.12,10.0.0.13')).toThrow(
      /"-x" \(number 2\) is not a user name/,
    );
    expect(() => parseHosts('10.0.0.11,a@server,10.0.0.13')).toThrow(
      /"server" \(number 2\) is not an IPv4 address/,
    );
  });

  it('one login for all: the first stdin line is the SSH password, the next sudo', async () => {
    const values = { 'password-stdin': true, 'sudo-password-stdin': true };
    expect(await readLoginSecrets(values, io('pw\nsudo\n'))).toEqual({
      sshPassword: 'pw',
      sudoPassword: 'sudo',
    });
  });

  it('passwords per server: one SSH line per server, then one sudo line per server', async () => {
    const values = { 'password-stdin': true, 'sudo-password-stdin': true };
    expect(await readLoginSecrets(values, io('a\nb\nc\nsa\nsb\nsc\n'), 3)).toEqual([
      { sshPassword: 'a', sudoPassword: 'sa' },
      { sshPassword: 'b', sudoPassword: 'sb' },
      { sshPassword: 'c', sudoPassword: 'sc' },
    ]);
    expect(await readLoginSecrets({ 'password-stdin': true }, io('a\nb\nc\n'), 3)).toEqual([
      { sshPassword: 'a' },
      { sshPassword: 'b' },
      { sshPassword: 'c' },
    ]);
  });

  it('says which server has no password line', async () => {
    await expect(readLoginSecrets({ 'password-stdin': true }, io('a\nb\n'), 3)).rejects.toThrow(
      /no password for server 3 of 3/,
    );
    await expect(
      readLoginSecrets(
        { 'password-stdin': true, 'sudo-password-stdin': true },
        io('a\nb\nc\nsa\n\nsc\n'),
        3,
      ),
    ).rejects.toThrow(/--sudo-password-stdin: stdin has no password for server 2 of 3/);
  });
});
