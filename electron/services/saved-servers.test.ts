import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  allFiles,
  filesHolding,
  sentinel,
  testCipher,
} from '../../scripts/test-support/secret-traces.js';
import { KvsError } from '../shared/errors.js';
import type { SshConnectOptions, SshSession } from '../core/ssh/ssh-session.js';
import { createAppServices } from './app-services.js';
import {
  CANNOT_REMEMBER_MESSAGE,
  MAX_SAVED_SERVERS,
  SAVED_SERVERS_FILE,
  SavedServers,
  serverKey,
  type ServerLogin,
} from './saved-servers.js';

const login: ServerLogin = { host: 'kafka-1.example.net', port: 22, user: 'ops' };
let root: string;
let userData: string;
let file: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kvs-saved-'));
  userData = path.join(root, 'user-data');
  file = path.join(userData, SAVED_SERVERS_FILE);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('saved servers', () => {
  it('remembers a password encrypted and gives it back, also to a new instance', async () => {
    const cipher = testCipher();
    const a = new SavedServers(file, cipher);
    expect(a.canRemember).toBe(true);
    expect(await a.list()).toEqual([]);
    expect(await a.password(login)).toBeNull();

    await a.remember(login, 'pa55 wörd ✓');
    expect(await a.list()).toEqual([{ ...login, hasPassword: true }]);
    expect(await a.password(login)).toBe('pa55 wörd ✓');
    expect(await new SavedServers(file, cipher).password(login)).toBe('pa55 wörd ✓');
    // other user, other port: other servers
    expect(await a.password({ ...login, user: 'root' })).toBeNull();
    expect(await a.password({ ...login, port: 2222 })).toBeNull();

    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(stored.version).toBe(1);
    expect(stored.servers).toHaveLength(1);
    expect(typeof stored.servers[0].password).toBe('string');
    expect(cipher.decrypt(Buffer.from(stored.servers[0].password, 'base64'))).toBe('pa55 wörd ✓');
  });

  it('SENTINEL: leaves no trace of the password anywhere in the user-data folder', async () => {
    const pw = sentinel();
    const s = new SavedServers(file, testCipher());
    await s.remember(login, pw);
    await s.remember({ host: '10.0.0.7', port: 2222, user: 'kafka' });
    await s.remember(login, pw); // written twice, moved to the front
    expect(await s.password(login)).toBe(pw);
    expect((await allFiles(userData)).map((f) => path.basename(f))).toEqual([SAVED_SERVERS_FILE]);
    expect(await filesHolding(userData, pw)).toEqual([]);
  });

  for (const [name, cipher] of [
    ['a cipher without real encryption', testCipher({ available: false })],
    ['no cipher', null],
  ] as const) {
    it(`with ${name}: refuses to remember a password and saves nothing`, async () => {
      const s = new SavedServers(file, cipher);
      expect(s.canRemember).toBe(false);
      const pw = sentinel();
      const err = await s.remember(login, pw).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KvsError);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', message: CANNOT_REMEMBER_MESSAGE });
      expect(CANNOT_REMEMBER_MESSAGE).toMatch(/desktop app/);
      expect(CANNOT_REMEMBER_MESSAGE).toMatch(/keychain/);
      expect(CANNOT_REMEMBER_MESSAGE).toMatch(/nothing was saved/);
      expect(JSON.stringify(err)).not.toContain(pw);
      expect(String((err as Error).stack)).not.toContain(pw);
      expect(await allFiles(root)).toEqual([]);
      expect(await s.list()).toEqual([]);

      // the server alone can still be recorded
      await s.remember(login);
      expect(await s.list()).toEqual([{ ...login, hasPassword: false }]);
      expect(await s.password(login)).toBeNull();
      expect(await filesHolding(root, pw)).toEqual([]);
    });
  }

  it('reads a missing, corrupt or foreign-shaped file as empty, and recovers on the next write', async () => {
    const s = new SavedServers(file, testCipher());
    expect(await s.list()).toEqual([]);
    await mkdir(userData, { recursive: true });
    for (const text of [
      '{not json',
      '',
      '\u0000\u0001binary',
      'null',
      '[]',
      JSON.stringify(['10.0.0.1:9092']),
      JSON.stringify({ a: 1 }),
      JSON.stringify({ version: 2, servers: [] }),
      JSON.stringify({ version: 1, servers: 'x' }),
    ]) {
      await writeFile(file, text);
      expect(await s.list(), text).toEqual([]);
      expect(await s.password(login)).toBeNull();
    }
    await writeFile(file, '{not json');
    await s.remember(login, 'secret');
    expect(await s.list()).toEqual([{ ...login, hasPassword: true }]);
  });

  it('skips malformed entries and keeps the good ones', async () => {
    await mkdir(userData, { recursive: true });
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        servers: [
          { host: 'a', port: 22, user: 'u' },
          { host: '', port: 22, user: 'u' },
          { host: 'b', port: 'x', user: 'u' },
          { host: 'c', port: 22, user: 'u', password: 'not base64!' },
          42,
          { host: 'a', port: 22, user: 'u' },
          { host: 'd', port: 2222, user: 'v' },
        ],
      }),
    );
    expect(await new SavedServers(file, null).list()).toEqual([
      { host: 'a', port: 22, user: 'u', hasPassword: false },
      { host: 'd', port: 2222, user: 'v', hasPassword: false },
    ]);
  });

  it('drops a password that can no longer be decrypted (keychain changed)', async () => {
    const pw = sentinel();
    await new SavedServers(file, testCipher()).remember(login, pw);
    const other = new SavedServers(file, testCipher()); // a different key
    expect(await other.list()).toEqual([{ ...login, hasPassword: true }]);
    expect(await other.password(login)).toBeNull();
    expect(await other.list()).toEqual([{ ...login, hasPassword: false }]);
    expect(JSON.parse(await readFile(file, 'utf8')).servers[0].password).toBeUndefined();
  });

  it('drops the password when decrypt throws', async () => {
    const cipher = testCipher();
    const s = new SavedServers(file, cipher);
    await s.remember(login, 'secret');
    await s.remember({ ...login, user: 'other' }, 'secret2');
    cipher.decrypt = () => {
      throw new Error(
        'Error while decrypting the ciphertext provided to safeStorage.decryptString.',
      );
    };
    expect(await s.password(login)).toBeNull();
    expect(await s.list()).toEqual([
      { ...login, user: 'other', hasPassword: true },
      { ...login, hasPassword: false },
    ]);
  });

  it('keeps but does not claim a stored password while the keychain is unavailable', async () => {
    const cipher = testCipher();
    const s = new SavedServers(file, cipher);
    await s.remember(login, 'secret');
    cipher.available = false;
    expect(s.canRemember).toBe(false);
    expect(await s.list()).toEqual([{ ...login, hasPassword: false }]);
    expect(await s.password(login)).toBeNull();
    cipher.available = true;
    expect(await s.password(login)).toBe('secret');
  });

  it('remember() without a password drops the one stored for that login', async () => {
    const s = new SavedServers(file, testCipher());
    await s.remember(login, 'secret');
    await s.remember(login);
    expect(await s.list()).toEqual([{ ...login, hasPassword: false }]);
    expect(await s.password(login)).toBeNull();
    expect(JSON.parse(await readFile(file, 'utf8')).servers[0]).toEqual(login);
    // an empty password counts as none
    await s.remember(login, 'secret');
    await s.remember(login, '');
    expect(await s.password(login)).toBeNull();
  });

  it('lists newest first and moves a server logged in to again to the front', async () => {
    const s = new SavedServers(file, testCipher());
    await s.remember({ host: 'a', port: 22, user: 'u' });
    await s.remember({ host: 'b', port: 22, user: 'u' }, 'pb');
    await s.remember({ host: 'c', port: 22, user: 'u' });
    await s.remember({ host: 'a', port: 22, user: 'u' }, 'pa');
    expect((await s.list()).map((x) => [x.host, x.hasPassword])).toEqual([
      ['a', true],
      ['c', false],
      ['b', true],
    ]);
  });

  it('forgets a server and its password', async () => {
    const s = new SavedServers(file, testCipher());
    await s.remember(login, 'secret');
    await s.remember({ ...login, host: 'other' });
    await s.forget(login);
    expect(await s.list()).toEqual([{ ...login, host: 'other', hasPassword: false }]);
    expect(await s.password(login)).toBeNull();
    expect(await readFile(file, 'utf8')).not.toContain(login.host);
    await s.forget({ host: 'never', port: 1, user: 'x' }); // forgetting the unknown is fine
    expect(await s.list()).toHaveLength(1);
  });

  it(`keeps at most ${MAX_SAVED_SERVERS} servers, dropping the oldest`, async () => {
    const s = new SavedServers(file, testCipher());
    for (let i = 0; i < MAX_SAVED_SERVERS + 3; i++) {
      await s.remember({ host: `10.0.0.${i}`, port: 22, user: 'u' }, `pw-${i}`);
    }
    const list = await s.list();
    expect(list).toHaveLength(MAX_SAVED_SERVERS);
    expect(list[0]?.host).toBe(`10.0.0.${MAX_SAVED_SERVERS + 2}`);
    expect(list.at(-1)?.host).toBe('10.0.0.3');
    expect(await s.password({ host: '10.0.0.0', port: 22, user: 'u' })).toBeNull();
    expect(JSON.parse(await readFile(file, 'utf8')).servers).toHaveLength(MAX_SAVED_SERVERS);
  });

  it('serialises concurrent changes without losing any', async () => {
    const s = new SavedServers(file, testCipher());
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        s.remember({ host: `h${i}`, port: 22, user: 'u' }, `p${i}`),
      ),
    );
    expect(await s.list()).toHaveLength(6);
    for (let i = 0; i < 6; i++)
      expect(await s.password({ host: `h${i}`, port: 22, user: 'u' })).toBe(`p${i}`);
    expect(await readdir(userData)).toEqual([SAVED_SERVERS_FILE]); // no temp files left
  });

  it('refuses an invalid login without writing', async () => {
    const s = new SavedServers(file, testCipher());
    for (const bad of [
      { host: '', port: 22, user: 'u' },
      { host: 'h', port: 0, user: 'u' },
      { host: 'h', port: 70000, user: 'u' },
      { host: 'h', port: 22.5, user: 'u' },
      { host: 'h', port: 22, user: '' },
    ]) {
      await expect(s.remember(bad, 'secret')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await s.password(bad)).toBeNull();
    }
    expect(await allFiles(root)).toEqual([]);
  });

  it('keys servers as user@host:port', () => {
    expect(serverKey(login)).toBe('ops@kafka-1.example.net:22');
  });

  it.skipIf(process.platform === 'win32')(
    'writes the file 0600 in a folder created 0700',
    async () => {
      const s = new SavedServers(file, testCipher());
      await s.remember(login, 'secret');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(userData)).mode & 0o777).toBe(0o700);
      // a file left too open (say by hand) is replaced by a 0600 one on the next write
      await chmod(file, 0o644);
      await s.remember({ ...login, host: 'other' });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    },
  );
});

