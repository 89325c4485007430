/**
 * Host keys: OpenSSH-style fingerprints of a raw public key blob and the app's
 * own known-hosts file, a JSON object { "host:port": { keyType, fingerprint } }
 * written atomically with mode 0600.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SshError } from './ssh-errors.js';

export interface HostKeyEntry {
  keyType: string;
  fingerprint: string;
}

export type KnownHosts = Record<string, HostKeyEntry>;

const knownHostsSchema = z.record(z.string(), z.object({ keyType: z.string(), fingerprint: z.string() }));

/** 'SHA256:' + base64 (no padding) of the SHA-256 of the raw key blob, like `ssh-keygen -lf`. */
export function fingerprintOf(rawKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(rawKey).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH wire-format public key ("ssh-ed25519", …). */
export function keyTypeOf(rawKey: Buffer): string {
  if (rawKey.length < 4) return 'unknown';
  const len = rawKey.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > rawKey.length) return 'unknown';
  return rawKey.subarray(4, 4 + len).toString('latin1');
}

export function hostKeyId(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isFingerprint(s: string): boolean {
  return /^SHA256:[A-Za-z0-9+/]{43}$/.test(s);
}

export async function readKnownHosts(file: string): Promise<KnownHosts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SshError('INVALID_ARGUMENT', `The known-hosts file ${file} is not valid JSON; fix or remove it.`);
  }
  const r = knownHostsSchema.safeParse(parsed);
  if (!r.success) {
    throw new SshError('INVALID_ARGUMENT', `The known-hosts file ${file} has an unexpected format; fix or remove it.`);
  }
  return r.data;
}

/** Pin (or re-pin) one host's key: read, update, write to a temp file 0600, rename over. */
export async function pinHostKey(file: string, id: string, entry: HostKeyEntry): Promise<void> {
  const hosts = await readKnownHosts(file);
  hosts[id] = { keyType: entry.keyType, fingerprint: entry.fingerprint };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(hosts, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
