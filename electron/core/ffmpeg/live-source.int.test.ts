/**
 * Live sources with real ffmpeg and real servers on 127.0.0.1 (no Kafka): a camera stand-in
 * (ffmpeg's lavfi through --input-format), a live HLS playlist, MJPEG over HTTP that stalls and
 * drops and comes back, RTSP with a login, and each bad input with its own error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServers, type LiveServers } from '../../../scripts/test-support/live-servers.js';
import type { KvsError } from '../../shared/errors.js';
import type { LiveInput } from '../../shared/source-input.js';
import type { Frame } from '../frame.js';
import type { LiveStatus } from './live-frame-source.js';
import { locateFfmpeg, type FfmpegPaths } from './locate-ffmpeg.js';
import { openLiveSource } from './live-source.js';

let servers: LiveServers;
let ff: FfmpegPaths;
beforeAll(async () => {
  ff = await locateFfmpeg();
  servers = await startLiveServers();
});
afterAll(() => servers?.close());

const deps = () => ({ ffmpegPath: ff.ffmpegPath, ffprobePath: ff.ffprobePath });

async function take(
  input: LiveInput,
  n: number,
  extra: { codec?: 'jpeg' | 'h264' } = {},
): Promise<Frame[]> {
  const source = await openLiveSource(input, { maxFrames: n, timeoutMs: 5_000, ...extra }, deps());
  const frames: Frame[] = [];
  for await (const f of source) frames.push(f);
  return frames;
}

async function failure(input: LiveInput): Promise<KvsError> {
  const e = await openLiveSource(input, { timeoutMs: 2_000 }, deps()).then(
    () => null,
    (err: unknown) => err as KvsError,
  );
  if (e === null) throw new Error('the source opened');
  return e;
}

describe('live sources', () => {
  it('reads a camera stand-in (a device through --input-format), numbered in order', async () => {
    const frames = await take(
      { kind: 'device', device: 'testsrc2=size=160x120:rate=15', inputFormat: 'lavfi' },
      6,
    );
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(frames.every((f) => f.width === 160 && f.height === 120 && f.data[0] === 0xff)).toBe(
      true,
    );
  });

  it('reads a live HLS playlist as H.264', async () => {
    const frames = await take({ kind: 'url', url: servers.hlsUrl }, 5, { codec: 'h264' }).catch(
      (e: KvsError) => {
        throw new Error(`${e.message}\n${e.detail ?? ''}`);
      },
    );
    expect(frames).toHaveLength(5);
    expect(frames[0]?.keyframe).toBe(true);
  });

  it('reads RTSP with the login in the URL', async () => {
    if (!servers.rtsp) return; // reported by the RTSP error test below
    const frames = await take({ kind: 'url', url: servers.rtsp.url(servers.login) }, 4);
    expect(frames).toHaveLength(4);
  });

  it('MJPEG over HTTP that stalls, then drops, comes back each time, and frames stay in order', async () => {
    const statuses: LiveStatus[] = [];
    let phase: 'first' | 'stall' | 'second' | 'down' | 'third' = 'first';
    const source = await openLiveSource(
      { kind: 'url', url: servers.privateUrl(servers.login) },
      {
        timeoutMs: 3_000,
        stallMs: 1_500,
        backoffMs: [200, 400],
        onStatus: (s) => {
          statuses.push(s);
          // the server comes back once the source said it stalled / dropped
          if (phase === 'stall' && s.state === 'stalled') servers.mjpeg.set('up');
          if (phase === 'down' && s.state === 'reconnecting')
            setTimeout(() => servers.mjpeg.set('up'), 500);
        },
      },
      deps(),
    );
    const indexes: number[] = [];
    const readingAgain = (): number => statuses.filter((s) => s.state === 'reading').length;
    for await (const f of source) {
      indexes.push(f.index);
      if (phase === 'first' && indexes.length === 5) {
        phase = 'stall';
        servers.mjpeg.set('stall');
      } else if (phase === 'stall' && readingAgain() === 1) {
        phase = 'second';
      } else if (phase === 'second' && indexes.length >= 15) {
        phase = 'down';
        servers.mjpeg.set('down');
      } else if (phase === 'down' && readingAgain() === 2) {
        phase = 'third';
      } else if (phase === 'third' && indexes.length >= 25) break;
    }
    servers.mjpeg.set('up');
    const states = statuses.map((s) => s.state);
    expect(states).toContain('stalled');
    expect(states).toContain('reconnecting');
    expect(readingAgain()).toBe(2);
    expect(statuses.at(-1)?.reconnects).toBeGreaterThanOrEqual(2);
    expect(indexes).toEqual(indexes.map((_, i) => i));
    const messages = statuses
      .map((s) => `${s.error?.message ?? ''} ${s.error?.detail ?? ''}`)
      .join('\n');
    expect(messages).toContain('***@127.0.0.1');
    expect(messages).not.toContain(servers.login.password);
    expect(messages).not.toContain(servers.login.user);
  });

  it('says what is wrong with each bad input, with no password in it', async () => {
    const cases: [LiveInput, string][] = [
      [{ kind: 'device', device: '/dev/video99' }, 'DEVICE_NOT_FOUND'],
      [{ kind: 'url', url: servers.silentUrl }, 'SOURCE_TIMEOUT'],
      [{ kind: 'url', url: servers.refusedUrl }, 'SOURCE_UNREACHABLE'],
      [{ kind: 'url', url: servers.privateUrl() }, 'SOURCE_UNAUTHORIZED'],
      [
        { kind: 'url', url: servers.privateUrl({ user: 'x', password: 'wrong-pass' }) },
        'SOURCE_UNAUTHORIZED',
      ],
      [{ kind: 'url', url: servers.notFoundUrl }, 'SOURCE_NOT_FOUND'],
      [{ kind: 'url', url: servers.pageUrl }, 'SOURCE_NOT_VIDEO'],
    ];
    if (servers.rtsp)
      cases.push([
        { kind: 'url', url: servers.rtsp.url({ user: 'x', password: 'wrong-pass' }) },
        'SOURCE_UNAUTHORIZED',
      ]);
    else
      throw new Error('no RTSP server could be started (python3-gi, gir1.2-gst-rtsp-server-1.0)');
    const got = await Promise.all(cases.map(([input]) => failure(input)));
    expect(got.map((e) => e.code)).toEqual(cases.map(([, code]) => code));
    for (const e of got) {
      expect(`${e.message}\n${e.detail ?? ''}`).not.toContain('wrong-pass');
    }
  });
});
