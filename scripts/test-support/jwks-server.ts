/**
 * An OAuth identity provider as small as Kafka's JWT validator needs: an RS256 key pair, its JWKS
 * served over plain HTTP at `http://<address>:<port>/jwks.json`, and signed tokens (node:crypto,
 * no JOSE library). Bind it to an address of this machine only (the veth's host end): the broker
 * in its namespace fetches the JWKS from there.
 */
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface JwtClaims {
  readonly sub?: string;
  readonly iss?: string;
  readonly aud?: string;
  readonly scope?: string;
  /** Seconds since the epoch. */
  readonly iat?: number;
  readonly exp?: number;
  readonly [claim: string]: unknown;
}

export interface JwksServer {
  /** `http://<address>:<port>/jwks.json` */
  readonly url: string;
  readonly issuer: string;
  readonly audience: string;
  readonly kid: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /**
   * A compact RS256 JWT: sub, iss, aud, scope, iat = now, exp = now + 1 h, overridden by
   * `claims`; `key: 'other'` signs with a key the JWKS does not have (same kid).
   */
  token(claims?: JwtClaims, o?: { key?: 'jwks' | 'other' }): string;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function signJwt(claims: JwtClaims, key: KeyObject, kid: string): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${b64url(signature)}`;
}

export async function startJwksServer(o: {
  /** An address of this machine to listen on. */
  address: string;
  issuer?: string;
  audience?: string;
}): Promise<JwksServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = `kvs-test-${randomBytes(4).toString('hex')}`;
  const jwks = JSON.stringify({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
  });
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks.json') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, o.address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = o.issuer ?? `http://${o.address}:${port}`;
  const audience = o.audience ?? 'kafka-video-studio-test';
  let closing: Promise<void> | undefined;
  return {
    url: `http://${o.address}:${port}/jwks.json`,
    issuer,
    audience,
    kid,
    fetches: () => fetches,
    token: (claims = {}, opts = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(
        {
          sub: 'kvs-oauth-user',
          iss: issuer,
          aud: audience,
          scope: 'kafka',
          iat: now,
          exp: now + 3600,
          ...claims,
        },
        opts.key === 'other' ? other : privateKey,
        kid,
      );
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
