/** `kvs serve` finds the built page of its checkout from the source and from the built CLI alike. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStaticDir } from './serve.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('defaultStaticDir', () => {
  it('is <project>/out/renderer from the source and from the built CLI (out/cli/bin.js)', () => {
    expect(defaultStaticDir()).toBe(path.join(root, 'out', 'renderer'));
    expect(defaultStaticDir(path.join(root, 'electron', 'cli', 'serve.ts'))).toBe(
      path.join(root, 'out', 'renderer'),
    );
    expect(defaultStaticDir(path.join(root, 'out', 'cli', 'bin.js'))).toBe(
      path.join(root, 'out', 'renderer'),
    );
  });
});
