import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvsError } from '../shared/errors.js';
import { VideoRegistry, sanitizeUploadName } from './video-registry.js';

/** Windows forbids these in names; bidi controls and the BOM disguise a name's extension. */
const FORBIDDEN = /[\\/<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\p{Cc}\p{Cs}]/u;

/** The uploads folder's file is `<16-char id>-<name>`: it must fit the usual 255-byte name limit. */
const MAX_NAME_BYTES = 255 - 17;

function expectSafeName(name: string, raw: string): void {
  const why = JSON.stringify(raw);
  expect(name.length, why).toBeGreaterThan(0);
  expect(name, why).not.toMatch(FORBIDDEN);
  expect(name, why).not.toContain('..');
  expect(name, why).not.toMatch(/^[\s.]|[\s.]$/);
  expect([...name].length, why).toBeLessThanOrEqual(120);
  expect(Buffer.byteLength(name, 'utf8'), why).toBeLessThanOrEqual(MAX_NAME_BYTES);
  expect(path.posix.basename(name)).toBe(name);
  expect(path.win32.basename(name)).toBe(name);
  const dir = path.resolve('uploads');
  expect(path.dirname(path.join(dir, `${'i'.repeat(16)}-${name}`))).toBe(dir);
}

const PIECES = [
  '..',
  '.',
  '/',
  '\\',
  '../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\System32\\',
  'C:',
  '\\\\server\\share\\',
  '~/',
  '\u0000',
  '\n',
  '\r',
  '\t',
  ' ',
  '\u00a0',
  '\u3000',
  '\u202e',
  '\u2066',
  '\u200e',
  '\ufeff',
  '\u007f',
  '\u0085',
  '\ud800',
  '\udfff',
  '<',
  '>',
  ':',
  '"',
  '|',
  '?',
  '*',
  ';',
  '$(id)',
  '`id`',
  "'",
  'e\u0301',
  '\u212b',
  '視頻',
  '\u{1F3AC}',
  'video',
  'clip',
  '.mp4',
  '.webm',
  '.tar.gz',
  'x'.repeat(40),
  '視'.repeat(40),
  '\u{1F3AC}'.repeat(30),
  'CON',
  'nul',
];
const hostileName = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((a) => a.join(''));
const anyChars = fc
  .array(
    fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));
const longName = fc
  .tuple(
    fc.constantFrom('x', '視', '\u{1F3AC}', 'é', '.', ' ', 'a.'),
    fc.integer({ min: 100, max: 320 }),
    fc.constantFrom('', '.mp4', '.webm', '.verylongextension1'),
  )
  .map(([c, n, ext]) => `${c.repeat(n)}${ext}`);
const uploadName = fc.oneof(
  hostileName,
  anyChars,
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  longName,
);

