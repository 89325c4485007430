/**
 * The SSH layer against a real OpenSSH server (no mocks): sshd runs inside a
 * network namespace of its own, reached over a veth pair on 10.232.N.0/30, so
 * no traffic leaves this machine and nothing listens outside the namespace
 * (scripts/test-support/netns-sshd.ts). A throwaway user (password + key, in
 * sudoers) is created and removed again.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, sh, sshdSkipReason, startSshdSandbox, type SshdSandbox } from '../../../scripts/test-support/netns-sshd.js';
import { openSsh, type HostKeyPolicy, type SshConnectOptions, type SshSession, type UnknownHostInfo } from './ssh-session.js';
import { SshError } from './ssh-errors.js';

function skipReason(): string | undefined {
  // This test brings sudo along when the machine lacks it (the sandbox's other needs it only checks).
  if (process.platform === 'linux' && process.getuid?.() === 0 && !existsSync('/usr/bin/sudo')) {
    spawnSync('sh', ['-c', 'apt-get install -y sudo || (apt-get update && apt-get install -y sudo)'], { stdio: 'ignore' });
  }
  return sshdSkipReason();
}
const reason = skipReason();

const run = promisify(execFile);

/** The running sandbox's sshd log (set in beforeAll), for failure messages. */
let sshdLog = (): string => '';

