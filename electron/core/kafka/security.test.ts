import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionSecurity } from '../../shared/connection-security.js';
import { ClientCredentials, kafkajsSecurity, saslOptions, tlsOptions } from './security.js';

const PEM_CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

describe('ConnectionSecurity (the schema at every boundary)', () => {
  it('needs a login exactly for the SASL protocols, and TLS settings only where TLS is used', () => {
    const ok = ConnectionSecurity.safeParse({
      protocol: 'SASL_SSL',
      tls: { ca: null, client: null, verifyHostname: true },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw' },
    });
    expect(ok.success).toBe(true);
    const noLogin = ConnectionSecurity.safeParse({
      protocol: 'SASL_PLAINTEXT',
      tls: null,
      sasl: null,
    });
    expect(noLogin.success).toBe(false);
    expect(noLogin.error?.issues[0]?.message).toContain('needs a SASL login');
    const stray = ConnectionSecurity.safeParse({
      protocol: 'PLAINTEXT',
      tls: { ca: null, client: null, verifyHostname: true },
      sasl: null,
    });
    expect(stray.error?.issues[0]?.message).toContain('does not use TLS');
  });

  it('refuses what is not PEM, and a token endpoint that is not http(s)', () => {
    const notPem = ConnectionSecurity.safeParse({
      protocol: 'SSL',
      tls: { ca: 'hello', client: null, verifyHostname: true },
      sasl: null,
    });
    expect(notPem.error?.issues[0]?.message).toContain('is not PEM');
    const ftp = ConnectionSecurity.safeParse({
      protocol: 'SASL_SSL',
      tls: null,
      sasl: {
        mechanism: 'OAUTHBEARER',
        token: {
          kind: 'client-credentials',
          tokenEndpoint: 'ftp://x/t',
          clientId: 'a',
          clientSecret: 'b',
        },
      },
    });
    expect(ftp.success).toBe(false);
  });
});

describe('kafkajsSecurity', () => {
  it('PLAINTEXT: nothing; SSL with no settings: the system store, chain and name verified', () => {
    expect(kafkajsSecurity({ protocol: 'PLAINTEXT', tls: null, sasl: null })).toEqual({});
    const ssl = kafkajsSecurity({ protocol: 'SSL', tls: null, sasl: null });
    expect(ssl).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('TLS: the CA given, a PEM client certificate; hostname check off replaces only the name check', () => {
    const o = tlsOptions({
      ca: PEM_CA,
      client: { kind: 'pem', cert: PEM_CA, key: PEM_KEY, keyPassword: 'k' },
      verifyHostname: false,
    });
    expect(o).toMatchObject({
      rejectUnauthorized: true,
      ca: [PEM_CA],
      cert: PEM_CA,
      key: PEM_KEY,
      passphrase: 'k',
    });
    expect(o.checkServerIdentity?.('wrong.example', {} as never)).toBeUndefined();
    expect(
      tlsOptions({ ca: null, client: null, verifyHostname: true }).checkServerIdentity,
    ).toBeUndefined();
  });

  it('TLS: a PKCS#12 bundle becomes pfx with its password', () => {
    const o = tlsOptions({
      ca: null,
      client: { kind: 'pkcs12', pkcs12Base64: 'AAEC\nAw==', password: 'p12' },
      verifyHostname: true,
    });
    expect(Buffer.isBuffer(o.pfx)).toBe(true);
    expect([...(o.pfx as Buffer)]).toEqual([0, 1, 2, 3]);
    expect(o.passphrase).toBe('p12');
  });

  it('SASL: PLAIN and SCRAM by name; SASL_SSL carries both ssl and sasl', () => {
    expect(saslOptions({ mechanism: 'PLAIN', username: 'u', password: 'p' })).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
    expect(
      saslOptions({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' }).mechanism,
    ).toBe('scram-sha-256');
    const both = kafkajsSecurity({
      protocol: 'SASL_SSL',
      tls: null,
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    });
    expect(both.ssl).toEqual({ rejectUnauthorized: true });
    expect(both.sasl).toMatchObject({ mechanism: 'scram-sha-512' });
  });

  it('OAUTHBEARER with a fixed token hands that token over', async () => {
    const o = saslOptions({ mechanism: 'OAUTHBEARER', token: { kind: 'fixed', value: 'jwt.a.b' } });
    if (o.mechanism !== 'oauthbearer') throw new Error('not oauthbearer');
    expect(await o.oauthBearerProvider()).toEqual({ value: 'jwt.a.b' });
  });
});

describe('OAuth client credentials (a real token endpoint on 127.0.0.1)', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null;
  });

  async function endpoint(
    answer: (req: IncomingMessage, body: string) => { status: number; json: unknown },
  ): Promise<{ url: string; requests: Array<{ auth: string | undefined; body: string }> }> {
    const requests: Array<{ auth: string | undefined; body: string }> = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ auth: req.headers.authorization, body });
        const a = answer(req, body);
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(a.json));
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/token`, requests };
  }

  it('asks with HTTP Basic client authentication, keeps the token until shortly before it expires', async () => {
    const ep = await endpoint(() => ({
      status: 200,
      json: { access_token: `t${Date.now()}`, expires_in: 60 },
    }));
    let now = 1_000_000;
    const cc = new ClientCredentials(
      {
        kind: 'client-credentials',
        tokenEndpoint: ep.url,
        clientId: 'app',
        clientSecret: 's3cret',
        scope: 'kafka',
      },
      { now: () => now },
    );
    const first = await cc.token();
    expect(await cc.token()).toBe(first);
    expect(ep.requests).toHaveLength(1);
    expect(ep.requests[0]?.auth).toBe(`Basic ${Buffer.from('app:s3cret').toString('base64')}`);
    expect(new URLSearchParams(ep.requests[0]?.body).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(ep.requests[0]?.body).get('scope')).toBe('kafka');
    now += 31_000; // within 30 s of expiry: fetched again
    await cc.token();
    expect(ep.requests).toHaveLength(2);
  });

  it('a refusal is OAUTH_TOKEN_FAILED with the endpoint’s error, never the secret', async () => {
    const ep = await endpoint(() => ({
      status: 401,
      json: { error: 'invalid_client', error_description: 'bad secret' },
    }));
    const cc = new ClientCredentials({
      kind: 'client-credentials',
      tokenEndpoint: ep.url,
      clientId: 'app',
      clientSecret: 'never-shown',
    });
    const err = await cc.token().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'OAUTH_TOKEN_FAILED' });
    expect(String((err as Error).message)).toContain('401 (invalid_client: bad secret)');
    expect(String((err as Error).message)).not.toContain('never-shown');
  });
});
