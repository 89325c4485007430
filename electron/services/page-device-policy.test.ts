import { describe, expect, it } from 'vitest';
import { pageDeviceProblem } from './page-device-policy.js';

describe('what a page may open as a camera on the host', () => {
  it("the platform's own camera input, and on Linux a video device node", () => {
    expect(pageDeviceProblem({ device: '/dev/video0' }, 'linux')).toBeNull();
    expect(pageDeviceProblem({ device: '2' }, 'linux')).toBeNull();
    expect(pageDeviceProblem({ device: 'video1', inputFormat: 'v4l2' }, 'linux')).toBeNull();
    expect(pageDeviceProblem({ device: 'FaceTime HD Camera' }, 'darwin')).toBeNull();
    expect(
      pageDeviceProblem({ device: 'Integrated Webcam', inputFormat: 'dshow' }, 'win32'),
    ).toBeNull();
  });

  it('no other ffmpeg input format: a page cannot read host files or skip the URL checks', () => {
    for (const inputFormat of ['lavfi', 'image2', 'concat', 'hls', 'mpegts', 'avfoundation'])
      expect(pageDeviceProblem({ device: 'movie=/etc/passwd', inputFormat }, 'linux')).toMatch(
        /with v4l2 only.*command line/,
      );
    expect(pageDeviceProblem({ device: '0', inputFormat: 'lavfi' }, 'darwin')).toMatch(
      /avfoundation only/,
    );
  });

  it('on Linux, a path that is not a video device is refused', () => {
    for (const device of ['/home/u/private.mp4', '/dev/sda', '../../etc/passwd', 'movie=/x'])
      expect(pageDeviceProblem({ device }, 'linux')).toMatch(/video device/);
  });

  it('a system without a camera input says so', () => {
    expect(pageDeviceProblem({ device: '0' }, 'freebsd' as never)).toMatch(/not supported/);
  });
});
