import { describe, expect, it } from 'vitest';
import { deviceNameProblem, inputFormatProblem, looksLikeUrl, sourceUrlProblem } from './source-input.js';

describe('source inputs', () => {
  it('accepts the allowed schemes', () => {
    for (const u of [
      'rtsp://10.0.0.9:554/stream1',
      'rtsps://cam.local/live',
      'http://127.0.0.1:8080/live.m3u8',
      'https://user:pw@cam.example/video.mjpg?x=1',
      'udp://239.0.0.1:1234',
      'udp://@:1234',
      'rtsp://[::1]:8554/cam',
    ])
      expect(sourceUrlProblem(u), u).toBeNull();
  });

  it('refuses other schemes, no host, a bad port, an empty address', () => {
    expect(sourceUrlProblem('file:///etc/passwd')).toMatch(/not a stream address/);
    expect(sourceUrlProblem('ftp://x/y')).toMatch(/not a stream address/);
    expect(sourceUrlProblem('concat:a|b')).toMatch(/must start with rtsp/);
    expect(sourceUrlProblem('http:///x')).toMatch(/no host/);
    expect(sourceUrlProblem('http://h:99999/x')).toMatch(/not a valid URL/);
    expect(sourceUrlProblem('  ')).toMatch(/Enter the address/);
    expect(sourceUrlProblem('http://h/a b')).toMatch(/spaces/);
  });

  it('never puts the password of a refused URL in its message', () => {
    expect(sourceUrlProblem('ftp://bob:secret@h/x')).not.toContain('secret');
  });

  it('tells URLs from file names', () => {
    expect(looksLikeUrl('rtsp://h/x')).toBe(true);
    expect(looksLikeUrl('video.mp4')).toBe(false);
    expect(looksLikeUrl('C:\\videos\\a.mp4')).toBe(false);
  });

  it('checks device names and input formats', () => {
    expect(deviceNameProblem('/dev/video0')).toBeNull();
    expect(deviceNameProblem('FaceTime HD Camera')).toBeNull();
    expect(deviceNameProblem('-i')).toMatch(/cannot start/);
    expect(deviceNameProblem('')).toMatch(/Name the camera/);
    expect(inputFormatProblem('v4l2')).toBeNull();
    expect(inputFormatProblem('v4l2 -i x')).toMatch(/not an ffmpeg input format/);
  });
});
