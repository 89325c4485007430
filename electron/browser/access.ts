/**
 * Who may use the browser transport: a fresh 32-byte token per run, printed in the URL
 * (`GET /?token=T` sets an HttpOnly, SameSite=Strict cookie; every other request needs the cookie
 * or the `x-kvs-token` header; compared in constant time), a Host header naming this server on a
 * loopback bind (no DNS rebinding), and an Origin equal to `http://<Host>` for the WebSocket and
 * uploads (no cross-site requests).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { parseCookie, stringifySetCookie } from 'cookie';
import { TOKEN_COOKIE, TOKEN_HEADER } from '../shared/ws-protocol.js';

export const FORBIDDEN_MESSAGE =
  'Forbidden: open the address that `kvs serve` printed (it carries the access token).';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

function tokenDigest(t: string): Buffer {
  return createHash('sha256').update(t, 'utf8').digest();
}

/**
 * Cookie header → value of `name` (the first one), or undefined. Parsing and writing cookies is
 * the `cookie` package's job (jshttp's, the one Express uses): quoting, decoding and the
 * attribute spellings are its rules, not ours.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}

/** The Set-Cookie value that hands the page its token: HttpOnly, SameSite=Strict, the whole site. */
export function tokenCookie(token: string): string {
  return stringifySetCookie(TOKEN_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict' });
}

export function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export interface Access {
  readonly token: string;
  tokenOk(candidate: string | undefined): boolean;
  /** The request carries the token (cookie or header). */
  authorized(req: IncomingMessage): boolean;
  hostAllowed(hostHeader: string | undefined): boolean;
  originMatchesHost(req: IncomingMessage): boolean;
}

/** `port()`: the port listened on, once known (a Host header must name it). */
export function createAccess(opts: {
  token?: string | undefined;
  bindHost: string;
  port: () => number;
}): Access {
  const bindHost = opts.bindHost;
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const tokenHash = tokenDigest(token);
  const tokenOk = (candidate: string | undefined): boolean =>
    candidate !== undefined &&
    candidate.length > 0 &&
    candidate.length <= 512 &&
    timingSafeEqual(tokenDigest(candidate), tokenHash);
  const wildcardBind = bindHost === '0.0.0.0' || bindHost === '::';
  /** Loopback (or specific-address) binds accept only Host headers naming us: no DNS rebinding. */
  const hostAllowed = (hostHeader: string | undefined): boolean => {
    if (hostHeader === undefined) return false;
    if (wildcardBind) return true;
    let u: URL;
    try {
      u = new URL(`http://${hostHeader}`);
    } catch {
      return false;
    }
    if (u.port !== String(opts.port())) return false;
    const name = u.hostname.toLowerCase();
    return isLoopbackHost(name) || name === urlHost(bindHost).toLowerCase();
  };
  const authorized = (req: IncomingMessage): boolean =>
    tokenOk(readCookie(req.headers.cookie, TOKEN_COOKIE)) ||
    tokenOk(firstHeader(req.headers[TOKEN_HEADER]));
  const originMatchesHost = (req: IncomingMessage): boolean => {
    const origin = firstHeader(req.headers.origin);
    const host = req.headers.host;
    if (origin === undefined || host === undefined) return false;
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && u.host === host.toLowerCase();
    } catch {
      return false;
    }
  };
  return { token, tokenOk, authorized, hostAllowed, originMatchesHost };
}
