/**
 * Saved connection profiles (issue 15): a name, the bootstrap list and the security settings,
 * listed most recently used first.
 *
 * - The file (`connection-profiles.json`, mode 0600 in a 0700 folder) holds the public half of each
 *   profile (shared/connection-profile.ts: protocol, CA, client certificate, SASL user, token
 *   endpoint) and, only when a person asked to remember them and a {@link SecretCipher} backed by
 *   the OS keychain exists (Electron safeStorage), the secrets as one encrypted blob. Without a
 *   cipher (`kvs serve`, the CLI, Linux's basic_text) nothing secret is ever written: the profile is
 *   kept and asks for its secrets when used (PROFILE_SECRETS_NEEDED).
 * - A successful connect with typed settings becomes a profile named after its bootstrap ("recent
 *   connections become profiles"); at most {@link MAX_RECENT_PROFILES} such, the oldest dropped.
 *   Saving one from the form makes it a profile of its own.
 * - Parsed with zod on every read; a damaged file reads as empty (never a reason to fail). Writes go
 *   one at a time through a temporary file and a rename.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ConnectTarget, ProfileSave } from '../shared/contract.js';
import {
  joinSecurity,
  neededSecrets,
  ProfileSecrets,
  PublicSecurity,
  SECRET_LABELS,
  secretsFor,
  splitSecurity,
  type ProfileView,
} from '../shared/connection-profile.js';
import { parseBootstrap } from '../shared/bootstrap.js';
import { PLAINTEXT, type ConnectionSecurity } from '../shared/connection-security.js';
import { KvsError } from '../shared/errors.js';
import { PrivateJsonList } from './private-file.js';
import type { SecretCipher } from './saved-servers.js';

export const PROFILES_FILE = 'connection-profiles.json';
export const MAX_PROFILES = 50;
export const MAX_RECENT_PROFILES = 8;

export const CANNOT_REMEMBER_SECRETS_MESSAGE =
  'Remembering passwords and keys needs the desktop app with the system keychain; nothing secret was saved.';

const Stored = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().min(1).max(80),
  bootstrap: z.string().min(1).max(4096),
  security: PublicSecurity,
  /** base64 of SecretCipher.encrypt(JSON of ProfileSecrets) */
  secrets: z
    .string()
    .max(8 * 1024 * 1024)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
  /** Made from a connect with typed settings (a "recent connection"), not saved by hand. */
  recent: z.boolean(),
  lastUsed: z.number().nullable(),
});
type Stored = z.infer<typeof Stored>;

const PLAINTEXT_PUBLIC: PublicSecurity = { protocol: 'PLAINTEXT', tls: null, sasl: null };

/** What a connect target comes to: where, how, and the profile it came from (if any). */
export interface ResolvedTarget {
  readonly bootstrap: string;
  readonly security: ConnectionSecurity;
  readonly profileId: string | null;
}

export class ConnectionProfiles {
  private readonly store: PrivateJsonList<Stored>;
  private seedChecked = false;

  constructor(
    readonly file: string,
    private readonly cipher: SecretCipher | null,
  ) {
    this.store = new PrivateJsonList(file, 'profiles', Stored, tidy);
  }

  get canRemember(): boolean {
    return this.usableCipher() !== null;
  }

  async list(): Promise<ProfileView[]> {
    return (await this.store.read()).map((p) => this.view(p));
  }

