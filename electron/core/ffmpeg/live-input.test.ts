import { describe, expect, it } from 'vitest';
import { deviceFormat, deviceInputName, liveInputArgs } from './live-input.js';

describe('liveInputArgs', () => {
  it('reads RTSP over TCP with a socket timeout in microseconds', () => {
    const a = liveInputArgs(
      { kind: 'url', url: 'rtsp://10.0.0.9/s' },
      { platform: 'linux', timeoutMs: 3000 },
    );
    expect(a.input).toBe('rtsp://10.0.0.9/s');
    expect(a.inputOptions).toEqual(expect.arrayContaining(['-rtsp_transport', 'tcp']));
    expect(a.inputOptions.join(' ')).toContain('-timeout 3000000');
  });

  it('gives http(s) a read timeout and short reconnects', () => {
    const a = liveInputArgs({ kind: 'url', url: 'https://cam/live.m3u8' }, { platform: 'linux' });
    expect(a.inputOptions.join(' ')).toContain('-rw_timeout 10000000');
    expect(a.inputOptions.join(' ')).toContain('-reconnect_streamed 1');
  });

  it('gives udp a timeout, and every live input the low-delay flags', () => {
    const a = liveInputArgs(
      { kind: 'url', url: 'udp://127.0.0.1:5000' },
      { platform: 'linux', timeoutMs: 2000 },
    );
    expect(a.inputOptions).toEqual([
      '-fflags',
      'nobuffer',
      '-flags',
      'low_delay',
      '-analyzeduration',
      '2000000',
      '-protocol_whitelist',
      'udp,rtp',
      '-timeout',
      '2000000',
    ]);
  });

  it('lets ffmpeg open only the protocols of the scheme (no file: from a playlist)', () => {
    const http = liveInputArgs({ kind: 'url', url: 'http://cam/live.m3u8' }, { platform: 'linux' });
    const wl = http.inputOptions[http.inputOptions.indexOf('-protocol_whitelist') + 1];
    expect(wl?.split(',')).not.toContain('file');
    expect(wl?.split(',')).toContain('crypto');
  });

  it('refuses another scheme', () => {
    expect(() => liveInputArgs({ kind: 'url', url: 'ftp://x/y' }, { platform: 'linux' })).toThrow(
      /rtsp:\/\//,
    );
  });

  it('picks the camera format per platform', () => {
    expect(deviceFormat('linux')).toBe('v4l2');
    expect(deviceFormat('darwin')).toBe('avfoundation');
    expect(deviceFormat('win32')).toBe('dshow');
    expect(deviceFormat('freebsd')).toBeNull();
  });

  it('names the device the way each platform wants it', () => {
    expect(deviceInputName('0', 'linux')).toBe('/dev/video0');
    expect(deviceInputName('video2', 'linux')).toBe('/dev/video2');
    expect(deviceInputName('/dev/video1', 'linux')).toBe('/dev/video1');
    expect(deviceInputName('FaceTime HD Camera', 'darwin')).toBe('FaceTime HD Camera:none');
    expect(deviceInputName('0:1', 'darwin')).toBe('0:1');
    expect(deviceInputName('Integrated Camera', 'win32')).toBe('video=Integrated Camera');
    expect(deviceInputName('video=USB Cam', 'win32')).toBe('video=USB Cam');
  });

  it('builds the device input with -f, and lets --input-format override it', () => {
    const mac = liveInputArgs({ kind: 'device', device: '0' }, { platform: 'darwin' });
    expect(mac).toMatchObject({ input: '0:none', format: 'avfoundation' });
    expect(mac.inputOptions.slice(-2)).toEqual(['-f', 'avfoundation']);
    const win = liveInputArgs({ kind: 'device', device: 'USB Cam' }, { platform: 'win32' });
    expect(win).toMatchObject({ input: 'video=USB Cam', format: 'dshow' });
    const lavfi = liveInputArgs(
      { kind: 'device', device: 'testsrc2=size=320x240:rate=10', inputFormat: 'lavfi' },
      { platform: 'linux' },
    );
    expect(lavfi).toMatchObject({ input: 'testsrc2=size=320x240:rate=10', format: 'lavfi' });
    expect(() => liveInputArgs({ kind: 'device', device: 'x' }, { platform: 'aix' })).toThrow(
      /--input-format/,
    );
  });
});
