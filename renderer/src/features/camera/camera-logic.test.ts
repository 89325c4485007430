import { describe, expect, it } from 'vitest';
import { CameraStartRequest } from '../../../../electron/shared/contract.js';
import {
  cameraLabel,
  codecFromAnnexB,
  cameraProblem,
  cameraStartRequest,
  checkCameraForm,
  DEFAULT_CAMERA_FORM,
  defaultBitrate,
  evenSize,
  h264CodecString,
  keyframeDue,
  shouldSkipFrame,
} from './camera-logic.js';

describe('the camera form', () => {
  it('turns a good form into settings (trimmed topic, the size, the rate; default camera = null)', () => {
    const r = checkCameraForm({
      ...DEFAULT_CAMERA_FORM,
      topic: '  cam-1 ',
      resolution: '1280x720',
      fps: '25',
    });
    expect(r).toEqual({
      ok: true,
      settings: {
        topic: 'cam-1',
        deviceId: null,
        width: 1280,
        height: 720,
        fps: 25,
        streamName: null,
      },
    });
    const picked = checkCameraForm({ ...DEFAULT_CAMERA_FORM, deviceId: 'abc' });
    expect(picked.ok && picked.settings.deviceId).toBe('abc');
  });

  it('a stream name is trimmed and checked by the shared rule; it goes into camera:start', () => {
    const named = checkCameraForm({ ...DEFAULT_CAMERA_FORM, streamName: '  Front door ' });
    expect(named.ok && named.settings.streamName).toBe('Front door');
    expect(checkCameraForm({ ...DEFAULT_CAMERA_FORM, streamName: 'x'.repeat(101) })).toMatchObject({
      ok: false,
      field: 'streamName',
    });
    expect(
      cameraStartRequest('cam', 'h264', { width: 640, height: 360 }, 30, 'Front door'),
    ).toMatchObject({ topic: 'cam', streamName: 'Front door' });
    expect(cameraStartRequest('cam', 'h264', { width: 640, height: 360 }, 30)).not.toHaveProperty(
      'streamName',
    );
  });

  it('says which field is wrong', () => {
    expect(checkCameraForm({ ...DEFAULT_CAMERA_FORM, topic: '' })).toMatchObject({
      ok: false,
      field: 'topic',
    });
    expect(checkCameraForm({ ...DEFAULT_CAMERA_FORM, topic: 'a b' })).toMatchObject({
      ok: false,
      field: 'topic',
    });
    expect(checkCameraForm({ ...DEFAULT_CAMERA_FORM, resolution: 'big' })).toMatchObject({
      ok: false,
      field: 'resolution',
    });
    for (const fps of ['', '0', '61', '2.5', 'x'])
      expect(checkCameraForm({ ...DEFAULT_CAMERA_FORM, fps }), fps).toMatchObject({
        ok: false,
        field: 'fps',
      });
  });

  it('asks camera:start what the contract takes', () => {
    const req = cameraStartRequest('cam', 'h264', { width: 639.6, height: 360 }, 30);
    expect(req).toEqual({
      topic: 'cam',
      codec: 'h264',
      width: 640,
      height: 360,
      fps: 30,
      format: 'kvs',
    });
    expect(CameraStartRequest.safeParse(req).success).toBe(true);
    expect(
      CameraStartRequest.safeParse(
        cameraStartRequest('cam', 'jpeg', { width: 1, height: 99_999 }, 500),
      ).success,
    ).toBe(true);
  });
});

