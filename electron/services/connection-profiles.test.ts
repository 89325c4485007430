import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  allFiles,
  filesHolding,
  sentinel,
  testCipher,
} from '../../scripts/test-support/secret-traces.js';
import type { ProfileSave } from '../shared/contract.js';
import type { PublicSecurity } from '../shared/connection-profile.js';
import { KvsError } from '../shared/errors.js';
import { createAppServices } from './app-services.js';
import {
  CANNOT_REMEMBER_SECRETS_MESSAGE,
  ConnectionProfiles,
  MAX_PROFILES,
  MAX_RECENT_PROFILES,
  PROFILES_FILE,
} from './connection-profiles.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const scram: PublicSecurity = {
  protocol: 'SASL_SSL',
  tls: { ca: CA, client: null, verifyHostname: true },
  sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice' },
};
const mtls: PublicSecurity = {
  protocol: 'SSL',
  tls: {
    ca: CA,
    client: { kind: 'pem', cert: CA.replace('fake', 'client') },
    verifyHostname: true,
  },
  sasl: null,
};

function saveReq(over: Partial<ProfileSave> = {}): ProfileSave {
  return {
    id: null,
    name: 'Work cluster',
    bootstrap: '10.0.0.5:9092',
    security: scram,
    secrets: {},
    remember: false,
    ...over,
  };
}

let root: string;
let userData: string;
let file: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kvs-profiles-'));
  userData = path.join(root, 'user-data');
  file = path.join(userData, PROFILES_FILE);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<KvsError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(KvsError);
  return e as KvsError;
}

