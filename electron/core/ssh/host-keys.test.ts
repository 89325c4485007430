import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, hostKeyId, isFingerprint, keyTypeOf, pinHostKey, readKnownHosts } from './host-keys.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-hostkeys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function blob(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return Buffer.concat([len, Buffer.from(type, 'latin1'), body]);
}

describe('host keys', () => {
  it('fingerprints like OpenSSH (SHA256, unpadded base64) and reads the key type', () => {
    const key = blob('ssh-ed25519', Buffer.alloc(36, 7));
    const fp = fingerprintOf(key);
    expect(fp).toBe(`SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`);
    expect(isFingerprint(fp)).toBe(true);
    expect(fp.endsWith('=')).toBe(false);
    expect(keyTypeOf(key)).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown');
  });

  it('names hosts host:port and [v6]:port', () => {
    expect(hostKeyId('10.0.0.1', 22)).toBe('10.0.0.1:22');
    expect(hostKeyId('::1', 2222)).toBe('[::1]:2222');
  });

  it('pins into a 0600 JSON file, keeping other entries', async () => {
    const file = path.join(dir, 'sub', 'known_hosts.json');
    expect(await readKnownHosts(file)).toEqual({});
    await pinHostKey(file, 'a:22', { keyType: 'ssh-ed25519', fingerprint: 'SHA256:a' });
    await pinHostKey(file, 'b:22', { keyType: 'ssh-rsa', fingerprint: 'SHA256:b' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      'a:22': { keyType: 'ssh-ed25519', fingerprint: 'SHA256:a' },
      'b:22': { keyType: 'ssh-rsa', fingerprint: 'SHA256:b' },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt file instead of silently trusting', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{not json');
    await expect(readKnownHosts(file)).rejects.toThrow(/not valid JSON/);
    await writeFile(file, '{"x": 1}');
    await expect(readKnownHosts(file)).rejects.toThrow(/unexpected format/);
  });
});
