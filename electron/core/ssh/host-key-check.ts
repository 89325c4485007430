/** Host-key trust: the presented key against the policy (expected key, known hosts, asking). */
import { hostKeyId, pinHostKey, readKnownHosts } from './host-keys.js';
import { SshError } from './ssh-errors.js';
import type { HostKeyPolicy } from './ssh-types.js';

export async function checkHostKey(
  policy: HostKeyPolicy,
  host: string,
  port: number,
  fingerprint: string,
  keyType: string,
): Promise<void> {
  const id = hostKeyId(host, port);
  if ('expectedFingerprint' in policy) {
    if (policy.expectedFingerprint === fingerprint) return;
    throw new SshError(
      'SSH_HOST_KEY_CHANGED',
      `The host key of ${id} is not the expected one: expected ${policy.expectedFingerprint}, the server presented ${fingerprint} (${keyType}). Someone may be intercepting the connection; connection refused.`,
      `expected=${policy.expectedFingerprint} presented=${fingerprint}`,
    );
  }
  const known = (await readKnownHosts(policy.knownHostsFile))[id];
  if (known) {
    if (known.fingerprint === fingerprint) return;
    throw new SshError(
      'SSH_HOST_KEY_CHANGED',
      `The host key of ${id} has CHANGED: expected ${known.fingerprint} (${known.keyType}), the server presented ${fingerprint} (${keyType}). Someone may be intercepting the connection; connection refused. If the server was reinstalled, remove "${id}" from ${policy.knownHostsFile}.`,
      `expected=${known.fingerprint} presented=${fingerprint}`,
    );
  }
  if (policy.acceptNew !== true) {
    const ok = await policy.onUnknownHost({ host, port, fingerprint, keyType });
    if (!ok) {
      throw new SshError(
        'SSH_HOST_KEY_UNKNOWN',
        `The host key of ${id} (${keyType} ${fingerprint}) was not accepted, so no connection was made.`,
        `presented=${fingerprint}`,
      );
    }
  }
  await pinHostKey(policy.knownHostsFile, id, { keyType, fingerprint });
}
