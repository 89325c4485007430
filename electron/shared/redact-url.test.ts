import { describe, expect, it } from 'vitest';
import { hasUrlCredentials, redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the user and password of a URL', () => {
    expect(redactUrl('rtsp://admin:s3cr%40t@10.0.0.9:554/stream1')).toBe(
      'rtsp://***@10.0.0.9:554/stream1',
    );
    expect(redactUrl('https://user@cam.local/video.mjpg')).toBe('https://***@cam.local/video.mjpg');
  });

  it('hides secrets in the query and keeps the rest', () => {
    expect(redactUrl('http://cam/live.m3u8?token=abc123&res=720&password=x')).toBe(
      'http://cam/live.m3u8?token=***&res=720&password=***',
    );
    expect(redactUrl('http://cam/snap?res=720')).toBe('http://cam/snap?res=720');
  });

  it('hides every URL inside a longer text (ffmpeg stderr, an error message)', () => {
    const text =
      '[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized\nrtsp://bob:hunter2@127.0.0.1:8554/cam: Server returned 401';
    const out = redactUrl(text);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('bob');
    expect(out).toContain('rtsp://***@127.0.0.1:8554/cam');
  });

  it('a password with a plain @ is hidden whole (the login ends at the last @ before the path)', () => {
    expect(redactUrl('rtsp://admin:p@ss@cam.local:554/x')).toBe('rtsp://***@cam.local:554/x');
    expect(redactUrl('failed: rtsp://a:b@c@10.0.0.1/s and http://u:v@h/p')).toBe(
      'failed: rtsp://***@10.0.0.1/s and http://***@h/p',
    );
  });

  it('leaves text without credentials unchanged', () => {
    for (const t of ['udp://239.0.0.1:1234', '/dev/video0', 'e-mail a@b.c', 'file:/tmp/a@b.mp4'])
      expect(redactUrl(t)).toBe(t);
    expect(hasUrlCredentials('rtsp://a:b@h/x')).toBe(true);
    expect(hasUrlCredentials('rtsp://h/x')).toBe(false);
  });

  it('is idempotent', () => {
    const once = redactUrl('rtsp://a:b@h/x?key=1');
    expect(redactUrl(once)).toBe(once);
  });
});