describe('connection profiles', () => {
  it('remembers the secrets only encrypted, and a new instance connects with them', async () => {
    const cipher = testCipher();
    const pw = sentinel();
    const key = `-----BEGIN PRIVATE KEY-----\n${sentinel()}\n-----END PRIVATE KEY-----\n`;
    const a = new ConnectionProfiles(file, cipher);
    expect(a.canRemember).toBe(true);
    const v = await a.save(saveReq({ secrets: { saslPassword: pw }, remember: true }));
    expect(v).toMatchObject({
      name: 'Work cluster',
      bootstrap: '10.0.0.5:9092',
      security: scram,
      secretsNeeded: ['saslPassword'],
      secretsRemembered: true,
      lastUsed: null,
    });
    const m = await a.save(
      saveReq({ name: 'mTLS', security: mtls, secrets: { clientKey: key }, remember: true }),
    );

    const b = new ConnectionProfiles(file, cipher);
    expect((await b.list()).map((p) => p.name).sort()).toEqual(['Work cluster', 'mTLS'].sort());
    const r = await b.resolve({ profileId: v.id });
    expect(r).toEqual({
      bootstrap: '10.0.0.5:9092',
      profileId: v.id,
      security: {
        protocol: 'SASL_SSL',
        tls: { ca: CA, client: null, verifyHostname: true },
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: pw },
      },
    });
    expect((await b.resolve({ profileId: m.id })).security.tls?.client).toEqual({
      kind: 'pem',
      cert: CA.replace('fake', 'client'),
      key,
    });

    expect((await allFiles(root)).map((f) => path.basename(f))).toEqual([PROFILES_FILE]);
    expect(await filesHolding(root, pw)).toEqual([]);
    expect(await filesHolding(root, key)).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(userData)).mode & 0o777).toBe(0o700);
  });

  for (const [name, cipher] of [
    ['a cipher without real encryption', testCipher({ available: false })],
    ['no cipher (kvs serve, the CLI)', null],
  ] as const) {
    it(`with ${name}: refuses to remember, keeps the profile without secrets, asks for them`, async () => {
      const s = new ConnectionProfiles(file, cipher);
      expect(s.canRemember).toBe(false);
      const pw = sentinel();
      const err = await errorOf(s.save(saveReq({ secrets: { saslPassword: pw }, remember: true })));
      expect(err).toMatchObject({
        code: 'CANNOT_REMEMBER',
        message: CANNOT_REMEMBER_SECRETS_MESSAGE,
      });
      expect(JSON.stringify(err) + String(err.stack)).not.toContain(pw);
      expect(await allFiles(root)).toEqual([]);

      // not remembered: the profile is kept, the password is not
      const v = await s.save(saveReq({ secrets: { saslPassword: pw }, remember: false }));
      expect(v.secretsRemembered).toBe(false);
      expect(await filesHolding(root, pw)).toEqual([]);
      const needs = await errorOf(s.resolve({ profileId: v.id }));
      expect(needs.code).toBe('PROFILE_SECRETS_NEEDED');
      expect(needs.detail).toBe('saslPassword');
      expect(needs.message).toBe(
        '"Work cluster": type the SASL password to connect (it is not remembered).',
      );
      const r = await s.resolve({ profileId: v.id, secrets: { saslPassword: pw } });
      expect(r.security.sasl).toEqual({
        mechanism: 'SCRAM-SHA-512',
        username: 'alice',
        password: pw,
      });
    });
  }

  it('an update keeps the remembered secrets it is not given, and drops those no longer used', async () => {
    const cipher = testCipher();
    const s = new ConnectionProfiles(file, cipher);
    const v = await s.save(saveReq({ secrets: { saslPassword: 'first' }, remember: true }));
    // rename, no password typed: the remembered one stays
    await s.save(saveReq({ id: v.id, name: 'Renamed', remember: true }));
    expect((await s.resolve({ profileId: v.id })).security.sasl).toMatchObject({
      password: 'first',
    });
    // a secret given at connect wins over the remembered one
    expect(
      (await s.resolve({ profileId: v.id, secrets: { saslPassword: 'other' } })).security.sasl,
    ).toMatchObject({ password: 'other' });
    // now PLAINTEXT: nothing secret is needed or kept
    const plain = await s.save(
      saveReq({
        id: v.id,
        name: 'Renamed',
        security: { protocol: 'PLAINTEXT', tls: null, sasl: null },
        remember: true,
      }),
    );
    expect(plain).toMatchObject({ secretsNeeded: [], secretsRemembered: false });
    expect(JSON.parse(await readFile(file, 'utf8')).profiles[0].secrets).toBeUndefined();
    // choosing not to remember any more forgets them
    const again = await s.save(
      saveReq({ id: v.id, secrets: { saslPassword: 'x' }, remember: true }),
    );
    expect(again.secretsRemembered).toBe(true);
    const forgot = await s.save(saveReq({ id: v.id, remember: false }));
    expect(forgot.secretsRemembered).toBe(false);
    expect((await errorOf(s.resolve({ profileId: v.id }))).code).toBe('PROFILE_SECRETS_NEEDED');
  });

  it('a remembered password never follows the profile to another broker or user', async () => {
    const s = new ConnectionProfiles(file, testCipher());
    const v = await s.save(saveReq({ secrets: { saslPassword: 'pw-for-alice' }, remember: true }));
    // an explicit undefined (IPC keeps it) does not erase the remembered one
    await s.save(saveReq({ id: v.id, secrets: { saslPassword: undefined }, remember: true }));
    expect((await s.resolve({ profileId: v.id })).security.sasl).toMatchObject({
      password: 'pw-for-alice',
    });
    // the CA or the hostname check may change: same broker, same login
    await s.save(
      saveReq({
        id: v.id,
        security: { ...scram, tls: { ca: null, client: null, verifyHostname: false } },
        remember: true,
      }),
    );
    expect((await s.resolve({ profileId: v.id })).security.sasl).toMatchObject({
      password: 'pw-for-alice',
    });
    for (const change of [
      { bootstrap: 'elsewhere.example:9093' },
      {
        security: { ...scram, sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'mallory' } },
      },
    ]) {
      const w = await s.save(
        saveReq({
          secrets: { saslPassword: 'pw-for-alice' },
          remember: true,
          name: `w ${Object.keys(change)[0]}`,
        }),
      );
      const moved = await s.save(saveReq({ id: w.id, name: w.name, remember: true, ...change }));
      expect(moved.secretsRemembered).toBe(false);
      expect((await errorOf(s.resolve({ profileId: w.id }))).code).toBe('PROFILE_SECRETS_NEEDED');
    }
  });

  it('normalizes the bootstrap and refuses a bad one; at most 50 saved profiles', async () => {
    const s = new ConnectionProfiles(file, null);
    expect((await s.save(saveReq({ bootstrap: ' 10.0.0.5 ' }))).bootstrap).toBe('10.0.0.5:9092');
    expect((await errorOf(s.save(saveReq({ name: 'b', bootstrap: 'PLAINTEXT://x:1' })))).code).toBe(
      'BOOTSTRAP_INVALID',
    );
    for (let i = 1; i < MAX_PROFILES; i += 1) await s.save(saveReq({ name: `p${i}` }));
    const full = await errorOf(s.save(saveReq({ name: 'one too many' })));
    expect(full.message).toBe(
      `There are ${MAX_PROFILES} saved profiles already; delete one you no longer use first.`,
    );
    expect(await s.list()).toHaveLength(MAX_PROFILES);
  });

  it('refuses settings that cannot work, a taken name, and an unknown id, writing nothing', async () => {
    const s = new ConnectionProfiles(file, testCipher());
    const bad = await errorOf(
      s.save(saveReq({ security: { protocol: 'SASL_SSL', tls: null, sasl: null } })),
    );
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.message).toMatch(/SASL_SSL needs a SASL login/);
    expect(await allFiles(root)).toEqual([]);
    await s.save(saveReq());
    expect((await errorOf(s.save(saveReq()))).message).toBe(
      'A profile named "Work cluster" exists already.',
    );
    expect((await errorOf(s.save(saveReq({ id: 'nope', name: 'X' })))).code).toBe(
      'PROFILE_NOT_FOUND',
    );
    expect((await errorOf(s.resolve({ profileId: 'nope' }))).code).toBe('PROFILE_NOT_FOUND');
    await s.remove((await s.list())[0]?.id ?? '');
    expect(await s.list()).toEqual([]);
  });

  it('recent connections become profiles: one per bootstrap and settings, the newest first, at most 8', async () => {
    const s = new ConnectionProfiles(file, null);
    const plain = { protocol: 'PLAINTEXT' as const, tls: null, sasl: null };
    await s.connected({ bootstrap: '10.0.0.5:9092', security: plain, profileId: null }, 1000);
    await s.connected(
      {
        bootstrap: '10.0.0.5:9093',
        security: {
          protocol: 'SASL_PLAINTEXT',
          tls: null,
          sasl: { mechanism: 'PLAIN', username: 'bob', password: 'never-stored' },
        },
        profileId: null,
      },
      2000,
    );
    await s.connected({ bootstrap: '10.0.0.5:9092', security: plain, profileId: null }, 3000);
    const list = await s.list();
    expect(list.map((p) => [p.name, p.lastUsed])).toEqual([
      ['10.0.0.5:9092', 3000],
      ['10.0.0.5:9093 (SASL_PLAINTEXT)', 2000],
    ]);
    expect(list[1]?.security.sasl).toEqual({ mechanism: 'PLAIN', username: 'bob' });
    expect(await filesHolding(root, 'never-stored')).toEqual([]);

    // a saved profile used again moves to the front; recents are capped, saved ones are not
    const saved = await s.save(saveReq({ bootstrap: '10.9.9.9:9092', security: plain }));
    await s.connected({ bootstrap: '10.9.9.9:9092', security: plain, profileId: saved.id }, 4000);
    for (let i = 0; i < MAX_RECENT_PROFILES + 2; i += 1)
      await s.connected(
        { bootstrap: `10.1.0.${i}:9092`, security: plain, profileId: null },
        5000 + i,
      );
    const after = await s.list();
    expect(after.filter((p) => p.name !== 'Work cluster')).toHaveLength(MAX_RECENT_PROFILES);
    expect(after.some((p) => p.id === saved.id)).toBe(true);
    expect(after[0]?.name).toBe(`10.1.0.${MAX_RECENT_PROFILES + 1}:9092`);
  });

  it('recent addresses of earlier versions become profiles once, before there is a profiles file', async () => {
    const s = new ConnectionProfiles(file, null);
    await s.seedFromRecent(['10.0.0.7:9092', '10.0.0.8:9092'], 100);
    expect((await s.list()).map((p) => [p.name, p.security.protocol, p.lastUsed])).toEqual([
      ['10.0.0.7:9092', 'PLAINTEXT', 100],
      ['10.0.0.8:9092', 'PLAINTEXT', 99],
    ]);
    // deleted ones do not come back: the file exists now
    for (const p of await s.list()) await s.remove(p.id);
    await s.seedFromRecent(['10.0.0.7:9092'], 200);
    expect(await s.list()).toEqual([]);
  });

  it('reads a missing, damaged or foreign file as empty and skips bad entries', async () => {
    const s = new ConnectionProfiles(file, null);
    expect(await s.list()).toEqual([]);
    await mkdir(userData, { recursive: true });
    for (const body of ['{', '[]', '{"version":2,"profiles":[]}', 'null'])
      await writeFile(file, body).then(async () => expect(await s.list()).toEqual([]));
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        profiles: [
          { id: 'a', name: 'ok', bootstrap: 'h:1', security: scram, recent: false, lastUsed: null },
          { id: 'b', name: 'bad protocol', bootstrap: 'h:1', security: { protocol: 'X' } },
          {
            id: 'a',
            name: 'same id',
            bootstrap: 'h:2',
            security: scram,
            recent: false,
            lastUsed: 1,
          },
        ],
      }),
    );
    expect((await s.list()).map((p) => p.name)).toEqual(['ok']);
  });
});

