/**
 * The connection doctor over TLS and SASL (issue 15), against ONE real secured broker
 * (scripts/test-support/secure-kafka.ts) shared by the whole file: every listener diagnosed healthy
 * with the right settings, and one case per thing a person gets wrong — each classified with its
 * finding code, a message that names the right thing (the issuer, the certificate's names, its
 * dates, the mechanisms the listener enables, the protocol to choose), inside the doctor's budget.
 * Ends with `kvs doctor` over the built CLI (npm run build first).
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
} from '../../../scripts/test-support/secure-kafka.js';
import type { ConnectionSecurity, TlsSettings } from '../../shared/connection-security.js';
import { DEFAULT_BUDGET_MS, diagnose, type DiagnoseResult } from './diagnose.js';

const reason = secureKafkaSkipReason();
/** The budget is a promise to the person: allow scheduling slack only. */
const LIMIT_MS = DEFAULT_BUDGET_MS + 1500;
const codes = (d: DiagnoseResult): string[] => d.findings.map((f) => f.code);
const timings: Array<[string, number]> = [];

describe.skipIf(reason !== undefined)(
  `connection doctor over TLS and SASL${reason ? ` — skipped: ${reason}` : ''}`,
  () => {
    let k: SecureKafka;
    beforeAll(async () => {
      k = await startSecureKafka({ prefix: 'kvs-secdoc' });
    }, 120_000);
    afterAll(async () => {
      if (timings.length > 0)
        console.info(
          `doctor classification times: ${timings.map(([c, ms]) => `${c} ${ms} ms`).join(', ')}`,
        );
      await k?.close();
    }, 60_000);

    const tls = (o: Partial<TlsSettings> = {}): TlsSettings => ({
      ca: k.pki.ca.pem,
      client: null,
      verifyHostname: true,
      ...o,
    });
    const ssl = (o: Partial<TlsSettings> = {}): ConnectionSecurity => ({
      protocol: 'SSL',
      tls: tls(o),
      sasl: null,
    });
    const scram = (
      mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
      password = k.scram.password,
    ): ConnectionSecurity => ({
      protocol: 'SASL_SSL',
      tls: tls(),
      sasl: { mechanism, username: k.scram.username, password },
    });
    const plain = (password = k.plain.password): ConnectionSecurity => ({
      protocol: 'SASL_PLAINTEXT',
      tls: null,
      sasl: { mechanism: 'PLAIN', username: k.plain.username, password },
    });
    const oauth = (token: string): ConnectionSecurity => ({
      protocol: 'SASL_SSL',
      tls: tls(),
      sasl: { mechanism: 'OAUTHBEARER', token: { kind: 'fixed', value: token } },
    });

    /** Diagnoses and expects exactly one finding with this code, within the budget. */
    async function classify(
      bootstrap: string,
      security: ConnectionSecurity,
      code: string,
    ): Promise<{ message: string; fix: string; d: DiagnoseResult }> {
      const d = await diagnose(bootstrap, { security });
      expect(codes(d), JSON.stringify(d.checks, null, 1) + k.log().slice(-2000)).toEqual([code]);
      expect(d.ok).toBe(false);
      expect(d.durationMs).toBeLessThan(LIMIT_MS);
      timings.push([code, d.durationMs]);
      const f = d.findings[0];
      if (f === undefined) throw new Error('no finding');
      return { message: f.message, fix: f.fix, d };
    }

    describe.concurrent(
      'healthy with the right settings: ok, the metadata read after the login',
      () => {
        const cases: Array<[string, () => [string, ConnectionSecurity]]> = [
          ['SSL', () => [k.listeners.ssl.bootstrap, ssl()]],
          [
            'mutual TLS',
            () => [
              k.listeners.mtls.bootstrap,
              ssl({
                client: { kind: 'pem', cert: k.pki.client.cert.pem, key: k.pki.client.key.pem },
              }),
            ],
          ],
          ['SASL_PLAINTEXT, PLAIN', () => [k.listeners.saslPlain.bootstrap, plain()]],
          ['SASL_SSL, SCRAM-SHA-256', () => [k.listeners.scram.bootstrap, scram('SCRAM-SHA-256')]],
          ['SASL_SSL, SCRAM-SHA-512', () => [k.listeners.scram.bootstrap, scram('SCRAM-SHA-512')]],
          ['SASL_SSL, OAUTHBEARER', () => [k.listeners.oauth.bootstrap, oauth(k.oauth.token)]],
        ];
        it.for(cases)('%s', async ([, make], { expect }) => {
          const [bootstrap, security] = make();
          const d = await diagnose(bootstrap, { security });
          expect(d.findings, JSON.stringify(d.checks, null, 1)).toEqual([]);
          expect(d.ok).toBe(true);
          expect(d.clusterId).toBe(k.clusterId);
          expect(d.brokers).toEqual([
            expect.objectContaining({
              advertised: bootstrap,
              reachable: true,
              clusterId: k.clusterId,
            }),
          ]);
          const ids = d.checks.filter((c) => c.status === 'ok').map((c) => c.id);
          if (security.tls !== null) expect(ids).toContain('tls');
          if (security.sasl !== null) expect(ids).toContain('sasl');
        });
      },
    );

    it('an unknown CA (another CA, the system store): TLS_UNTRUSTED naming the issuer', async () => {
      const other = await classify(
        k.listeners.ssl.bootstrap,
        ssl({ ca: k.pki.otherCa.pem }),
        'TLS_UNTRUSTED',
      );
      expect(other.message).toContain('issued by CN=KVS test CA');
      expect(other.message).toContain('the CA certificate in the connection settings');
      expect(other.fix).toContain('--ca-file');
      const system = await classify(
        k.listeners.scram.bootstrap,
        {
          ...scram('SCRAM-SHA-256'),
          tls: tls({ ca: null }),
        },
        'TLS_UNTRUSTED',
      );
      expect(system.message).toContain('system store');
    }, 30_000);

    it('a certificate for another name: TLS_HOSTNAME_MISMATCH naming its SANs and the address used', async () => {
      const { message, fix } = await classify(
        k.doctorListeners.wrongHost,
        ssl(),
        'TLS_HOSTNAME_MISMATCH',
      );
      expect(message).toContain(`You connected to ${k.address}`);
      expect(message).toContain(`DNS:${k.pki.wrongHost.dnsName}`);
      expect(fix).toContain(`subjectAltName=IP:${k.address}`);
      // the same listener with the check turned off: the chain still verifies, so it is usable
      const off = await diagnose(k.doctorListeners.wrongHost, {
        security: ssl({ verifyHostname: false }),
      });
      expect(codes(off)).not.toContain('TLS_HOSTNAME_MISMATCH');
    }, 30_000);

    it('an expired certificate: TLS_CERT_EXPIRED with its dates', async () => {
      const { message } = await classify(k.doctorListeners.expired, ssl(), 'TLS_CERT_EXPIRED');
      expect(message).toContain('expired on 2020-01-02T00:00:00Z');
      expect(message).toContain('valid from 2020-01-01T00:00:00Z');
    }, 30_000);

    it('a certificate not valid yet: TLS_CERT_NOT_YET_VALID with its dates', async () => {
      const { message } = await classify(
        k.doctorListeners.notYetValid,
        ssl(),
        'TLS_CERT_NOT_YET_VALID',
      );
      expect(message).toContain(
        'valid only from 2099-01-01T00:00:00Z (until 2099-12-31T00:00:00Z)',
      );
    }, 30_000);

    it('mutual TLS without a client certificate: TLS_CLIENT_CERT_REQUIRED', async () => {
      const { message, fix } = await classify(
        k.listeners.mtls.bootstrap,
        ssl(),
        'TLS_CLIENT_CERT_REQUIRED',
      );
      expect(message).toContain('gave none');
      expect(fix).toContain('--cert-file');
    }, 30_000);

    it('mutual TLS with a client certificate of another CA: TLS_CLIENT_CERT_REFUSED', async () => {
      const { message } = await classify(
        k.listeners.mtls.bootstrap,
        ssl({
          client: {
            kind: 'pem',
            cert: k.pki.otherClient.cert.pem,
            key: k.pki.otherClient.key.pem,
          },
        }),
        'TLS_CLIENT_CERT_REFUSED',
      );
      expect(message).toContain('refused the client certificate');
    }, 30_000);

    it('a client key that does not match its certificate: TLS_SETTINGS_INVALID, nothing sent', async () => {
      const { message } = await classify(
        k.listeners.mtls.bootstrap,
        ssl({
          client: { kind: 'pem', cert: k.pki.client.cert.pem, key: k.pki.otherClient.key.pem },
        }),
        'TLS_SETTINGS_INVALID',
      );
      expect(message).toContain('cannot be used on this computer');
    }, 30_000);

    it('a mechanism the listener does not enable: SASL_MECHANISM_NOT_ENABLED naming the ones it does', async () => {
      const onPlain = await classify(
        k.listeners.saslPlain.bootstrap,
        { ...plain(), sasl: { mechanism: 'SCRAM-SHA-512', username: 'a', password: 'b' } },
        'SASL_MECHANISM_NOT_ENABLED',
      );
      expect(onPlain.message).toContain(
        'does not enable the SASL mechanism SCRAM-SHA-512; it enables PLAIN',
      );
      // OAUTHBEARER on the SCRAM listener: said so without a token fetch
      const onScram = await classify(
        k.listeners.scram.bootstrap,
        oauth('not-a-token'),
        'SASL_MECHANISM_NOT_ENABLED',
      );
      expect(onScram.message).toMatch(
        /it enables (SCRAM-SHA-256, SCRAM-SHA-512|SCRAM-SHA-512, SCRAM-SHA-256)\./,
      );
    }, 30_000);

    it('wrong credentials (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN, an OAUTHBEARER token signed by an unknown key): KAFKA_AUTH_FAILED, not the mechanism', async () => {
      for (const [bootstrap, security, user] of [
        [k.listeners.scram.bootstrap, scram('SCRAM-SHA-256', 'wrong-pw-1'), k.scram.username],
        [k.listeners.scram.bootstrap, scram('SCRAM-SHA-512', 'wrong-pw-2'), k.scram.username],
        [k.listeners.saslPlain.bootstrap, plain('wrong-pw-3'), k.plain.username],
      ] as const) {
        const { message } = await classify(bootstrap, security, 'KAFKA_AUTH_FAILED');
        expect(message).toContain(`refused the login of user "${user}"`);
        expect(message).toContain(`enables ${security.sasl?.mechanism ?? '?'}`);
        expect(message).not.toMatch(/wrong-pw/);
      }
      const token = k.oauth.sign({}, { key: 'other' });
      const { message } = await classify(
        k.listeners.oauth.bootstrap,
        oauth(token),
        'KAFKA_AUTH_FAILED',
      );
      expect(message).toContain('rejected the token');
      expect(message).not.toContain(token);
    }, 60_000);

    it('OAUTHBEARER client credentials: a token endpoint that answers is used (healthy); one that refuses is OAUTH_TOKEN_FAILED', async () => {
      // the token endpoint, served here: the client secret "right" gets the fixture's valid token
      const server = createServer((req, res) => {
        const auth = req.headers.authorization ?? '';
        const ok = auth === `Basic ${Buffer.from('kvs-client:right').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            ok
              ? { access_token: k.oauth.token, token_type: 'Bearer', expires_in: 600 }
              : { error: 'invalid_client', error_description: 'bad client secret' },
          ),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const creds = (clientSecret: string): ConnectionSecurity => ({
        protocol: 'SASL_SSL',
        tls: tls(),
        sasl: {
          mechanism: 'OAUTHBEARER',
          token: {
            kind: 'client-credentials',
            tokenEndpoint: `http://127.0.0.1:${port}/token`,
            clientId: 'kvs-client',
            clientSecret,
          },
        },
      });
      try {
        const good = await diagnose(k.listeners.oauth.bootstrap, { security: creds('right') });
        expect(good.findings, JSON.stringify(good.checks, null, 1)).toEqual([]);
        const { message } = await classify(
          k.listeners.oauth.bootstrap,
          creds('wrong-secret-9'),
          'OAUTH_TOKEN_FAILED',
        );
        expect(message).toContain('answered 401 (invalid_client: bad client secret)');
        expect(message).not.toContain('wrong-secret-9');
      } finally {
        await new Promise((r) => server.close(r));
      }
    }, 30_000);

    it('SASL_SSL and SASL_PLAINTEXT mixed up, both ways: SASL_PROTOCOL_MIXED_UP saying which to choose', async () => {
      const wantsTls = await classify(
        k.listeners.scram.bootstrap,
        { protocol: 'SASL_PLAINTEXT', tls: null, sasl: scram('SCRAM-SHA-256').sasl },
        'SASL_PROTOCOL_MIXED_UP',
      );
      expect(wantsTls.message).toContain('is a SASL_SSL listener');
      expect(wantsTls.fix).toContain('Choose SASL_SSL as the security protocol');
      const noTls = await classify(
        k.listeners.saslPlain.bootstrap,
        { ...plain(), protocol: 'SASL_SSL', tls: tls() },
        'SASL_PROTOCOL_MIXED_UP',
      );
      expect(noTls.message).toContain('is a SASL_PLAINTEXT listener');
      expect(noTls.fix).toContain('Choose SASL_PLAINTEXT as the security protocol');
    }, 30_000);

    it('TLS to a PLAINTEXT port: TLS_NOT_SPOKEN saying to choose PLAINTEXT', async () => {
      const { message, fix } = await classify(k.doctorListeners.plaintext, ssl(), 'TLS_NOT_SPOKEN');
      expect(message).toContain('it is a PLAINTEXT listener');
      expect(fix).toContain('Choose PLAINTEXT as the security protocol');
    }, 30_000);

    it('PLAINTEXT to a TLS port: LISTENER_TLS saying to choose SSL, or SASL_SSL with its mechanisms', async () => {
      const none = { protocol: 'PLAINTEXT', tls: null, sasl: null } as const;
      const toSsl = await classify(k.listeners.ssl.bootstrap, none, 'LISTENER_TLS');
      expect(toSsl.fix).toContain('Choose SSL as the security protocol');
      const toScram = await classify(k.listeners.scram.bootstrap, none, 'LISTENER_TLS');
      expect(toScram.fix).toMatch(
        /^Choose SASL_SSL as the security protocol and one of SCRAM-SHA-(256|512), SCRAM-SHA-(256|512) as the SASL mechanism/,
      );
    }, 30_000);

    it('SSL without the login a SASL_SSL listener wants: LISTENER_SASL saying to choose SASL_SSL', async () => {
      const { message, fix } = await classify(k.listeners.oauth.bootstrap, ssl(), 'LISTENER_SASL');
      expect(message).toContain('(OAUTHBEARER)');
      expect(fix).toContain('Choose SASL_SSL as the security protocol and OAUTHBEARER');
    }, 30_000);

    it('a login to a listener that takes none: LISTENER_NOT_SASL', async () => {
      const { fix } = await classify(
        k.listeners.ssl.bootstrap,
        scram('SCRAM-SHA-256'),
        'LISTENER_NOT_SASL',
      );
      expect(fix).toContain('Choose SSL as the security protocol');
    }, 30_000);

    it('kvs doctor over the built CLI: SASL_SSL/SCRAM healthy (exit 0), a wrong password KAFKA_AUTH_FAILED (exit 2), --help names the secret rule', async () => {
      const base = [
        'doctor',
        '--bootstrap',
        k.listeners.scram.bootstrap,
        '--security-protocol',
        'SASL_SSL',
        '--ca-file',
        k.pki.ca.path,
        '--sasl-mechanism',
        'SCRAM-SHA-512',
        '--sasl-username',
        k.scram.username,
        '--sasl-password-env',
        'KVS_TEST_PW',
        '--json',
      ];
      const ok = await kvs(base, { KVS_TEST_PW: k.scram.password });
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, findings: [] });
      const bad = await kvs(base, { KVS_TEST_PW: 'wrong-pw-cli' });
      expect(bad.code, bad.stderr).toBe(2);
      const parsed = JSON.parse(bad.stdout) as { findings: Array<{ code: string }> };
      expect(parsed.findings.map((f) => f.code)).toEqual(['KAFKA_AUTH_FAILED']);
      expect(bad.stdout + bad.stderr).not.toContain('wrong-pw-cli');
      const help = await kvs(['doctor', '--help'], {});
      expect(help.stdout).toContain('--sasl-password-env');
      expect(help.stdout).toMatch(/never from the command line/);
    }, 60_000);
  },
);

/** Runs the built CLI (bin/kvs.mjs → out/cli) with extra environment variables. */
function kvs(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.resolve(import.meta.dirname, '../../../bin/kvs.mjs');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { timeout: 60_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