  /** Create or update a profile; secrets left out of an update keep the remembered ones. */
  async save(req: ProfileSave): Promise<ProfileView> {
    const cipher = this.usableCipher();
    const parsed = parseBootstrap(req.bootstrap);
    if (!parsed.ok) throw new KvsError('BOOTSTRAP_INVALID', parsed.error);
    const bootstrap = parsed.normalized;
    const given = defined(req.secrets);
    const wantSecrets = secretsFor(req.security, given);
    if (req.remember && cipher === null && Object.keys(wantSecrets).length > 0)
      throw new KvsError('CANNOT_REMEMBER', CANNOT_REMEMBER_SECRETS_MESSAGE);
    let saved: Stored | null = null;
    await this.store.mutate((list) => {
      const before = req.id === null ? undefined : list.find((p) => p.id === req.id);
      if (req.id !== null && before === undefined)
        throw new KvsError('PROFILE_NOT_FOUND', 'That profile no longer exists.');
      const name = req.name.trim();
      if (list.some((p) => p.id !== req.id && !p.recent && p.name === name))
        throw new KvsError('INVALID_ARGUMENT', `A profile named "${name}" exists already.`);
      if (before === undefined && list.filter((p) => !p.recent).length >= MAX_PROFILES)
        throw new KvsError(
          'INVALID_ARGUMENT',
          `There are ${MAX_PROFILES} saved profiles already; delete one you no longer use first.`,
        );
      let secrets: ProfileSecrets = wantSecrets;
      // remembered secrets stay only for the same broker and login: a password never follows a
      // profile to another address, user, token endpoint or client certificate
      if (
        before?.secrets !== undefined &&
        cipher !== null &&
        sameCounterpart(before, bootstrap, req.security)
      ) {
        const old = this.decrypt(before.secrets, cipher) ?? {};
        secrets = secretsFor(req.security, { ...old, ...given });
      }
      const check = joinSecurity(req.security, secrets);
      if (!check.ok && check.missing.length === 0)
        throw new KvsError('INVALID_ARGUMENT', check.message);
      const entry: Stored = {
        id: before?.id ?? randomUUID().replace(/-/g, '').slice(0, 16),
        name,
        bootstrap,
        security: req.security,
        recent: false,
        lastUsed: before?.lastUsed ?? null,
      };
      if (req.remember && cipher !== null && Object.keys(secrets).length > 0)
        entry.secrets = this.encrypt(secrets, cipher);
      saved = entry;
      return [entry, ...list.filter((p) => p.id !== entry.id)];
    });
    if (saved === null) throw new KvsError('INTERNAL', 'The profile was not saved.');
    return this.view(saved);
  }

  async remove(id: string): Promise<void> {
    await this.store.mutate((list) => list.filter((p) => p.id !== id));
  }

  /**
   * Where and how a connect target connects. A profile's secrets: those given now, else the
   * remembered ones; still missing → PROFILE_SECRETS_NEEDED (detail: their names, comma-separated).
   */
  async resolve(target: ConnectTarget): Promise<ResolvedTarget> {
    if ('bootstrap' in target) {
      const parsed = parseBootstrap(target.bootstrap);
      return {
        bootstrap: parsed.ok ? parsed.normalized : target.bootstrap,
        security: target.security ?? PLAINTEXT,
        profileId: null,
      };
    }
    const p = (await this.store.read()).find((x) => x.id === target.profileId);
    if (p === undefined) throw new KvsError('PROFILE_NOT_FOUND', 'That profile no longer exists.');
    const cipher = this.usableCipher();
    const remembered =
      p.secrets !== undefined && cipher !== null ? (this.decrypt(p.secrets, cipher) ?? {}) : {};
    const joined = joinSecurity(p.security, { ...remembered, ...defined(target.secrets ?? {}) });
    if (!joined.ok) {
      if (joined.missing.length > 0)
        throw new KvsError(
          'PROFILE_SECRETS_NEEDED',
          `"${p.name}": type ${joined.missing.map((k) => SECRET_LABELS[k]).join(' and ')} to connect${
            p.secrets === undefined ? ' (it is not remembered)' : ''
          }.`,
          joined.missing.join(','),
        );
      throw new KvsError('INVALID_ARGUMENT', `"${p.name}": ${joined.message}`);
    }
    return { bootstrap: p.bootstrap, security: joined.security, profileId: p.id };
  }

