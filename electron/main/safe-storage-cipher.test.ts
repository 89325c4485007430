import { describe, expect, it } from 'vitest';
import { safeStorageCipher, type SafeStorageLike } from './safe-storage-cipher.js';

/** Electron's safeStorage API shape, with the answers a given OS would give. */
function storage(
  available: boolean,
  backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']>,
): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => Buffer.from([...Buffer.from(s, 'utf8')].map((b) => b ^ 0x5a)),
    decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString('utf8'),
  };
}

describe('safeStorageCipher', () => {
  it('is unavailable when the OS offers no encryption', () => {
    expect(safeStorageCipher(storage(false, 'gnome_libsecret'), 'linux').isAvailable()).toBe(false);
    expect(safeStorageCipher(storage(false, 'unknown'), 'darwin').isAvailable()).toBe(false);
  });

  it('on Linux, the hard-coded basic_text key (and an unknown backend) count as no encryption', () => {
    expect(safeStorageCipher(storage(true, 'basic_text'), 'linux').isAvailable()).toBe(false);
    expect(safeStorageCipher(storage(true, 'unknown'), 'linux').isAvailable()).toBe(false);
    expect(safeStorageCipher(storage(true, 'gnome_libsecret'), 'linux').isAvailable()).toBe(true);
    expect(safeStorageCipher(storage(true, 'kwallet5'), 'linux').isAvailable()).toBe(true);
  });

  it('macOS and Windows: available when safeStorage says so (the backend question is Linux-only)', () => {
    expect(safeStorageCipher(storage(true, 'unknown'), 'darwin').isAvailable()).toBe(true);
    expect(safeStorageCipher(storage(true, 'unknown'), 'win32').isAvailable()).toBe(true);
  });

  it('a safeStorage that throws means unavailable, never a crash', () => {
    const broken: SafeStorageLike = {
      ...storage(true, 'gnome_libsecret'),
      isEncryptionAvailable: () => {
        throw new Error('called before app ready');
      },
    };
    expect(safeStorageCipher(broken, 'linux').isAvailable()).toBe(false);
  });

  it('round-trips through encryptString/decryptString', () => {
    const c = safeStorageCipher(storage(true, 'gnome_libsecret'), 'linux');
    const enc = c.encrypt('pässword');
    expect(enc.includes(Buffer.from('pässword'))).toBe(false);
    expect(c.decrypt(enc)).toBe('pässword');
  });
});
