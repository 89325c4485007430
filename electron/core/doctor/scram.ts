/**
 * The client side of a SCRAM login (RFC 5802; SHA-256 per RFC 7677, SHA-512 as Kafka uses it),
 * for the doctor's raw SASL probe: the first message, the proof computed from the server's
 * salt and nonce, and the check of the server's signature. No channel binding ("n,,"), as Kafka.
 * Pure apart from pbkdf2 and the random nonce (both can be given for tests).
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';

/** RFC 5802 §5.1: "=" and "," in a user name are written =3D and =2C. */
export function saslName(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

export interface ScramClientFirst {
  /** client-first-message-bare: n=<user>,r=<nonce> */
  bare: string;
  /** The whole first message (gs2 header "n,," + bare). */
  message: string;
  nonce: string;
}

export function clientFirst(username: string, nonce?: string): ScramClientFirst {
  const n = nonce ?? randomBytes(18).toString('base64').replace(/[=+/]/g, 'x');
  const bare = `n=${saslName(username)},r=${n}`;
  return { bare, message: `n,,${bare}`, nonce: n };
}

export type ServerFirst = { nonce: string; salt: Buffer; iterations: number };

/** r=…,s=…,i=… — or the reason it is not a usable server-first message. */
export function parseServerFirst(
  text: string,
  clientNonce: string,
): { ok: true; value: ServerFirst } | { ok: false; reason: string } {
  const attrs = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) attrs.set(part.slice(0, 1), part.slice(2));
  }
  const e = attrs.get('e');
  if (e !== undefined) return { ok: false, reason: `the broker said "${e}"` };
  const nonce = attrs.get('r');
  const salt = attrs.get('s');
  const iterations = Number(attrs.get('i'));
  if (nonce === undefined || salt === undefined || !Number.isInteger(iterations))
    return { ok: false, reason: 'its SCRAM challenge lacks the nonce, salt or iteration count' };
  if (!nonce.startsWith(clientNonce) || nonce.length <= clientNonce.length)
    return { ok: false, reason: "its SCRAM nonce does not extend this client's" };
  // Kafka allows 4096–16384 (its client refuses fewer: a low count makes the proof cheap to brute
  // force for whoever answers); more would only burn this computer's time
  if (iterations < 4096 || iterations > 65_536)
    return { ok: false, reason: `its SCRAM iteration count ${iterations} is out of range` };
  return { ok: true, value: { nonce, salt: Buffer.from(salt, 'base64'), iterations } };
}

function hmac(hash: ScramHash, key: Buffer, text: string): Buffer {
  return createHmac(hash, key).update(text).digest();
}

export function saltedPassword(
  hash: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  const length = hash === 'sha256' ? 32 : 64;
  return new Promise((resolve, reject) =>
    pbkdf2(password.normalize('NFKC'), salt, iterations, length, hash, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

export interface ScramClientFinal {
  message: string;
  /** The server-final "v=" value to expect (base64). */
  serverSignature: string;
}

/** client-final-message with the proof, and the server signature that proves the broker knew the key. */
export function clientFinal(
  hash: ScramHash,
  salted: Buffer,
  first: ScramClientFirst,
  serverFirstText: string,
  server: ServerFirst,
): ScramClientFinal {
  const withoutProof = `c=biws,r=${server.nonce}`;
  const authMessage = `${first.bare},${serverFirstText},${withoutProof}`;
  const clientKey = hmac(hash, salted, 'Client Key');
  const storedKey = createHash(hash).update(clientKey).digest();
  const signature = hmac(hash, storedKey, authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i += 1) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0);
  const serverKey = hmac(hash, salted, 'Server Key');
  return {
    message: `${withoutProof},p=${proof.toString('base64')}`,
    serverSignature: hmac(hash, serverKey, authMessage).toString('base64'),
  };
}

/** server-final: "v=<signature>" that matches, else why not. */
export function checkServerFinal(
  text: string,
  expected: string,
): { ok: true } | { ok: false; reason: string } {
  if (text.startsWith('e=')) return { ok: false, reason: `the broker said "${text.slice(2)}"` };
  if (!text.startsWith('v=')) return { ok: false, reason: 'its last SCRAM message is not v=…' };
  const got = Buffer.from(text.slice(2), 'utf8');
  const want = Buffer.from(expected, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want)
    ? { ok: true }
    : {
        ok: false,
        reason: "the broker's SCRAM signature does not match: it does not know this user's key",
      };
}
