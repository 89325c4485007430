import { describe, expect, it } from 'vitest';
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
} from '../../../../electron/shared/contract.js';
import {
  brokerLinkNotice,
  buildProduceRequest,
  DEFAULT_FORM,
  effectiveCodec,
  progressView,
  TUTORIAL_PRESET,
} from './produce-logic.js';

describe('buildProduceRequest', () => {
  it('needs a video and a legal topic', () => {
    expect(buildProduceRequest(null, { ...DEFAULT_FORM, topic: 't' })).toMatchObject({
      ok: false,
      field: 'video',
    });
    expect(buildProduceRequest('v1', DEFAULT_FORM)).toMatchObject({ ok: false, field: 'topic' });
    expect(buildProduceRequest('v1', { ...DEFAULT_FORM, topic: 'a b' })).toMatchObject({
      ok: false,
      field: 'topic',
    });
  });
  it('builds the request with defaults (H.264, a keyframe a second, empty fields left out)', () => {
    const r = buildProduceRequest('v1', { ...DEFAULT_FORM, topic: ' demo ' });
    expect(r).toEqual({
      ok: true,
      request: {
        videoId: 'v1',
        topic: 'demo',
        realtime: true,
        loop: false,
        format: 'kvs',
        codec: 'h264',
        keyframeIntervalS: 1,
      },
    });
  });
  it('JPEG sends its quality (85 by default) and nothing of H.264', () => {
    const r = buildProduceRequest('v1', { ...DEFAULT_FORM, topic: 't', codec: 'jpeg' });
    expect(r).toEqual({
      ok: true,
      request: {
        videoId: 'v1',
        topic: 't',
        realtime: true,
        loop: false,
        format: 'kvs',
        codec: 'jpeg',
        quality: 85,
      },
    });
  });
  it('the tutorial preset and the raw format always send JPEG', () => {
    expect(effectiveCodec({ ...DEFAULT_FORM, ...TUTORIAL_PRESET })).toBe('jpeg');
    const r = buildProduceRequest('v1', { ...DEFAULT_FORM, topic: 't', format: 'raw' });
    expect(r).toMatchObject({ ok: true, request: { format: 'raw', codec: 'jpeg', quality: 85 } });
    expect(r.ok && 'keyframeIntervalS' in r.request).toBe(false);
  });
  it('H.264: a bitrate or a CRF, and the keyframe interval, each checked', () => {
    const form = { ...DEFAULT_FORM, topic: 't' };
    expect(
      buildProduceRequest('v1', { ...form, bitrate: '2000', keyframeInterval: '2' }),
    ).toMatchObject({
      ok: true,
      request: { codec: 'h264', bitrateKbps: 2000, keyframeIntervalS: 2 },
    });
    const crf = buildProduceRequest('v1', { ...form, rateMode: 'crf', bitrate: '2000', crf: '28' });
    expect(crf).toMatchObject({ ok: true, request: { crf: 28 } });
    expect(crf.ok && 'bitrateKbps' in crf.request).toBe(false);
    expect(buildProduceRequest('v1', { ...form, bitrate: '10' })).toMatchObject({
      field: 'bitrate',
    });
    expect(buildProduceRequest('v1', { ...form, rateMode: 'crf', crf: '60' })).toMatchObject({
      field: 'crf',
    });
    expect(buildProduceRequest('v1', { ...form, keyframeInterval: '0' })).toMatchObject({
      field: 'keyframeInterval',
    });
    // JPEG's quality field is not read for H.264
    expect(buildProduceRequest('v1', { ...form, quality: '0' })).toMatchObject({ ok: true });
  });
  it('sends the stream name trimmed, checks it, and leaves it out when empty or in the raw format', () => {
    const form = { ...DEFAULT_FORM, topic: 'cams' };
    const named = buildProduceRequest('v1', { ...form, streamName: '  Café door 🎥 ' });
    expect(named.ok && named.request.streamName).toBe('Café door 🎥');
    const empty = buildProduceRequest('v1', { ...form, streamName: '   ' });
    expect(empty.ok && 'streamName' in empty.request).toBe(false);
    const raw = buildProduceRequest('v1', { ...form, ...TUTORIAL_PRESET, streamName: 'x' });
    expect(raw.ok && 'streamName' in raw.request).toBe(false);
    expect(buildProduceRequest('v1', { ...form, streamName: 'a\tb' })).toMatchObject({
      ok: false,
      field: 'streamName',
      error: expect.stringMatching(/control characters/),
    });
    expect(buildProduceRequest('v1', { ...form, streamName: 'x'.repeat(101) })).toMatchObject({
      ok: false,
      field: 'streamName',
    });
  });

  it('passes numbers and checks ranges', () => {
    const r = buildProduceRequest('v1', {
      ...DEFAULT_FORM,
      topic: 'distributed-video1',
      format: 'raw',
      maxWidth: '1280',
      maxHeight: '720',
      fps: '5',
      quality: '95',
      codec: 'jpeg',
      realtime: false,
      loop: true,
    });
    expect(r).toMatchObject({
      ok: true,
      request: { maxWidth: 1280, maxHeight: 720, fps: 5, quality: 95, format: 'raw', loop: true },
    });
    const jpeg = { ...DEFAULT_FORM, codec: 'jpeg' } as const;
    expect(buildProduceRequest('v1', { ...jpeg, topic: 't', quality: '0' })).toMatchObject({
      field: 'quality',
    });
    expect(buildProduceRequest('v1', { ...jpeg, topic: 't', quality: '' })).toMatchObject({
      ok: true,
      request: { quality: 85 },
    });
    expect(
      buildProduceRequest('v1', { ...DEFAULT_FORM, topic: 't', maxWidth: '12.5' }),
    ).toMatchObject({
      field: 'maxWidth',
      error: 'Max width must be a whole number from 16 to 8192 (or empty).',
    });
    expect(buildProduceRequest('v1', { ...DEFAULT_FORM, topic: 't', fps: '0.05' })).toMatchObject({
      field: 'fps',
    });
    expect(buildProduceRequest('v1', { ...DEFAULT_FORM, topic: 't', fps: '29.97' })).toMatchObject({
      ok: true,
    });
  });
});

