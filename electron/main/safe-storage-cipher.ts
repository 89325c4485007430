/**
 * The desktop app's {@link SecretCipher}: Electron `safeStorage`, i.e. the macOS Keychain, Windows
 * DPAPI, or on Linux the Secret Service (libsecret) / KWallet. On Linux, when no keyring is
 * reachable, Chromium falls back to `basic_text`, a key hard-coded in the source: that is plain
 * text in all but name, so it counts as unavailable and passwords are not remembered.
 *
 * The safeStorage object comes in as an argument (main passes Electron's), so this stays testable.
 */
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../services/saved-servers.js';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/** Linux backends that do not really encrypt (`unknown`: asked before the app was ready). */
const WEAK_LINUX_BACKENDS: ReadonlySet<string> = new Set(['basic_text', 'unknown']);

export function safeStorageCipher(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): SecretCipher {
  return {
    isAvailable(): boolean {
      try {
        if (!safeStorage.isEncryptionAvailable()) return false;
        if (
          platform === 'linux' &&
          WEAK_LINUX_BACKENDS.has(safeStorage.getSelectedStorageBackend())
        ) {
          return false;
        }
        return true;
      } catch {
        return false;
      }
    },
    encrypt(plain: string): Buffer {
      return safeStorage.encryptString(plain);
    },
    decrypt(cipher: Buffer): string {
      return safeStorage.decryptString(cipher);
    },
  };
}
