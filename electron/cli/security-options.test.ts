import { describe, expect, it } from 'vitest';
import { parseCommand } from './args.js';
import { CONSUME } from './consume-command.js';
import type { ProfileView } from '../shared/connection-profile.js';
import { connectionFromOptions, type SecurityDeps } from './security-options.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';

function deps(env: Record<string, string>, files: Record<string, string>): SecurityDeps {
  return {
    env,
    readFile: (f) =>
      files[f] === undefined
        ? Promise.reject(new Error('ENOENT'))
        : Promise.resolve(Buffer.from(files[f] ?? '')),
  };
}

describe('kvs security options', () => {
  it('no options: PLAINTEXT, as before', async () => {
    expect(await connectionFromOptions({ bootstrap: 'b:9092' }, deps({}, {}))).toEqual({
      bootstrap: 'b:9092',
      security: { protocol: 'PLAINTEXT', tls: null, sasl: null },
      unused: [],
    });
  });

  it('SASL_SSL + SCRAM: the password from an environment variable, the CA from a file', async () => {
    const c = await connectionFromOptions(
      {
        bootstrap: 'b:9093',
        'security-protocol': 'sasl_ssl',
        'sasl-mechanism': 'SCRAM-SHA-512',
        'sasl-username': 'alice',
        'sasl-password-env': 'KVS_PW',
        'ca-file': '/c/ca.pem',
      },
      deps({ KVS_PW: 'secret' }, { '/c/ca.pem': CA }),
    );
    expect(c.security).toEqual({
      protocol: 'SASL_SSL',
      tls: { ca: CA, client: null, verifyHostname: true },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'secret' },
    });
  });

  it('mutual TLS from PEM files, the hostname check turned off on request; the password file’s first line', async () => {
    const c = await connectionFromOptions(
      {
        bootstrap: 'b:9094',
        'security-protocol': 'SSL',
        'cert-file': '/c/cert.pem',
        'key-file': '/c/key.pem',
        'no-hostname-check': true,
      },
      deps({}, { '/c/cert.pem': CA, '/c/key.pem': KEY }),
    );
    expect(c.security.tls).toEqual({
      ca: null,
      client: { kind: 'pem', cert: CA, key: KEY },
      verifyHostname: false,
    });
    const p = await connectionFromOptions(
      {
        bootstrap: 'b:9095',
        'security-protocol': 'SASL_PLAINTEXT',
        'sasl-mechanism': 'PLAIN',
        'sasl-username': 'u',
        'sasl-password-file': '/s/pw',
      },
      deps({}, { '/s/pw': 'from-file\nignored\n' }),
    );
    expect(p.security.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: 'from-file' });
  });

  it('--config gives the bootstrap and the login; flags override; unused keys are reported', async () => {
    const props = [
      'bootstrap.servers=from-config:9093',
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN',
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="cfg" password="cfgpw";',
      'acks=all',
    ].join('\n');
    const d = deps({ NEWPW: 'override' }, { '/etc/client.properties': props });
    const c = await connectionFromOptions({ config: '/etc/client.properties' }, d);
    expect(c.bootstrap).toBe('from-config:9093');
    expect(c.security.sasl).toEqual({ mechanism: 'PLAIN', username: 'cfg', password: 'cfgpw' });
    expect(c.unused).toEqual(['acks']);
    const o = await connectionFromOptions(
      { config: '/etc/client.properties', bootstrap: 'flag:9093', 'sasl-password-env': 'NEWPW' },
      d,
    );
    expect(o.bootstrap).toBe('flag:9093');
    expect(o.security.sasl).toMatchObject({ username: 'cfg', password: 'override' });
  });

  it('says exactly what is missing or wrong', async () => {
    const fail = (values: Record<string, string | boolean>, env: Record<string, string> = {}) =>
      connectionFromOptions({ bootstrap: 'b:1', ...values }, deps(env, {})).then(
        () => '',
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
    expect(await fail({ 'security-protocol': 'TLS' })).toContain('must be one of PLAINTEXT, SSL');
    expect(await fail({ 'security-protocol': 'SASL_SSL' })).toContain('needs --sasl-mechanism');
    expect(await fail({ 'security-protocol': 'SASL_SSL', 'sasl-mechanism': 'GSSAPI' })).toContain(
      'must be one of PLAIN',
    );
    expect(
      await fail({
        'security-protocol': 'SASL_SSL',
        'sasl-mechanism': 'PLAIN',
        'sasl-username': 'u',
      }),
    ).toContain('never on the command line');
    expect(
      await fail({
        'security-protocol': 'SASL_SSL',
        'sasl-mechanism': 'PLAIN',
        'sasl-username': 'u',
        'sasl-password-env': 'NOPE',
      }),
    ).toContain('the environment variable NOPE is not set');
    expect(await fail({ 'security-protocol': 'SSL', 'cert-file': '/x' })).toContain(
      'needs both --cert-file and --key-file',
    );
    expect(await fail({ 'security-protocol': 'SSL', 'ca-file': '/missing.pem' })).toContain(
      '/missing.pem cannot be read',
    );
    expect(
      await fail({ 'security-protocol': 'SASL_SSL', 'sasl-mechanism': 'OAUTHBEARER' }),
    ).toContain('OAUTHBEARER needs a token');
    expect(await fail({ config: '/none.properties' })).toContain('/none.properties cannot be read');
  });

  it('a secret cannot be given on the command line at all: there is no such option', () => {
    expect(() =>
      parseCommand(CONSUME, ['--bootstrap', 'b:1', '--topic', 't', '--sasl-password', 'pw']),
    ).toThrow(/Unknown option '--sasl-password'/);
  });

  describe('--profile', () => {
    const profiles: ProfileView[] = [
      {
        id: 'p1',
        name: 'Work',
        bootstrap: 'work:9095',
        security: {
          protocol: 'SASL_SSL',
          tls: { ca: CA, client: null, verifyHostname: true },
          sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice' },
        },
        secretsNeeded: ['saslPassword'],
        secretsRemembered: true,
        lastUsed: 1,
      },
      {
        id: 'p2',
        name: 'mTLS',
        bootstrap: 'mtls:9193',
        security: {
          protocol: 'SSL',
          tls: { ca: CA, client: { kind: 'pem', cert: CA }, verifyHostname: true },
          sasl: null,
        },
        secretsNeeded: ['clientKey'],
        secretsRemembered: false,
        lastUsed: null,
      },
    ];
    const withProfiles = (env: Record<string, string>, files: Record<string, string>) => ({
      ...deps(env, files),
      profiles: () => Promise.resolve(profiles),
    });

    it('starts from the saved profile; its secrets come from the flags', async () => {
      const c = await connectionFromOptions(
        { profile: 'Work', 'sasl-password-env': 'PW' },
        withProfiles({ PW: 'pw!' }, {}),
      );
      expect(c).toEqual({
        bootstrap: 'work:9095',
        security: {
          protocol: 'SASL_SSL',
          tls: { ca: CA, client: null, verifyHostname: true },
          sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw!' },
        },
        unused: [],
      });
      // by id too; --key-file alone is the key of the profile's certificate; --bootstrap wins
      const m = await connectionFromOptions(
        { profile: 'p2', 'key-file': '/k.pem', bootstrap: 'other:1' },
        withProfiles({}, { '/k.pem': KEY }),
      );
      expect(m.bootstrap).toBe('other:1');
      expect(m.security.tls?.client).toEqual({ kind: 'pem', cert: CA, key: KEY });
    });

    it('says which secret is missing and the flag that gives it; unknown names list the saved ones', async () => {
      await expect(
        connectionFromOptions({ profile: 'Work' }, withProfiles({}, {})),
      ).rejects.toMatchObject({
        code: 'PROFILE_SECRETS_NEEDED',
        message:
          '--profile "Work" needs the SASL password (--sasl-password-env or --sasl-password-file): the CLI does not read secrets the app remembered.',
      });
      await expect(
        connectionFromOptions({ profile: 'Nope' }, withProfiles({}, {})),
      ).rejects.toMatchObject({
        code: 'PROFILE_NOT_FOUND',
        message: 'No connection profile "Nope". Saved: "Work", "mTLS".',
      });
      await expect(
        connectionFromOptions({ profile: 'Work', config: '/c.properties' }, withProfiles({}, {})),
      ).rejects.toMatchObject({ message: 'Give --profile or --config, not both.' });
    });
  });
});
