/** Step 1, the server: host, port and user, checked as typed; remembered servers. */
import {
  SETUP_DEFAULTS,
  type SavedServer,
  type SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import { FormCheck, fail } from './form-check.js';

// ---- step 1: server ----------------------------------------------------------------------------

export interface ServerForm {
  readonly host: string;
  readonly port: string;
  readonly user: string;
}

export const DEFAULT_SERVER_FORM: ServerForm = {
  host: '',
  port: String(SETUP_DEFAULTS.sshPort),
  user: '',
};

export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export type ServerField = 'host' | 'port' | 'user';

export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export function checkServer(form: ServerForm): FormCheck<ServerTarget, ServerField> {
  const host = form.host.trim();
  if (host === '')
    return fail('host', "Type the server's address: its IPv4 address (e.g. 192.168.1.20) or name.");
  if (host.length > 253 || /[\s/@]/.test(host) || host.includes('://'))
    return fail(
      'host',
      'The server address is just the IP address or host name — no spaces, user@ or ssh:// in front.',
    );
  const port = parsePort(form.port);
  if (port === null)
    return fail(
      'port',
      `The SSH port is a number from 1 to 65535 (usually ${SETUP_DEFAULTS.sshPort}).`,
    );
  const user = form.user.trim();
  if (user === '') return fail('user', 'Type the user name you log in to the server with.');
  if (user.length > 64 || /[\s@:]/.test(user))
    return fail('user', 'The user name has no spaces, @ or : (for example ubuntu).');
  return { ok: true, value: { host, port, user } };
}

export function sameServer(a: ServerTarget, b: ServerTarget): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.user === b.user;
}

export function findSaved(
  servers: readonly SavedServer[],
  target: ServerTarget | null,
): SavedServer | undefined {
  return target === null ? undefined : servers.find((s) => sameServer(s, target));
}

export function serverLabel(s: ServerTarget): string {
  return s.port === SETUP_DEFAULTS.sshPort
    ? `${s.user}@${s.host}`
    : `${s.user}@${s.host}:${s.port}`;
}

/** A login on the server (what setup:connect answered). */
export interface SetupSession {
  readonly sessionId: string;
  readonly target: ServerTarget;
  readonly hostKey: { readonly keyType: string; readonly fingerprint: string };
  readonly facts: SetupServerFacts;
  /** The install folder the facts (Kafka version) are about. */
  readonly factsDir: string;
  readonly remembered: boolean;
}
