import { describe, expect, it } from 'vitest';
import { KvsCallError } from './errors.js';
import { parseUploadResponse, uploadName, uploadUrl } from './upload.js';

describe('uploadName', () => {
  it('keeps the base name only', () => {
    expect(uploadName('C:\\fakepath\\clip.mp4')).toBe('clip.mp4');
    expect(uploadName('/home/a/b/clip one.mkv')).toBe('clip one.mkv');
  });
  it('strips control characters and falls back to "video"', () => {
    expect(uploadName('a\u0000b\u001f.mp4')).toBe('ab.mp4');
    expect(uploadName('')).toBe('video');
    expect(uploadName('..')).toBe('video');
    expect(uploadName('  ')).toBe('video');
  });
  it('shortens long names keeping the extension', () => {
    const name = uploadName(`${'x'.repeat(500)}.webm`);
    expect(name).toHaveLength(200);
    expect(name.endsWith('.webm')).toBe(true);
  });
});

describe('uploadUrl', () => {
  it('encodes the name as a query parameter', () => {
    expect(uploadUrl('e2e clip&x=1.mp4')).toBe('/upload?name=e2e%20clip%26x%3D1.mp4');
  });
});

describe('parseUploadResponse', () => {
  it('returns the VideoRef', () => {
    const ref = { videoId: 'abc_1', name: 'clip.mp4', sizeBytes: 10 };
    expect(parseUploadResponse(200, JSON.stringify(ref), 'clip.mp4')).toEqual(ref);
  });
  it('turns a service ErrorPayload into a KvsCallError', () => {
    const out = parseUploadResponse(
      400,
      JSON.stringify({ code: 'INVALID_VIDEO', message: 'Not a video.' }),
      'x',
    );
    expect(out).toBeInstanceOf(KvsCallError);
    expect((out as KvsCallError).code).toBe('INVALID_VIDEO');
    const wrapped = parseUploadResponse(
      413,
      JSON.stringify({ error: { code: 'TOO_BIG', message: 'Too big.' } }),
      'x',
    );
    expect((wrapped as KvsCallError).message).toBe('Too big.');
  });
  it('explains plain HTTP failures', () => {
    expect((parseUploadResponse(403, '', 'a.mp4') as KvsCallError).message).toContain('token');
    expect((parseUploadResponse(0, '', 'a.mp4') as KvsCallError).message).toContain(
      'could not be reached',
    );
    expect((parseUploadResponse(500, 'oops', 'a.mp4') as KvsCallError).message).toContain(
      'HTTP 500 — oops',
    );
    expect((parseUploadResponse(200, '{}', 'a.mp4') as KvsCallError).code).toBe('BAD_REPLY');
  });
});