describe('H.264 settings', () => {
  it('Constrained Baseline at the lowest level that holds the size and rate', () => {
    expect(h264CodecString(320, 240, 30)).toBe('avc1.42E01E'); // 3.0
    expect(h264CodecString(640, 480, 30)).toBe('avc1.42E01E');
    expect(h264CodecString(1280, 720, 30)).toBe('avc1.42E01F'); // 3.1
    expect(h264CodecString(1280, 720, 60)).toBe('avc1.42E020'); // 3.2
    expect(h264CodecString(1920, 1080, 30)).toBe('avc1.42E028'); // 4.0
    expect(h264CodecString(1920, 1080, 60)).toBe('avc1.42E02A'); // 4.2
    expect(h264CodecString(4096, 2160, 30)).toBe('avc1.42E034'); // 5.2
    expect(h264CodecString(1280, 720, 30)).toMatch(/^avc1\.[0-9A-F]{6}$/);
  });

  it('the CLI’s default bitrate (0.06 bits per pixel), within bounds; even sizes', () => {
    expect(defaultBitrate(1280, 720, 30)).toBe(1_658_880);
    expect(defaultBitrate(16, 16, 1)).toBe(200_000);
    expect(evenSize(641, 361)).toEqual({ width: 640, height: 360 });
    expect(evenSize(640, 360)).toEqual({ width: 640, height: 360 });
  });

  it('a keyframe first, then every second, and at once when one is owed', () => {
    expect(keyframeDue(0, null, false)).toBe(true);
    expect(keyframeDue(500, 0, false)).toBe(false);
    expect(keyframeDue(999, 0, false)).toBe(false);
    expect(keyframeDue(1000, 0, false)).toBe(true);
    expect(keyframeDue(100, 0, true)).toBe(true);
  });

  it('skips frames when the encoder is behind or the camera is faster than asked', () => {
    expect(shouldSkipFrame(0, null, 30, 0)).toBe(false);
    expect(shouldSkipFrame(33, 0, 30, 0)).toBe(false);
    expect(shouldSkipFrame(10, 0, 30, 0)).toBe(true);
    expect(shouldSkipFrame(100, 0, 10, 0)).toBe(false);
    expect(shouldSkipFrame(60, 0, 10, 0)).toBe(true);
    expect(shouldSkipFrame(1000, 0, 30, 3)).toBe(true);
  });
});

describe('what a person is told', () => {
  const dom = (name: string) => Object.assign(new Error('x'), { name });
  it('permission denied, no camera, camera busy: each its own kind and sentence', () => {
    expect(cameraProblem(dom('NotAllowedError')).kind).toBe('permission-denied');
    expect(cameraProblem(dom('NotAllowedError')).message).toMatch(/denied/);
    expect(cameraProblem(dom('NotFoundError'))).toMatchObject({
      kind: 'no-camera',
      message: expect.stringMatching(/No camera/),
    });
    expect(cameraProblem(dom('OverconstrainedError')).kind).toBe('no-camera');
    expect(cameraProblem(dom('NotReadableError'))).toMatchObject({
      kind: 'camera-busy',
      message: expect.stringMatching(/another app/),
    });
    expect(cameraProblem({ name: 'AbortError' }).kind).toBe('camera-busy');
    expect(cameraProblem(new TypeError('boom'))).toMatchObject({
      kind: 'other',
      message: expect.stringMatching(/boom/),
    });
    expect(cameraProblem('weird').kind).toBe('other');
  });

  it('names unlabelled cameras by their place', () => {
    expect(cameraLabel({ label: '' }, 0)).toBe('Camera 1');
    expect(cameraLabel({ label: 'fake_device_0' }, 0)).toBe('fake_device_0');
  });
});

describe('codecFromAnnexB', () => {
  it('reads profile, constraint flags and level from the SPS (3- or 4-byte start codes)', () => {
    const au = new Uint8Array([
      0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0xda, 0, 0, 1, 0x68, 0xce,
    ]);
    expect(codecFromAnnexB(au)).toBe('avc1.42C01E');
    expect(codecFromAnnexB(new Uint8Array([0, 0, 1, 0x27, 0x64, 0x00, 0x1f, 0xac]))).toBe(
      'avc1.64001F',
    );
  });
  it('null without an SPS (a delta frame), or for bytes that are not Annex B', () => {
    expect(codecFromAnnexB(new Uint8Array([0, 0, 0, 1, 0x41, 0x9a, 0x00, 0x11, 0x22]))).toBeNull();
    expect(codecFromAnnexB(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]))).toBeNull();
    expect(codecFromAnnexB(new Uint8Array())).toBeNull();
  });
});
