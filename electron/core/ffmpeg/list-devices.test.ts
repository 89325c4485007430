import { describe, expect, it } from 'vitest';
import {
  listDevices,
  parseAvfoundationList,
  parseDshowList,
  parseV4l2Sources,
} from './list-devices.js';

describe('camera listings', () => {
  it('reads ffmpeg -sources v4l2', () => {
    const text =
      'Auto-detected sources for video4linux2,v4l2:\n  /dev/video0 [Integrated Camera: Integrated C]\n* /dev/video2 []\n';
    expect(parseV4l2Sources(text)).toEqual([
      { id: '/dev/video0', name: 'Integrated Camera: Integrated C', format: 'v4l2' },
      { id: '/dev/video2', name: '/dev/video2', format: 'v4l2' },
    ]);
  });

  it('reads the avfoundation list (video devices only)', () => {
    const text = [
      '[AVFoundation indev @ 0x7f8] AVFoundation video devices:',
      '[AVFoundation indev @ 0x7f8] [0] FaceTime HD Camera',
      '[AVFoundation indev @ 0x7f8] [1] Capture screen 0',
      '[AVFoundation indev @ 0x7f8] AVFoundation audio devices:',
      '[AVFoundation indev @ 0x7f8] [0] MacBook Pro Microphone',
      ': Input/output error',
    ].join('\n');
    expect(parseAvfoundationList(text).map((d) => d.id)).toEqual([
      'FaceTime HD Camera',
      'Capture screen 0',
    ]);
  });

  it('reads both dshow list styles', () => {
    const modern = [
      '[dshow @ 000001] "Integrated Camera" (video)',
      '[dshow @ 000001]   Alternative name "@device_pnp_\\\\?\\usb#vid_04f2"',
      '[dshow @ 000001] "Microphone (Realtek)" (audio)',
      '[dshow @ 000001] "OBS Virtual Camera" (none, video)',
    ].join('\r\n');
    expect(parseDshowList(modern).map((d) => d.id)).toEqual([
      'Integrated Camera',
      'OBS Virtual Camera',
    ]);
    const older = [
      '[dshow @ 0x1] DirectShow video devices (some may be both video and audio devices)',
      '[dshow @ 0x1]  "USB Cam"',
      '[dshow @ 0x1]     Alternative name "@device_pnp_x"',
      '[dshow @ 0x1] DirectShow audio devices',
      '[dshow @ 0x1]  "Mic"',
    ].join('\n');
    expect(parseDshowList(older).map((d) => d.id)).toEqual(['USB Cam']);
  });

  it('adds /dev/video nodes ffmpeg did not list, and says when there is none', async () => {
    const none = await listDevices({
      ffmpegPath: 'ffmpeg',
      platform: 'linux',
      videoNodes: async () => [],
    });
    expect(none.format).toBe('v4l2');
    expect(none.notes).toContain('No camera was found.');
    const one = await listDevices({
      ffmpegPath: 'ffmpeg',
      platform: 'linux',
      videoNodes: async () => [{ id: '/dev/video7', name: 'Loopback', format: 'v4l2' }],
    });
    expect(one.devices).toEqual([{ id: '/dev/video7', name: 'Loopback', format: 'v4l2' }]);
    const other = await listDevices({ ffmpegPath: 'ffmpeg', platform: 'aix' });
    expect(other.notes[0]).toMatch(/aix/);
  });
});
