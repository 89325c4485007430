/**
 * The servers a person has logged in to over SSH for setup, newest first, at most
 * {@link MAX_SAVED_SERVERS}, each with an optional remembered password.
 *
 * A password is remembered only through a {@link SecretCipher} backed by the OS keychain
 * (Electron `safeStorage` in the desktop app); without one, nothing secret is ever written.
 * The file holds the encrypted bytes as base64, never the password itself.
 *
 * Stored as JSON (`{ "version": 1, "servers": [...] }`), parsed with zod on every read; a missing,
 * damaged or foreign-shaped file reads as empty (it is a convenience, never a reason to fail).
 * Writes go one at a time through a temporary file (mode 0600) and a rename; the folder is created
 * with mode 0700. Entries are identified by `user@host:port`.
 */
import { z } from 'zod';
import { KvsError } from '../shared/errors.js';
import type { SavedServer } from '../shared/contract.js';
import { PrivateJsonList } from './private-file.js';

export const MAX_SAVED_SERVERS = 10;
export const SAVED_SERVERS_FILE = 'saved-servers.json';

export const CANNOT_REMEMBER_MESSAGE =
  'Remembering passwords needs the desktop app with the system keychain; nothing was saved.';

/** Encrypts secrets with the OS keychain (Electron safeStorage in the desktop app). */
export interface SecretCipher {
  /** False when the OS offers no real encryption (then passwords are never remembered). */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

export interface ServerLogin {
  host: string;
  port: number;
  user: string;
}

const Login = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  user: z.string().min(1).max(64),
});

const Entry = Login.extend({
  /** base64 of what SecretCipher.encrypt returned */
  password: z
    .string()
    .max(65536)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
});
type Entry = z.infer<typeof Entry>;

/** `user@host:port`, the identity of a saved server. */
export function serverKey(login: ServerLogin): string {
  return `${login.user}@${login.host}:${login.port}`;
}

function parseLogin(login: ServerLogin): ServerLogin {
  const parsed = Login.safeParse(login);
  if (!parsed.success) {
    throw new KvsError('INVALID_ARGUMENT', 'That server login (host, port or user) is not valid.');
  }
  return { host: parsed.data.host, port: parsed.data.port, user: parsed.data.user };
}

export class SavedServers {
  private readonly store: PrivateJsonList<Entry>;

  constructor(
    readonly file: string,
    private readonly cipher: SecretCipher | null,
  ) {
    this.store = new PrivateJsonList(file, 'servers', Entry, (list) =>
      dedupe(list).slice(0, MAX_SAVED_SERVERS),
    );
  }

  /** Whether passwords can be remembered (a cipher backed by real OS encryption). */
  get canRemember(): boolean {
    return this.usableCipher() !== null;
  }

  /**
   * Newest first. `hasPassword` is true only when a password is stored and can be used now
   * (a stored password is kept, but not claimed, while the keychain is unavailable).
   */
  async list(): Promise<SavedServer[]> {
    const usable = this.canRemember;
    return (await this.store.read()).map((e) => ({
      host: e.host,
      port: e.port,
      user: e.user,
      hasPassword: usable && e.password !== undefined,
    }));
  }

  /**
   * Record a server logged in to, as the newest. With `password` (non-empty), remember it
   * encrypted; without, drop any password stored for that login (the person chose not to
   * remember it). A password without a usable cipher is refused and nothing is saved.
   */
  async remember(login: ServerLogin, password?: string): Promise<void> {
    const wanted = password !== undefined && password !== '';
    const cipher = this.usableCipher();
    if (wanted && cipher === null) throw new KvsError('INVALID_ARGUMENT', CANNOT_REMEMBER_MESSAGE);
    const l = parseLogin(login);
    let encrypted: string | undefined;
    if (wanted && cipher !== null) {
      try {
        encrypted = cipher.encrypt(password).toString('base64');
      } catch {
        // the cipher's own message is not passed on: it is not ours to vouch for
        throw new KvsError(
          'INTERNAL',
          'The system keychain could not encrypt the password; nothing was saved.',
        );
      }
    }
    const key = serverKey(l);
    await this.store.mutate((list) => {
      const entry: Entry = encrypted === undefined ? { ...l } : { ...l, password: encrypted };
      return [entry, ...list.filter((e) => serverKey(e) !== key)];
    });
  }

  /**
   * The remembered password, or null: none stored, no usable keychain now, or the stored one can
   * no longer be decrypted (e.g. the keychain changed), in which case it is dropped.
   */
  async password(login: ServerLogin): Promise<string | null> {
    const cipher = this.usableCipher();
    if (cipher === null) return null;
    let l: ServerLogin;
    try {
      l = parseLogin(login);
    } catch {
      return null;
    }
    const key = serverKey(l);
    const stored = (await this.store.read()).find((e) => serverKey(e) === key)?.password;
    if (stored === undefined) return null;
    try {
      const plain = cipher.decrypt(Buffer.from(stored, 'base64'));
      if (typeof plain === 'string' && plain !== '') return plain;
    } catch {
      // fall through: drop what cannot be read any more
    }
    await this.store.mutate((list) =>
      list.map((e) => {
        // only drop it if it is still the same bytes (not remembered anew meanwhile)
        if (serverKey(e) !== key || e.password !== stored) return e;
        return { host: e.host, port: e.port, user: e.user };
      }),
    );
    return null;
  }

  /** Remove the server and anything remembered for it. */
  async forget(login: ServerLogin): Promise<void> {
    const key = serverKey(login);
    await this.store.mutate((list) => list.filter((e) => serverKey(e) !== key));
  }

  private usableCipher(): SecretCipher | null {
    if (this.cipher === null) return null;
    try {
      return this.cipher.isAvailable() ? this.cipher : null;
    } catch {
      return null;
    }
  }
}

/** The first entry of each key, order kept. */
function dedupe(list: Entry[]): Entry[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = serverKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
