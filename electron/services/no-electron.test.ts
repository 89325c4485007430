/**
 * The app services and the browser transport are Electron-free (ARCHITECTURE.md). ESLint's
 * no-restricted-imports rule covers electron/core, cli, shared; this test covers electron/services.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;

describe('electron/services imports no Electron', () => {
  it('has no import of electron, electron/main or electron/preload', async () => {
    const files = (await readdir(here)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const text = await readFile(path.join(here, f), 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map(
        (m) => m[1] ?? '',
      );
      for (const s of specifiers) {
        expect(s, `${f} imports ${s}`).not.toMatch(/^electron(\/|$)|\/main\/|\/preload\//);
      }
    }
  });
});
