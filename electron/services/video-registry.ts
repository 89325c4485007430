/**
 * Videos the UI may produce, by opaque id. The UI only ever holds an id; the path stays here.
 *
 * A video enters the registry in one of three ways:
 * - the desktop's native file dialog (`video:choose`, the path comes from main, never the page),
 * - `video:open-path` (browser transport only, and only when the app services allow it),
 * - an upload from the browser page (`POST /upload`): the body is streamed into
 *   `<userDataDir>/uploads/<id>-<safe name>` with a size cap. The name the page sends is never
 *   trusted: only its last path segment is kept, stripped of control and bidi characters,
 *   characters Windows forbids, `..` runs and leading/trailing dots and spaces; the extension is
 *   kept (ffmpeg picks a demuxer by it). Uploaded files are deleted when the app services are disposed.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VideoRef } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import { checkVideoFile } from '../core/ffmpeg/probe.js';

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const MAX_NAME_CHARS = 120;
/** `<16-char id>-<name>` must fit the 255-byte file-name limit of common file systems. */
const MAX_NAME_BYTES = 200;
const MAX_EXT_CHARS = 16;

/** An upload went over the size cap (the browser transport answers 413). */
export class UploadTooLargeError extends KvsError {
  constructor(readonly limitBytes: number) {
    super(
      'INVALID_ARGUMENT',
      `The file is larger than the upload limit of ${formatLimit(limitBytes)}.`,
    );
  }
}

function formatLimit(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 ? 1 : 0)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 ? 1 : 0)} MiB`;
  return `${n} bytes`;
}

function isUnsafeChar(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true; // control characters
  if (
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x200e ||
    cp === 0x200f
  )
    return true; // bidi
  if (cp === 0xfeff) return true;
  if (cp >= 0xd800 && cp <= 0xdfff) return true; // a lone surrogate: not a character, no file name
  return '<>:"|?*'.includes(c);
}

/**
 * A file name that is safe to use as the tail of a file in the uploads folder, or null when
 * nothing usable is left. Never contains a path separator, `..`, a control character or a lone
 * surrogate; at most 120 characters and 200 UTF-8 bytes (long names are cut, extension kept).
 */
export function sanitizeUploadName(raw: string): string | null {
  const last = raw.split(/[\\/]/).pop() ?? '';
  let name = tidy(last);
  if (name === '') return null;
  if ([...name].length > MAX_NAME_CHARS || utf8Bytes(name) > MAX_NAME_BYTES) {
    const ext = path.extname(name);
    const keep = ext.length > 1 && [...ext].length <= MAX_EXT_CHARS ? ext : '';
    const stem = fit(
      name.slice(0, name.length - keep.length),
      MAX_NAME_CHARS - [...keep].length,
      MAX_NAME_BYTES - utf8Bytes(keep),
    );
    // the cut may leave dots or spaces at the stem's end: "a." + ".mp4" must not become "a..mp4"
    name = tidy(`${stem.replace(/[\s.]+$/, '')}${keep}`);
  }
  return name === '' || name === '.' ? null : name;
}

/** NFC, unsafe characters dropped, `..` runs collapsed, dots and spaces trimmed at both ends. */
function tidy(s: string): string {
  const kept = [...s.normalize('NFC')].filter((c) => !isUnsafeChar(c)).join('');
  // normalise again: dropping a character can bring a letter and its accent together
  return kept
    .normalize('NFC')
    .replace(/\.{2,}/g, '.')
    .replace(/^[\s.]+|[\s.]+$/g, '');
}

function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The longest prefix of `s` (whole code points) within both limits. */
function fit(s: string, maxChars: number, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const c of [...s].slice(0, Math.max(0, maxChars))) {
    bytes += utf8Bytes(c);
    if (bytes > maxBytes) break;
    out += c;
  }
  return out;
}

export interface RegisteredVideo extends VideoRef {
  readonly path: string;
  readonly uploaded: boolean;
}

export interface VideoRegistryOptions {
  readonly uploadsDir: string;
  readonly maxUploadBytes?: number;
}

export function newId(): string {
  return randomBytes(12).toString('base64url');
}

export class VideoRegistry {
  private readonly byId = new Map<string, RegisteredVideo>();
  private readonly byPath = new Map<string, string>();
  readonly maxUploadBytes: number;

  constructor(private readonly opts: VideoRegistryOptions) {
    this.maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  }

  get(videoId: string): RegisteredVideo | undefined {
    return this.byId.get(videoId);
  }

  /** Check a file on this machine (missing, folder, empty → KvsError) and give it an id. */
  async addPath(file: string): Promise<VideoRef> {
    const abs = path.resolve(file);
    if (abs.includes('\0'))
      throw new KvsError('INVALID_ARGUMENT', 'That path contains a NUL character.');
    const sizeBytes = await checkVideoFile(abs);
    const known = this.byPath.get(abs);
    const videoId = known ?? newId();
    const entry: RegisteredVideo = {
      videoId,
      name: path.basename(abs),
      sizeBytes,
      path: abs,
      uploaded: false,
    };
    this.byId.set(videoId, entry);
    this.byPath.set(abs, videoId);
    return toRef(entry);
  }

  /** Stream an upload into the uploads folder (size-capped), check it, and give it an id. */
  async addUpload(rawName: string, body: AsyncIterable<Uint8Array>): Promise<VideoRef> {
    const name = sanitizeUploadName(rawName);
    if (name === null)
      throw new KvsError('INVALID_ARGUMENT', 'The upload needs a file name, e.g. ?name=video.mp4.');
    await mkdir(this.opts.uploadsDir, { recursive: true, mode: 0o700 });
    const videoId = newId();
    const file = path.join(this.opts.uploadsDir, `${videoId}-${name}`);
    // belt and braces: the sanitized name cannot leave the folder
    if (path.dirname(file) !== path.resolve(this.opts.uploadsDir))
      throw new KvsError('INVALID_ARGUMENT', 'That file name is not allowed.');
    const limit = this.maxUploadBytes;
    async function* capped(): AsyncGenerator<Uint8Array> {
      let total = 0;
      for await (const chunk of body) {
        total += chunk.byteLength;
        if (total > limit) throw new UploadTooLargeError(limit);
        yield chunk;
      }
    }
    try {
      await pipeline(
        Readable.from(capped()),
        createWriteStream(file, { flags: 'wx', mode: 0o600 }),
      );
      const sizeBytes = await checkVideoFile(file);
      const entry: RegisteredVideo = { videoId, name, sizeBytes, path: file, uploaded: true };
      this.byId.set(videoId, entry);
      return toRef(entry);
    } catch (e) {
      await rm(file, { force: true }).catch(() => undefined);
      if (e instanceof KvsError) throw e;
      throw new KvsError(
        'INTERNAL',
        `The upload failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Delete the uploaded files and forget every id. */
  async dispose(): Promise<void> {
    const uploads = [...this.byId.values()].filter((v) => v.uploaded);
    this.byId.clear();
    this.byPath.clear();
    await Promise.all(uploads.map((v) => rm(v.path, { force: true }).catch(() => undefined)));
  }
}

function toRef(v: RegisteredVideo): VideoRef {
  return { videoId: v.videoId, name: v.name, sizeBytes: v.sizeBytes };
}
