// SSH keys for tests: a new ed25519 key pair, and a public key's SHA256 fingerprint.
import path from 'node:path';
import { sh } from './netns-subnet.js';

/** The "SHA256:…" fingerprint of a public key file, as `ssh-keygen -l` prints it. */
export async function keyFingerprint(pubFile: string): Promise<string> {
  const out = await sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]);
  const fp = out.split(' ')[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen output: ${out}`);
  return fp;
}

/** A new passphrase-less ed25519 key pair at `file` and `file`.pub; resolves with its fingerprint. */
export async function generateKey(file: string, comment = path.basename(file)): Promise<string> {
  await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return keyFingerprint(`${file}.pub`);
}