describe('sanitizeUploadName (property)', () => {
  it('cases the properties found: a cut next to a dot, multi-byte names, lone surrogates', () => {
    const cut = sanitizeUploadName(`${'a'.repeat(115)}.${'b'.repeat(10)}.mp4`);
    expect(cut).toBe(`${'a'.repeat(115)}.mp4`);
    const wide = sanitizeUploadName(`${'é'.repeat(150)}.mp4`) ?? '';
    expect(wide.endsWith('é.mp4') && Buffer.byteLength(wide) <= 200).toBe(true);
    expect(sanitizeUploadName('\ud800')).toBeNull();
    expect(sanitizeUploadName('clip\udfff.mp4')).toBe('clip.mp4');
    expect(sanitizeUploadName('e\u200e\u0301.mp4')).toBe('\u00e9.mp4');
  });

  it('gives null or one safe file name, for any string', () => {
    fc.assert(
      fc.property(uploadName, (raw) => {
        const name = sanitizeUploadName(raw);
        if (name !== null) expectSafeName(name, raw);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps only the last path segment, and the extension', () => {
    fc.assert(
      fc.property(
        hostileName,
        fc.stringMatching(/^[A-Za-z0-9_-]{1,150}$/),
        fc.constantFrom('.mp4', '.mkv', '.webm'),
        (dirs, stem, ext) => {
          for (const sep of ['/', '\\']) {
            const name = sanitizeUploadName(`${dirs}${sep}${stem}${ext}`);
            expect(name, `${dirs}${sep}${stem}${ext}`).toBe(
              stem.length + ext.length <= 120
                ? `${stem}${ext}`
                : `${stem.slice(0, 120 - ext.length)}${ext}`,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is stable: a sanitized name sanitizes to itself', () => {
    fc.assert(
      fc.property(uploadName, (raw) => {
        const name = sanitizeUploadName(raw);
        if (name !== null) expect(sanitizeUploadName(name), JSON.stringify(raw)).toBe(name);
      }),
      { numRuns: 500 },
    );
  });
});

describe('VideoRegistry with paths and names from the page (property)', () => {
  let dir = '';
  let registry: VideoRegistry;
  const FILE_CODES = ['FILE_NOT_FOUND', 'FILE_NOT_A_FILE', 'FILE_EMPTY'];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-video-registry-'));
    await mkdir(path.join(dir, 'folder.mp4'));
    await writeFile(path.join(dir, 'empty.mp4'), '');
    await writeFile(path.join(dir, 'clip.mp4'), 'not really a video');
    registry = new VideoRegistry({ uploadsDir: path.join(dir, 'uploads'), maxUploadBytes: 1024 });
  });
  afterAll(async () => {
    await registry.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('addPath: a VideoRef for a non-empty file, else a KvsError FILE_* (INVALID_ARGUMENT for a NUL)', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'clip.mp4',
        'empty.mp4',
        'folder.mp4',
        'missing.mp4',
        '..',
        '.',
        '',
        'clip.mp4/x',
        'x'.repeat(300),
        '\u0000',
        'C:\\x.mp4',
        '\\\\server\\share\\x.mp4',
      ),
      hostileName,
      anyChars,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (segments, absolute) => {
          const p = absolute ? path.join(dir, ...segments) : segments.join('/');
          try {
            const ref = await registry.addPath(p);
            expect(ref.sizeBytes).toBeGreaterThan(0);
            expect(ref.name).toBe(path.basename(path.resolve(p)));
            expect(registry.get(ref.videoId)?.path).toBe(path.resolve(p));
          } catch (e) {
            expect(e, JSON.stringify(p)).toBeInstanceOf(KvsError);
            const { code } = e as KvsError;
            // resolving may drop a NUL with its segment ("\0x/.." is nothing); one that survives is refused
            if (path.resolve(p).includes('\0')) expect(code).toBe('INVALID_ARGUMENT');
            else expect(FILE_CODES, `${JSON.stringify(p)}: ${code}`).toContain(code);
          }
        },
      ),
      { numRuns: 200 },
    );
    await expect(registry.addPath(path.join(dir, 'folder.mp4'))).rejects.toMatchObject({
      code: 'FILE_NOT_A_FILE',
    });
    await expect(registry.addPath(path.join(dir, 'empty.mp4'))).rejects.toMatchObject({
      code: 'FILE_EMPTY',
    });
    await expect(
      registry.addPath(path.join(dir, 'nope', '..', '..', 'missing.mp4')),
    ).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(registry.addPath(path.join(dir, 'clip.mp4', 'x'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });

  it('addUpload: any name lands as one file inside the uploads folder, or is refused as INVALID_ARGUMENT', async () => {
    const uploads = path.join(dir, 'uploads');
    await fc.assert(
      fc.asyncProperty(uploadName, async (raw) => {
        let ref;
        try {
          ref = await registry.addUpload(raw, Readable.from([Buffer.from('abc')]));
        } catch (e) {
          expect(e, JSON.stringify(raw)).toBeInstanceOf(KvsError);
          expect((e as KvsError).code, `${JSON.stringify(raw)}: ${(e as KvsError).message}`).toBe(
            'INVALID_ARGUMENT',
          );
          expect(sanitizeUploadName(raw)).toBeNull();
          return;
        }
        expect(ref.name).toBe(sanitizeUploadName(raw));
        const file = registry.get(ref.videoId)?.path ?? '';
        expect(path.dirname(file)).toBe(uploads);
        expect(path.basename(file)).toBe(`${ref.videoId}-${ref.name}`);
      }),
      { numRuns: 100 },
    );
    // every file written is one of ours (nothing escaped into dir or elsewhere)
    expect((await readdir(dir)).sort()).toEqual(['clip.mp4', 'empty.mp4', 'folder.mp4', 'uploads']);
  });
});