describe('profiles through the app services (the checklist: secrets never in files, errors or events)', () => {
  it('SENTINEL: a profile with a password and a private key, saved, used and failing to connect', async () => {
    for (const cipher of [testCipher(), null]) {
      const dir = path.join(root, cipher ? 'desktop' : 'serve');
      const services = createAppServices({
        userDataDir: dir,
        allowOpenPath: false,
        cipher,
        connectTimeoutMs: 2000,
      });
      const seen: string[] = [];
      services.onEvent((channel, payload) => seen.push(JSON.stringify({ channel, payload })));
      try {
        const pw = sentinel();
        const key = `-----BEGIN PRIVATE KEY-----\n${sentinel()}\n-----END PRIVATE KEY-----\n`;
        const replies: string[] = [];
        const call = async (channel: string, args: unknown) => {
          const r = await services.handle(channel, args);
          replies.push(JSON.stringify(r));
          return r;
        };
        const saved = await call('profiles:save', {
          ...saveReq({
            bootstrap: '127.0.0.1:1',
            security: {
              protocol: 'SASL_SSL',
              tls: { ca: CA, client: mtls.tls?.client ?? null, verifyHostname: true },
              sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice' },
            },
            secrets: { saslPassword: pw, clientKey: key },
          }),
          remember: cipher !== null,
        });
        expect(saved.ok).toBe(true);
        const id = saved.ok ? (saved.result as { id: string }).id : '';
        const listed = await call('profiles:list', {});
        expect(listed).toMatchObject({ ok: true, result: { canRemember: cipher !== null } });
        // a disconnect while the profile is read: that connect stops there
        const racing = services.handle('connection:connect', {
          profileId: id,
          secrets: { saslPassword: pw, clientKey: key },
        });
        await services.handle('connection:disconnect', {});
        expect(await racing).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
        // settings and a profile at once are refused, never read as the settings alone
        const both = await call('connection:connect', { bootstrap: '127.0.0.1:1', profileId: id });
        expect(both).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
        const connect = await call(
          'connection:connect',
          cipher
            ? { profileId: id }
            : { profileId: id, secrets: { saslPassword: pw, clientKey: key } },
        );
        expect(connect.ok).toBe(false); // nothing listens on port 1
        if (!cipher) {
          const asked = await call('connection:connect', { profileId: id });
          expect(asked).toMatchObject({ ok: false, error: { code: 'PROFILE_SECRETS_NEEDED' } });
        }
        await call('doctor:run', {
          profileId: id,
          ...(cipher ? {} : { secrets: { saslPassword: pw } }),
        });
        for (const secret of [pw, key, key.split('\n')[1] ?? key]) {
          expect(await filesHolding(dir, secret)).toEqual([]);
          for (const text of [...replies, ...seen]) expect(text).not.toContain(secret);
        }
      } finally {
        await services.dispose();
      }
    }
  });
});
