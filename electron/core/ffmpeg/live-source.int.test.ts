/**
 * Live sources with real ffmpeg and real servers on 127.0.0.1 (no Kafka): a camera stand-in
 * (ffmpeg's lavfi through --input-format), MPEG-TS over udp:// from an ffmpeg sender, and MJPEG over HTTP with a login that stalls, then
 * drops, and comes back each time. HLS, RTSP and every bad input run through the built CLI
 * (electron/cli/kvs-live.int.test.ts) and the app services (services/produce-live.int.test.ts).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServers, type LiveServers } from '../../../scripts/test-support/live-servers.js';
import type { LiveInput } from '../../shared/source-input.js';
import type { Frame } from '../frame.js';
import type { LiveStatus } from './live-frame-source.js';
import { locateFfmpeg, type FfmpegPaths } from './locate-ffmpeg.js';
import { openLiveSource } from './live-source.js';

let servers: LiveServers;
let ff: FfmpegPaths;
beforeAll(async () => {
  ff = await locateFfmpeg();
  servers = await startLiveServers({ hls: false, rtsp: false });
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

  it('reads MPEG-TS sent to a udp:// address', async () => {
    const port = await new Promise<number>((resolve) => {
      const sock = createSocket('udp4');
      sock.bind(0, '127.0.0.1', () => {
        const p = sock.address().port;
        sock.close(() => resolve(p));
      });
    });
    const sender = spawn(
      ff.ffmpegPath,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=10',
        '-c:v',
        'mpeg2video',
        '-g',
        '2',
        '-f',
        'mpegts',
        `udp://127.0.0.1:${port}?pkt_size=1316`,
      ],
      { stdio: 'ignore' },
    );
    try {
      const frames = await take({ kind: 'url', url: `udp://127.0.0.1:${port}` }, 5);
      expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      sender.kill('SIGKILL');
    }
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
});
