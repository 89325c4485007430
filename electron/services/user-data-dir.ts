/**
 * The one per-user folder of Kafka Video Studio — recent connections, remembered servers,
 * pinned host keys, uploads — shared by the desktop app (main sets Electron's `userData` to it),
 * `kvs serve` and the `kvs` CLI, so each sees what the others remembered:
 *
 * - Linux and others: `${XDG_CONFIG_HOME:-~/.config}/kafka-video-studio`
 * - macOS: `~/Library/Application Support/kafka-video-studio`
 * - Windows: `%APPDATA%\kafka-video-studio` (else `~\AppData\Roaming\kafka-video-studio`)
 */
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'kafka-video-studio';

export interface UserDataDirDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly platform?: NodeJS.Platform;
  readonly homedir?: string;
}

export function defaultUserDataDir(deps: UserDataDirDeps = {}): string {
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  const home = deps.homedir ?? os.homedir();
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim();
    return path.win32.join(
      appData ? appData : path.win32.join(home, 'AppData', 'Roaming'),
      APP_DIR_NAME,
    );
  }
  if (platform === 'darwin')
    return path.posix.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // the XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
  return path.posix.join(base, APP_DIR_NAME);
}

/** {@link defaultUserDataDir}, unless `KVS_USER_DATA_DIR` names another folder (tests, portable use). */
export function userDataDir(deps: UserDataDirDeps = {}): string {
  const override = (deps.env ?? process.env).KVS_USER_DATA_DIR?.trim();
  return override ? path.resolve(override) : defaultUserDataDir(deps);
}