describe('saved servers through setup:connect (the checklist: never store the sudo password)', () => {
  /** An SSH server stand-in: logs in anyone, is not root, and accepts any sudo password it is given. */
  function fakeSsh(): {
    open: (o: SshConnectOptions) => Promise<SshSession>;
    argv: string[][];
    sudoPasswords: Array<string | undefined>;
  } {
    const argv: string[][] = [];
    const sudoPasswords: Array<string | undefined> = [];
    const ok = { code: 0, signal: null, stdout: '', stderr: '' };
    const open = (o: SshConnectOptions): Promise<SshSession> =>
      Promise.resolve({
        host: o.host,
        port: o.port ?? 22,
        username: o.username,
        hostKey: { keyType: 'ssh-ed25519', fingerprint: `SHA256:${'A'.repeat(43)}` },
        commandLog: [],
        exec: (a) => {
          argv.push([...a]);
          return Promise.resolve(ok);
        },
        sudo: (a, opts) => {
          argv.push([...a]);
          sudoPasswords.push(opts.password);
          return Promise.resolve(ok);
        },
        isRoot: () => Promise.resolve(false),
        upload: () => Promise.resolve(),
        writeFile: () => Promise.resolve(),
        close: () => Promise.resolve(),
      });
    return { open, argv, sudoPasswords };
  }

  it('SENTINEL: remembers the SSH password encrypted and writes the sudo password nowhere', async () => {
    const sshPw = sentinel();
    const sudoPw = `Sudo-${sentinel()}`;
    const cipher = testCipher();
    const ssh = fakeSsh();
    const services = createAppServices({
      userDataDir: userData,
      allowOpenPath: false,
      cipher,
      setup: { openSsh: ssh.open },
    });
    try {
      const reply = await services.handle('setup:connect', {
        host: login.host,
        port: login.port,
        user: login.user,
        auth: { kind: 'password', password: sshPw },
        sudoPassword: sudoPw,
        remember: true,
      });
      expect(reply).toMatchObject({ ok: true, result: { state: 'connected', remembered: true } });
      expect(JSON.stringify(reply)).not.toContain(sudoPw);
      expect(JSON.stringify(reply)).not.toContain(sshPw);
      // sudo really was given its own password (so it was there to be stored, and was not)
      expect(ssh.sudoPasswords.length).toBeGreaterThan(0);
      expect(new Set(ssh.sudoPasswords)).toEqual(new Set([sudoPw]));
      for (const a of ssh.argv) expect(a.join(' ')).not.toContain(sudoPw);

      // the SSH password: remembered, encrypted
      expect(await new SavedServers(file, cipher).password(login)).toBe(sshPw);
      // the sudo password: in no file, in no encoding, not even encrypted (nothing decrypts to it)
      expect(await filesHolding(userData, sudoPw)).toEqual([]);
      expect(await filesHolding(userData, sshPw)).toEqual([]);
      const stored = JSON.parse(await readFile(file, 'utf8')) as {
        servers: Array<Record<string, unknown>>;
      };
      expect(stored.servers).toHaveLength(1);
      expect(Object.keys(stored.servers[0] ?? {}).sort()).toEqual([
        'host',
        'password',
        'port',
        'user',
      ]);
      expect(cipher.decrypt(Buffer.from(String(stored.servers[0]?.password), 'base64'))).toBe(
        sshPw,
      );
    } finally {
      await services.dispose();
    }
    expect(await filesHolding(userData, sudoPw)).toEqual([]);
  });
});
