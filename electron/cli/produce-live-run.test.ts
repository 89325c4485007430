import { describe, expect, it } from 'vitest';
import { KvsError } from '../shared/errors.js';
import { sourceFromArgs, sourceNote } from './produce-live-run.js';

describe('kvs produce: the source on the command line', () => {
  it('tells a file, a URL and a device apart', () => {
    expect(sourceFromArgs('video.mp4', {})).toEqual({ kind: 'file', path: 'video.mp4' });
    expect(sourceFromArgs('rtsp://u:p@10.0.0.9/s', {})).toEqual({
      kind: 'url',
      url: 'rtsp://u:p@10.0.0.9/s',
    });
    expect(sourceFromArgs(undefined, { device: '0', 'input-format': 'v4l2' })).toEqual({
      kind: 'device',
      device: '0',
      inputFormat: 'v4l2',
    });
  });

  it('refuses a mix, another scheme, live options for a file — without echoing a password', () => {
    expect(() => sourceFromArgs('a.mp4', { device: '0' })).toThrow(
      /either a file or URL, or --device/,
    );
    expect(() => sourceFromArgs('ftp://bob:secret9@h/x', {})).toThrow(
      /"ftp:\/\/" is not a stream address/,
    );
    try {
      sourceFromArgs('ftp://bob:secret9@h/x', {});
    } catch (e) {
      expect((e as KvsError).message).not.toContain('secret9');
    }
    expect(() => sourceFromArgs('a.mp4', { frames: '10' })).toThrow(
      /--frames is for a URL or --device/,
    );
    expect(() => sourceFromArgs('a.mp4', { 'input-format': 'v4l2' })).toThrow(/goes with --device/);
    expect(() => sourceFromArgs(undefined, {})).toThrow(/Name the video file or stream/);
    expect(() => sourceFromArgs(undefined, { device: '-f' })).toThrow(/cannot start with "-"/);
  });

  it('says what the source does, with the URL redacted', () => {
    const error = new KvsError(
      'SOURCE_TIMEOUT',
      'rtsp://bob:pw@h/x sent no frame for 5 s (stalled); connecting again.',
    );
    expect(sourceNote({ state: 'stalled', reconnects: 0, lastFrameAt: null, error })).toBe(
      'warning: rtsp://***@h/x sent no frame for 5 s (stalled); connecting again.',
    );
    expect(sourceNote({ state: 'reconnecting', reconnects: 2, lastFrameAt: 1, error })).toMatch(
      /\(reconnect 2\)$/,
    );
    expect(sourceNote({ state: 'reading', reconnects: 1, lastFrameAt: 1, error: null })).toBe(
      'The source is sending again (after 1 reconnect).',
    );
  });
});