async function expectSshError(p: Promise<unknown>, code: string): Promise<SshError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected a rejection with ${code}`).toBeInstanceOf(SshError);
  const se = e as SshError;
  expect(se.code, `${se.message}\n--- sshd log (end) ---\n${sshdLog().split('\n').slice(-30).join('\n')}`).toBe(code);
  return se;
}

describe.skipIf(reason !== undefined)(`ssh session against a real sshd in a network namespace${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let starting: Promise<SshdSandbox> | undefined;
  let sb: SshdSandbox;
  let ns = '';
  let nsAddr = '';
  let dir = '';
  let user = '';
  let password = '';
  const sessions: SshSession[] = [];
  let userKey: Buffer;
  let hostFp1 = '';
  let hostFp2 = '';

  const base = (over: Partial<SshConnectOptions> = {}): SshConnectOptions => ({
    host: nsAddr,
    port: 22,
    username: user,
    auth: { kind: 'key', privateKey: userKey },
    readyTimeoutMs: 10_000,
    hostKey: { knownHostsFile: path.join(dir, 'kh-default.json'), acceptNew: true },
    ...over,
  });

  const open = async (over: Partial<SshConnectOptions> = {}): Promise<SshSession> => {
    const s = await openSsh(base(over));
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    starting = startSshdSandbox({ prefix: 'kvs-ssh', sudo: true });
    sb = await starting;
    sshdLog = () => sb.sshdLog();
    ({ ns, address: nsAddr, dir, user, password } = sb);
    hostFp1 = sb.hostKeyFingerprint;
    hostFp2 = await generateKey(path.join(dir, 'hostkey2'), 'kvs-hostkey2');
    await generateKey(path.join(dir, 'userkey'), 'kvs-userkey');
    userKey = await readFile(path.join(dir, 'userkey'));
    await sb.authorizeKey(await readFile(path.join(dir, 'userkey.pub')));
  });

  afterAll(async () => {
    const step = async (f: () => Promise<unknown>): Promise<void> => {
      try {
        await f();
      } catch {
        /* keep cleaning */
      }
    };
    for (const s of sessions) await step(() => s.close());
    // Also when beforeAll gave up early: the sandbox may still be on its way up.
    const started = await starting?.catch(() => undefined);
    await started?.close();
  });

  it('sshd listens only on the namespace address', async () => {
    const inside = await sh('ip', ['netns', 'exec', ns, 'ss', '-Hltn']);
    const listeners = inside.split('\n').filter(Boolean);
    expect(listeners.length).toBeGreaterThan(0);
    for (const l of listeners) expect(l).toContain(`${nsAddr}:22`);
    const outside = await sh('ss', ['-Hltn']);
    expect(outside).not.toContain(`${nsAddr}:22`);
  });

  it('asks about an unknown host with the right SHA256 fingerprint; declining refuses with SSH_HOST_KEY_UNKNOWN', async () => {
    const kh = path.join(dir, 'kh-decline.json');
    const seen: UnknownHostInfo[] = [];
    const err = await expectSshError(
      openSsh(
        base({
          hostKey: {
            knownHostsFile: kh,
            onUnknownHost: async (info) => {
              seen.push(info);
              return false;
            },
          },
        }),
      ),
      'SSH_HOST_KEY_UNKNOWN',
    );
    expect(seen).toEqual([{ host: nsAddr, port: 22, fingerprint: hostFp1, keyType: 'ssh-ed25519' }]);
    expect(err.message).toContain(hostFp1);
    expect(existsSync(kh)).toBe(false);
  });

  it('accepting pins the key (0600 JSON); the second connect does not ask; key auth works', async () => {
    const kh = path.join(dir, 'kh-accept.json');
    let asked = 0;
    const policy: HostKeyPolicy = {
      knownHostsFile: kh,
      onUnknownHost: async () => {
        asked++;
        return true;
      },
    };
    const s1 = await open({ hostKey: policy });
    expect(asked).toBe(1);
    expect(s1.hostKey).toEqual({ keyType: 'ssh-ed25519', fingerprint: hostFp1 });
    expect(JSON.parse(await readFile(kh, 'utf8'))).toEqual({ [`${nsAddr}:22`]: { keyType: 'ssh-ed25519', fingerprint: hostFp1 } });
    expect((await stat(kh)).mode & 0o777).toBe(0o600);
    const r = await s1.exec(['id', '-un'], { timeoutMs: 10_000 });
    expect(r).toMatchObject({ code: 0, stdout: `${user}\n` });
    await s1.close();

    const s2 = await open({ hostKey: policy });
    expect(asked).toBe(1);
    await s2.close();
  });

  it('a pinned expected fingerprint connects when it matches and is refused when it does not', async () => {
    const s = await open({ hostKey: { expectedFingerprint: hostFp1 } });
    await s.close();
    const err = await expectSshError(openSsh(base({ hostKey: { expectedFingerprint: hostFp2 } })), 'SSH_HOST_KEY_CHANGED');
    expect(err.message).toContain(hostFp1);
    expect(err.message).toContain(hostFp2);
  });

  it('password auth works', async () => {
    const s = await open({ auth: { kind: 'password', password } });
    const r = await s.exec(['whoami'], { timeoutMs: 10_000 });
    expect(r.stdout.trim()).toBe(user);
    expect(await s.isRoot()).toBe(false);
    expect(s.commandLog.join('\n')).not.toContain(password);
  });

  it('a wrong password is SSH_AUTH_FAILED naming the user and methods, without the password', async () => {
    const wrong = `${password}-nope`;
    const err = await expectSshError(openSsh(base({ auth: { kind: 'password', password: wrong } })), 'SSH_AUTH_FAILED');
    expect(err.message).toContain(user);
    expect(err.message).toContain('password');
    expect(JSON.stringify(err.toJSON())).not.toContain(wrong);
  });

  it('a wrong key is SSH_AUTH_FAILED', async () => {
    const other = await readFile(path.join(dir, 'hostkey2')); // a valid key that is not authorized
    const err = await expectSshError(openSsh(base({ auth: { kind: 'key', privateKey: other } })), 'SSH_AUTH_FAILED');
    expect(err.message).toContain('publickey');
  });

  it('agent auth works (a local ssh-agent holding the user key)', async () => {
    const sock = path.join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
      await run('ssh-add', [path.join(dir, 'userkey')], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const s = await open({ auth: { kind: 'agent', socket: sock } });
      expect((await s.exec(['id', '-un'], { timeoutMs: 10_000 })).stdout).toBe(`${user}\n`);
      await s.close();
    } finally {
      agent.kill('SIGTERM');
    }
  });

  it('a closed port in the namespace subnet is SSH_UNREACHABLE', async () => {
    const err = await expectSshError(openSsh(base({ port: 2222 })), 'SSH_UNREACHABLE');
    expect(err.message).toContain(`${nsAddr}:2222`);
  });

  it('a server that never speaks SSH is SSH_UNREACHABLE within the ready timeout', async () => {
    // Silent TCP listener on the veth's host-side address (inside the test subnet only).
    const held: Socket[] = [];
    const server = createServer((sock) => held.push(sock));
    await new Promise<void>((resolve) => server.listen(0, sb.hostAddress, resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const err = await expectSshError(openSsh(base({ host: sb.hostAddress, port, readyTimeoutMs: 1000 })), 'SSH_UNREACHABLE');
      expect(err.detail).toBe('reason=timeout');
    } finally {
      for (const sock of held) sock.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('exec round-trips hostile argv through the remote shell, and passes stdin', async () => {
    const s = await open();
    const argv = [
      "'; touch /tmp/kvs-pwned #",
      '$(id)',
      '`id`',
      'a\nb',
      '*',
      '$HOME',
      '${PATH}',
      "'\\''",
      ' spaced out ',
      '日本語 🙂',
      '"dq"',
      '&&|;<>',
      '',
    ];
    const r = await s.exec(['printf', '%s\\0', ...argv], { timeoutMs: 10_000 });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(argv);
    const c = await s.exec(['cat'], { stdin: 'from stdin\n', timeoutMs: 10_000 });
    expect(c.stdout).toBe('from stdin\n');
    const f = await s.exec(['sh', '-c', 'echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect(f).toMatchObject({ code: 3, stderr: 'err\n' });
    await expectSshError(s.exec(['sleep', '20'], { timeoutMs: 300 }), 'SSH_TIMEOUT');
  });

  it('sudo with the right password runs as root; stdin still reaches the command; the password is nowhere', async () => {
    const s = await open({ auth: { kind: 'password', password } });
    const r = await s.sudo(['id', '-u'], { password, timeoutMs: 20_000 });
    expect(r).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    const c = await s.sudo(['cat'], { password, stdin: 'payload\n', timeoutMs: 20_000 });
    expect(c.stdout).toBe('payload\n');
    const streamed: string[] = [];
    const e = await s.sudo(['sh', '-c', 'echo oops >&2; exit 4'], {
      password,
      timeoutMs: 20_000,
      onStderr: (c) => streamed.push(c.toString()),
    });
    expect(e).toMatchObject({ code: 4, stderr: 'oops\n' });
    expect(streamed.join('')).toBe('oops\n'); // sudo's prompt and our marker are not passed on
    expect(s.commandLog.length).toBeGreaterThan(0);
    for (const line of s.commandLog) expect(line).not.toContain(password);
  });

  it('a wrong sudo password is SUDO_AUTH_FAILED; no password at all too', async () => {
    const s = await open({ auth: { kind: 'password', password } });
    const wrong = `wrong-${randomBytes(4).toString('hex')}`;
    const err = await expectSshError(s.sudo(['id', '-u'], { password: wrong, timeoutMs: 30_000 }), 'SUDO_AUTH_FAILED');
    expect(JSON.stringify(err.toJSON())).not.toContain(wrong);
    expect(JSON.stringify(err.toJSON())).not.toContain(password);
    await expectSshError(s.sudo(['id', '-u'], { timeoutMs: 30_000 }), 'SUDO_AUTH_FAILED');
    for (const line of s.commandLog) {
      expect(line).not.toContain(wrong);
      expect(line).not.toContain(password);
    }
  });

  it('a user outside sudoers is SUDO_NOT_ALLOWED', async () => {
    const s = await open({ auth: { kind: 'password', password } });
    await sb.setSudo(false);
    try {
      const err = await expectSshError(s.sudo(['id', '-u'], { password, timeoutMs: 30_000 }), 'SUDO_NOT_ALLOWED');
      expect(JSON.stringify(err.toJSON())).not.toContain(password);
    } finally {
      await sb.setSudo(true);
    }
  });

  it('uploads over SFTP and writes files with a mode', async () => {
    const s = await open();
    const local = path.join(dir, 'upload.bin');
    const data = randomBytes(300_000);
    await writeFile(local, data);
    const home = sb.home;
    let last = 0;
    await s.upload(local, `${home}/up.bin`, { mode: 0o640, onProgress: (t) => (last = t) });
    expect(last).toBe(data.length);
    const sum = await s.exec(['sh', '-c', 'sha256sum "$1" | cut -d" " -f1; stat -c %a "$1"', 'sh', `${home}/up.bin`], { timeoutMs: 10_000 });
    const { createHash } = await import('node:crypto');
    expect(sum.stdout).toBe(`${createHash('sha256').update(data).digest('hex')}\n640\n`);

    await s.writeFile(`${home}/conf.properties`, 'a=1\n', 0o600);
    const w = await s.exec(['sh', '-c', 'cat "$1"; stat -c %a "$1"', 'sh', `${home}/conf.properties`], { timeoutMs: 10_000 });
    expect(w.stdout).toBe('a=1\n600\n');
  });

  it('a replaced server host key is refused with SSH_HOST_KEY_CHANGED showing both fingerprints', async () => {
    const kh = path.join(dir, 'kh-change.json');
    const s = await open({ hostKey: { knownHostsFile: kh, acceptNew: true } });
    await s.close();
    await sb.restartSshd({ hostKeyFile: path.join(dir, 'hostkey2') });
    expect(sb.hostKeyFingerprint).toBe(hostFp2);
    let asked = 0;
    const err = await expectSshError(
      openSsh(
        base({
          hostKey: {
            knownHostsFile: kh,
            onUnknownHost: async () => {
              asked++;
              return true;
            },
          },
        }),
      ),
      'SSH_HOST_KEY_CHANGED',
    );
    expect(asked).toBe(0);
    expect(err.message).toContain(hostFp1);
    expect(err.message).toContain(hostFp2);
    // still pinned to the old key
    expect(JSON.parse(await readFile(kh, 'utf8'))[`${nsAddr}:22`].fingerprint).toBe(hostFp1);
  });
});