const progress = (acked: number, total: number | null): ProduceProgressEvent => ({
  jobId: 'j',
  frames: acked,
  acked,
  failed: 0,
  bytes: 0,
  elapsedMs: 0,
  fps: 0,
  bytesPerSec: 0,
  shrunk: 0,
  brokerState: 'connected',
  brokerError: null,
  total,
});
const ended = (ok: boolean, cancelled = false, acked = 40): ProduceEndedEvent => ({
  jobId: 'j',
  ok,
  frames: acked,
  acked,
  failed: 0,
  bytes: 0,
  durationMs: 0,
  cancelled,
  error: null,
});

describe('progressView', () => {
  it('is acked / total, capped at 99 while running', () => {
    expect(progressView(null, null)).toMatchObject({ percent: 0, indeterminate: false });
    expect(progressView(progress(45, 90), null)).toMatchObject({
      percent: 50,
      indeterminate: false,
    });
    expect(progressView(progress(95, 90), null).percent).toBe(99);
  });
  it('is 100 only when the run ended well', () => {
    expect(progressView(progress(90, 90), ended(true, false, 90)).percent).toBe(100);
    expect(progressView(progress(40, 90), ended(true, true)).percent).toBe(44);
    expect(progressView(progress(40, 90), ended(false)).percent).toBe(44);
  });
  it('unknown total: a number (0) with an indeterminate look while running', () => {
    expect(progressView(progress(400, null), null)).toMatchObject({
      percent: 0,
      indeterminate: true,
    });
    expect(progressView(progress(400, null), ended(false, true))).toMatchObject({
      percent: 0,
      indeterminate: false,
    });
  });
});

describe('brokerLinkNotice', () => {
  it('says nothing while connected, warns while reconnecting, counts lost frames when down', () => {
    expect(brokerLinkNotice({ brokerState: 'connected', brokerError: null, failed: 0 })).toBeNull();
    const err = { code: 'BROKER_UNREACHABLE' as const, message: 'connection refused' };
    expect(brokerLinkNotice({ brokerState: 'reconnecting', brokerError: err, failed: 0 })).toEqual({
      tone: 'warning',
      text: expect.stringMatching(/reconnecting.*nothing is lost yet \(connection refused\)/),
    });
    expect(brokerLinkNotice({ brokerState: 'down', brokerError: err, failed: 1 })?.text).toMatch(
      /1 frame not delivered so far.*resumes by itself/,
    );
    expect(brokerLinkNotice({ brokerState: 'down', brokerError: null, failed: 212 })).toMatchObject(
      {
        tone: 'error',
        text: expect.stringMatching(/212 frames not delivered/),
      },
    );
  });
});
