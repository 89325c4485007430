/**
 * The built `kvs` against a secured broker (issue 15; scripts/test-support/secure-kafka.ts: one
 * real KRaft broker in a network namespace with a listener per protocol). Per listener: create a
 * topic, produce a short video, consume it back frame for frame — with flags (secrets from
 * environment variables or files, never argv) or a client.properties. A wrong password fails
 * with a plain message and a non-zero exit.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
} from '../../scripts/test-support/secure-kafka.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { ConnectionProfiles, PROFILES_FILE } from '../services/connection-profiles.js';

const bin = path.resolve(import.meta.dirname, '../../bin/kvs.mjs');
const reason = secureKafkaSkipReason();

function kvs(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { timeout: 90_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

describe.skipIf(reason !== undefined)(
  `kvs over TLS and SASL (real broker)${reason ? ` — skipped: ${reason}` : ''}`,
  () => {
    let k: SecureKafka;
    let dir: string;
    let video: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-cli-secure-'));
      [k, video] = await Promise.all([
        startSecureKafka({ prefix: 'kvs-secli' }),
        makeTestVideo({ dir, seconds: 1, width: 160, height: 90, fps: 10 }),
      ]);
      await writeFile(path.join(dir, 'scram-password'), `${k.scram.password}\n`, { mode: 0o600 });
    }, 120_000);
    afterAll(async () => {
      await k?.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** Each listener's flags (secrets through KVS_TEST_SECRET or a file) and environment. */
    function flags(name: string): { args: string[]; env: Record<string, string> } {
      const ca = ['--ca-file', k.pki.ca.path];
      switch (name) {
        case 'ssl':
          return { args: ['--security-protocol', 'SSL', ...ca], env: {} };
        case 'mtls':
          return {
            args: [
              ...['--security-protocol', 'SSL', ...ca],
              ...['--cert-file', k.pki.client.cert.path, '--key-file', k.pki.client.key.path],
            ],
            env: {},
          };
        case 'saslPlain':
          return {
            args: [
              ...['--security-protocol', 'SASL_PLAINTEXT', '--sasl-mechanism', 'PLAIN'],
              ...['--sasl-username', k.plain.username, '--sasl-password-env', 'KVS_TEST_SECRET'],
            ],
            env: { KVS_TEST_SECRET: k.plain.password },
          };
        case 'scram-sha-256':
        case 'scram-sha-512':
          return {
            args: [
              ...['--security-protocol', 'SASL_SSL', ...ca],
              ...['--sasl-mechanism', name.toUpperCase(), '--sasl-username', k.scram.username],
              ...['--sasl-password-file', path.join(dir, 'scram-password')],
            ],
            env: {},
          };
        case 'oauth':
          return {
            args: [
              ...['--security-protocol', 'SASL_SSL', ...ca, '--sasl-mechanism', 'OAUTHBEARER'],
              ...['--oauth-token-env', 'KVS_TEST_SECRET'],
            ],
            env: { KVS_TEST_SECRET: k.oauth.token },
          };
        default:
          throw new Error(`no flags for ${name}`);
      }
    }

    const bootstrapOf = (name: string): string =>
      k.listeners[name.startsWith('scram') ? 'scram' : (name as keyof SecureKafka['listeners'])]
        .bootstrap;

    async function roundTrip(base: string[], env: Record<string, string>): Promise<void> {
      const topic = `cli-sec-${randomBytes(3).toString('hex')}`;
      const created = await kvs(['topics', 'create', topic, ...base], env);
      expect(created.code, created.stderr).toBe(0);
      const p = await kvs(
        ['produce', video, '--topic', topic, '--codec', 'jpeg', '--json', ...base],
        env,
      );
      expect(p.code, p.stderr).toBe(0);
      expect(lastJson(p.stdout)).toMatchObject({ frames: 10, acked: 10, failed: 0 });
      const c = await kvs(
        ['consume', '--topic', topic, '--from-beginning', '--until-eos', '--json', ...base],
        env,
      );
      expect(c.code, c.stderr).toBe(0);
      expect(lastJson(c.stdout)).toMatchObject({ frames: 10, gaps: 0 });
    }

    it.for(['ssl', 'mtls', 'saslPlain', 'scram-sha-256', 'scram-sha-512', 'oauth'])(
      'produce and consume over %s, with flags',
      async (name) => {
        const f = flags(name);
        await roundTrip(['--bootstrap', bootstrapOf(name), ...f.args], f.env);
      },
    );

    it('the same over SASL_SSL/SCRAM from a client.properties (bootstrap.servers from the file)', async () => {
      const props = path.join(dir, 'client.properties');
      await writeFile(
        props,
        [
          `bootstrap.servers=${k.listeners.scram.bootstrap}`,
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-512',
          `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${k.scram.username}" password="${k.scram.password}";`,
          'ssl.truststore.type=PEM',
          `ssl.truststore.location=${k.pki.ca.path}`,
          'acks=all',
        ].join('\n'),
        { mode: 0o600 },
      );
      const topic = `cli-props-${randomBytes(3).toString('hex')}`;
      const created = await kvs(['topics', 'create', topic, '--config', props]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toContain('Not used from');
      expect(created.stderr).toContain('acks');
      await roundTrip(['--config', props], {});
    });

    it('--profile: a profile the app saved (SASL_SSL/SCRAM), its password from an environment variable', async () => {
      const userData = path.join(dir, 'user-data');
      const saved = await new ConnectionProfiles(path.join(userData, PROFILES_FILE), null).save({
        id: null,
        name: 'Secure lab',
        bootstrap: k.listeners.scram.bootstrap,
        security: {
          protocol: 'SASL_SSL',
          tls: { ca: await readFile(k.pki.ca.path, 'utf8'), client: null, verifyHostname: true },
          sasl: { mechanism: 'SCRAM-SHA-512', username: k.scram.username },
        },
        secrets: {},
        remember: false,
      });
      expect(saved.secretsRemembered).toBe(false);
      const env = { KVS_USER_DATA_DIR: userData, KVS_TEST_SECRET: k.scram.password };
      await roundTrip(['--profile', 'Secure lab', '--sasl-password-env', 'KVS_TEST_SECRET'], env);
      const missing = await kvs(['topics', '--profile', 'Secure lab'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        '--profile "Secure lab" needs the SASL password (--sasl-password-env or --sasl-password-file)',
      );
    });

    it('a wrong password: a plain message and exit 1, the password nowhere in the output', async () => {
      const r = await kvs(
        [
          ...[
            'topics',
            '--bootstrap',
            k.listeners.scram.bootstrap,
            '--security-protocol',
            'SASL_SSL',
          ],
          ...['--ca-file', k.pki.ca.path, '--sasl-mechanism', 'SCRAM-SHA-256'],
          ...['--sasl-username', k.scram.username, '--sasl-password-env', 'KVS_TEST_SECRET'],
        ],
        { KVS_TEST_SECRET: 'not-the-password-x7' },
      );
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
      expect(r.stderr).not.toContain('not-the-password-x7');
      expect(r.stdout).not.toContain('not-the-password-x7');
    });
  },
);
