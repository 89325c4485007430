import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { defaultUserDataDir, userDataDir } from './user-data-dir.js';

describe('defaultUserDataDir', () => {
  it('follows XDG on Linux', () => {
    expect(defaultUserDataDir({ platform: 'linux', homedir: '/home/a', env: {} })).toBe(
      '/home/a/.config/kafka-video-studio',
    );
    expect(
      defaultUserDataDir({
        platform: 'linux',
        homedir: '/home/a',
        env: { XDG_CONFIG_HOME: '/x/cfg' },
      }),
    ).toBe('/x/cfg/kafka-video-studio');
    expect(
      defaultUserDataDir({
        platform: 'linux',
        homedir: '/home/a',
        env: { XDG_CONFIG_HOME: 'relative' },
      }),
    ).toBe('/home/a/.config/kafka-video-studio');
  });

  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(defaultUserDataDir({ platform: 'darwin', homedir: '/Users/a', env: {} })).toBe(
      '/Users/a/Library/Application Support/kafka-video-studio',
    );
    expect(
      defaultUserDataDir({
        platform: 'win32',
        homedir: 'C:\\Users\\a',
        env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' },
      }),
    ).toBe('C:\\Users\\a\\AppData\\Roaming\\kafka-video-studio');
    expect(defaultUserDataDir({ platform: 'win32', homedir: 'C:\\Users\\a', env: {} })).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\kafka-video-studio',
    );
  });

  it('is the same folder for the desktop app, kvs serve and the CLI, unless KVS_USER_DATA_DIR says otherwise', () => {
    expect(userDataDir({ platform: 'linux', homedir: '/home/a', env: {} })).toBe(
      '/home/a/.config/kafka-video-studio',
    );
    expect(
      userDataDir({
        platform: 'linux',
        homedir: '/home/a',
        env: { KVS_USER_DATA_DIR: ' /tmp/u ' },
      }),
    ).toBe(path.resolve('/tmp/u'));
    expect(
      userDataDir({ platform: 'linux', homedir: '/home/a', env: { KVS_USER_DATA_DIR: '  ' } }),
    ).toBe('/home/a/.config/kafka-video-studio');
  });
});