  /**
   * A connect went through: the profile's lastUsed, or (typed settings) the recent-connection
   * profile for this bootstrap and these public settings, made if there is none. Never throws.
   */
  async connected(resolved: ResolvedTarget, now: number = Date.now()): Promise<void> {
    const pub = splitSecurity(resolved.security).security;
    const same = JSON.stringify(pub);
    await this.store
      .mutate((list) => {
        const hit =
          resolved.profileId !== null
            ? list.find((p) => p.id === resolved.profileId)
            : list.find(
                (p) => p.bootstrap === resolved.bootstrap && JSON.stringify(p.security) === same,
              );
        if (hit !== undefined) {
          const next = { ...hit, lastUsed: now };
          return [next, ...list.filter((p) => p !== hit)];
        }
        if (resolved.profileId !== null) return list;
        const made: Stored = {
          id: randomUUID().replace(/-/g, '').slice(0, 16),
          name:
            pub.protocol === 'PLAINTEXT'
              ? resolved.bootstrap
              : `${resolved.bootstrap} (${pub.protocol})`,
          bootstrap: resolved.bootstrap,
          security: pub,
          recent: true,
          lastUsed: now,
        };
        const recents = [made, ...list.filter((p) => p.recent)].slice(0, MAX_RECENT_PROFILES);
        const keep = new Set(recents);
        return [made, ...list.filter((p) => !p.recent || keep.has(p))];
      })
      .catch(() => undefined);
  }

  /**
   * Once, before there is a profiles file: the addresses remembered by earlier versions (recent
   * connections, newest first) become recent-connection profiles. Never throws.
   */
  async seedFromRecent(bootstraps: readonly string[], now: number = Date.now()): Promise<void> {
    // once per process: after the first look the file exists or nothing was there to seed
    if (this.seedChecked) return;
    this.seedChecked = true;
    const exists = await readFile(this.file).then(
      () => true,
      () => false,
    );
    if (exists || bootstraps.length === 0) return;
    await this.store
      .mutate((list) =>
        list.length > 0
          ? list
          : bootstraps.slice(0, MAX_RECENT_PROFILES).map((bootstrap, i) => ({
              id: randomUUID().replace(/-/g, '').slice(0, 16),
              name: bootstrap,
              bootstrap,
              security: PLAINTEXT_PUBLIC,
              recent: true,
              lastUsed: now - i,
            })),
      )
      .catch(() => undefined);
  }

  private view(p: Stored): ProfileView {
    const cipher = this.usableCipher();
    return {
      id: p.id,
      name: p.name,
      bootstrap: p.bootstrap,
      security: p.security,
      secretsNeeded: neededSecrets(p.security),
      secretsRemembered: p.secrets !== undefined && cipher !== null,
      lastUsed: p.lastUsed,
    };
  }

  private encrypt(secrets: ProfileSecrets, cipher: SecretCipher): string {
    try {
      return cipher.encrypt(JSON.stringify(secrets)).toString('base64');
    } catch {
      // the cipher's own message is not passed on: it is not ours to vouch for
      throw new KvsError(
        'INTERNAL',
        'The system keychain could not encrypt the secrets; nothing was saved.',
      );
    }
  }

  /** The remembered secrets, or null when they can no longer be decrypted. */
  private decrypt(blob: string, cipher: SecretCipher): ProfileSecrets | null {
    try {
      const parsed = ProfileSecrets.safeParse(
        JSON.parse(cipher.decrypt(Buffer.from(blob, 'base64'))),
      );
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
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

/**
 * One entry per id, most recently used first; at most MAX_PROFILES saved ones (save refuses more)
 * and MAX_RECENT_PROFILES recent ones (connected() drops the oldest).
 */
function tidy(list: Stored[]): Stored[] {
  const ids = new Set<string>();
  return list
    .filter((p) => !ids.has(p.id) && ids.add(p.id) !== undefined)
    .sort((a, b) => (b.lastUsed ?? 0) - (a.lastUsed ?? 0))
    .slice(0, MAX_PROFILES + MAX_RECENT_PROFILES);
}

/** The secrets given, without keys whose value is undefined (they would erase remembered ones). */
function defined(secrets: ProfileSecrets): ProfileSecrets {
  return Object.fromEntries(
    Object.entries(secrets).filter(([, v]) => v !== undefined),
  ) as ProfileSecrets;
}

/** Still the same broker and the same login (user, token endpoint, client certificate)? */
function sameCounterpart(before: Stored, bootstrap: string, next: PublicSecurity): boolean {
  const login = (x: PublicSecurity) => JSON.stringify([x.sasl, x.tls?.client ?? null]);
  return before.bootstrap === bootstrap && login(before.security) === login(next);
}
