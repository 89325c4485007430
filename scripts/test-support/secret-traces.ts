/**
 * For the sentinel tests (docs/SECURITY.md): a real cipher standing in for Electron's safeStorage,
 * and the files under a folder that hold a secret in any of its usual encodings (vitest and
 * Playwright both use it, so it asserts nothing itself).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretCipher } from '../../electron/services/saved-servers.js';

/** A real cipher: AES-256-GCM with a random key, `iv | tag | ciphertext`. */
export function testCipher(opts: { available?: boolean } = {}): SecretCipher & {
  available: boolean;
} {
  const key = randomBytes(32);
  return {
    available: opts.available ?? true,
    isAvailable() {
      return this.available;
    },
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

/** A secret no code would write by chance. */
export const sentinel = (): string => `Sentinel-${randomBytes(8).toString('hex')}-pw`;

/** Every file under `dir`, recursively. */
export async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

/** The usual encodings a secret could be written in. */
export function secretEncodings(secret: string): Buffer[] {
  return [
    Buffer.from(secret, 'utf8'),
    Buffer.from(Buffer.from(secret, 'utf8').toString('base64')),
    Buffer.from(Buffer.from(secret, 'utf8').toString('base64url')),
    Buffer.from(Buffer.from(secret, 'utf8').toString('hex')),
    Buffer.from(Buffer.from(secret, 'utf8').toString('hex').toUpperCase()),
    Buffer.from(secret, 'utf16le'),
    Buffer.from(Buffer.from(secret, 'utf16le').toString('base64')),
  ];
}

/** The files under `dir` holding the secret in any of its usual encodings (none, for a pass). */
export async function filesHolding(dir: string, secret: string): Promise<string[]> {
  const needles = secretEncodings(secret);
  const out: string[] = [];
  for (const f of await allFiles(dir)) {
    const bytes = await readFile(f);
    if (needles.some((n) => bytes.includes(n))) out.push(f);
  }
  return out;
}
