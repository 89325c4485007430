import { describe, expect, it } from 'vitest';
import { buildLiveRequest, DEFAULT_SOURCE, liveNotice, sourceLabel } from './live-source-logic.js';
import { DEFAULT_FORM } from './produce-logic.js';

const form = { ...DEFAULT_FORM, topic: 'cams', loop: true };

describe('live sources in the produce panel', () => {
  it('builds a URL request (no video, no loop)', () => {
    const r = buildLiveRequest(
      { ...DEFAULT_SOURCE, kind: 'url', url: ' rtsp://u:p@10.0.0.9/s ' },
      form,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.source).toEqual({ kind: 'url', url: 'rtsp://u:p@10.0.0.9/s' });
    expect(r.request.videoId).toBeUndefined();
    expect(r.request.loop).toBe(false);
  });

  it('builds a device request with an optional input format', () => {
    const r = buildLiveRequest(
      { ...DEFAULT_SOURCE, kind: 'device', device: '/dev/video0', inputFormat: 'v4l2' },
      form,
    );
    expect(r.ok && r.request.source).toEqual({
      kind: 'device',
      device: '/dev/video0',
      inputFormat: 'v4l2',
    });
  });

  it('says what is wrong with the URL or device, on the source field', () => {
    expect(
      buildLiveRequest({ ...DEFAULT_SOURCE, kind: 'url', url: 'ftp://x/y' }, form),
    ).toMatchObject({
      ok: false,
      field: 'source',
    });
    expect(buildLiveRequest({ ...DEFAULT_SOURCE, kind: 'device', device: '' }, form)).toMatchObject(
      {
        ok: false,
        field: 'source',
        error: expect.stringMatching(/Name the camera/),
      },
    );
    expect(
      buildLiveRequest(
        { ...DEFAULT_SOURCE, kind: 'url', url: 'rtsp://h/x' },
        { ...form, topic: '' },
      ),
    ).toMatchObject({ ok: false, field: 'topic' });
  });

  it('never shows a password', () => {
    expect(sourceLabel({ ...DEFAULT_SOURCE, kind: 'url', url: 'rtsp://bob:hunter2@h/x' })).toBe(
      'rtsp://***@h/x',
    );
    const n = liveNotice(
      {
        live: {
          state: 'reconnecting',
          reconnects: 2,
          lastFrameAt: 1_000,
          error: {
            code: 'SOURCE_UNREACHABLE',
            message: 'rtsp://bob:hunter2@h/x cannot be reached',
          },
        },
      },
      6_000,
    );
    expect(n?.text).toBe(
      'Live source reconnecting (attempt 2) — last frame 5 s ago: rtsp://***@h/x cannot be reached',
    );
  });

  it('tells stalled from reading, and says nothing for a file', () => {
    expect(
      liveNotice({ live: { state: 'stalled', reconnects: 0, lastFrameAt: null, error: null } })
        ?.tone,
    ).toBe('warning');
    expect(
      liveNotice({ live: { state: 'reading', reconnects: 1, lastFrameAt: 1, error: null } })?.text,
    ).toBe('Live source: reading (reconnected 1×).');
    expect(liveNotice({})).toBeNull();
  });
});
