/** The kvs command line as a user runs it: a real process, a real broker, real ffmpeg. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${String(stderr)}`));
      else resolve(String(stdout));
    });
  });
}

const bin = path.resolve(import.meta.dirname, '../../bin/kvs.mjs');

function kvs(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const lastJson = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

/** `kvs consume` of a whole stream, written to `out`. */
const consumeAll = (bootstrap: string, topic: string, out: string) =>
  kvs([
    'consume',
    '--bootstrap',
    bootstrap,
    '--topic',
    topic,
    '--from-beginning',
    '--until-eos',
    '--out',
    out,
    '--json',
  ]);

let dir: string;
let video: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-cli-'));
  video = await makeTestVideo({ dir, seconds: 2, width: 320, height: 180, fps: 15 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(kafkaModes())('kvs CLI against Kafka in $mode mode', ({ bootstrap }) => {
  it('produce --json and consume --json round-trip a video frame for frame', async () => {
    const topic = `cli-${randomBytes(3).toString('hex')}`;
    const p = await kvs([
      'produce',
      video,
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--codec',
      'jpeg',
      '--json',
    ]);
    expect(p.stderr).toMatch(/Done: 30 of 30 frames acknowledged/);
    expect(p.code, p.stderr).toBe(0);
    expect(lastJson(p.stdout)).toEqual({
      frames: 30,
      acked: 30,
      failed: 0,
      bytes: expect.any(Number),
      durationMs: expect.any(Number),
      topic,
      streamId: expect.any(String),
      longestOutageMs: 0,
      codec: 'jpeg',
      codecString: null,
      keyframes: 30,
      largestFrameBytes: expect.any(Number),
      rateLowered: null,
    });

    const out = path.join(dir, `out-${topic}`);
    const c = await consumeAll(bootstrap, topic, out);
    expect(c.code, c.stderr).toBe(0);
    const consumed = lastJson(c.stdout);
    expect(consumed).toEqual({
      frames: 30,
      skipped: 0,
      gaps: 0,
      repeats: 0,
      bytes: lastJson(p.stdout).bytes,
      firstSeq: 0,
      lastSeq: 29,
      codecs: { 'image/jpeg': 30 },
      keyframes: 0,
    });
    const files = (await readdir(out)).sort();
    expect(files).toHaveLength(30);
    expect(files[0]).toBe('frame-000001.jpg');
    const first = await readFile(path.join(out, files[0] as string));
    expect([...first.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);

    const t = await kvs(['topics', '--bootstrap', bootstrap, '--json']);
    expect(t.code).toBe(0);
    const listed = (lastJson(t.stdout).topics as Array<{ name: string; messages: number }>).find(
      (x) => x.name === topic,
    );
    expect(listed?.messages).toBe(31);

    const limited = await kvs([
      'consume',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--from-beginning',
      '--max-frames',
      '7',
      '--json',
    ]);
    expect(lastJson(limited.stdout)).toMatchObject({ frames: 7, firstSeq: 0, lastSeq: 6 });
  });
});

describe.each(kafkaModes())('kvs CLI and H.264 against Kafka in $mode mode', ({ bootstrap }) => {
  it('produce (H.264 by default) then consume --out gives one .h264 file that ffprobe reads frame for frame', async () => {
    const topic = `cli-h264-${randomBytes(3).toString('hex')}`;
    const p = await kvs([
      'produce',
      video,
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--keyframe-interval',
      '0.5',
      '--bitrate',
      '400k',
      '--stream-id',
      'cam/1',
      '--json',
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toMatch(/H\.264 320x180 at 15 fps, 400 kbit\/s, a keyframe every 8 frames/);
    const produced = lastJson(p.stdout);
    expect(produced).toMatchObject({
      frames: 30,
      acked: 30,
      failed: 0,
      codec: 'h264',
      codecString: expect.stringMatching(/^avc1\.[0-9A-F]{6}$/),
      keyframes: 4,
      rateLowered: null,
    });

    const out = path.join(dir, `out-${topic}`);
    const c = await consumeAll(bootstrap, topic, out);
    expect(c.code, c.stderr).toBe(0);
    expect(lastJson(c.stdout)).toMatchObject({
      frames: 30,
      skipped: 0,
      gaps: 0,
      bytes: produced.bytes,
      codecs: { [String(produced.codecString)]: 30 },
      keyframes: 4,
    });
    expect(await readdir(out)).toEqual(['cam_1.h264']);
    const file = path.join(out, 'cam_1.h264');
    expect((await stat(file)).size).toBe(produced.bytes);
    const { ffprobePath } = await locateFfmpeg();
    const probe = await run(ffprobePath, [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height,nb_read_frames',
      '-of',
      'json',
      file,
    ]);
    const streams = (JSON.parse(probe) as { streams: Array<Record<string, unknown>> }).streams;
    expect(streams[0]).toMatchObject({
      codec_name: 'h264',
      width: 320,
      height: 180,
      nb_read_frames: '30',
    });
  });

  it('--raw --codec h264 is refused as a usage error', async () => {
    const r = await kvs([
      'produce',
      video,
      '--bootstrap',
      bootstrap,
      '--topic',
      't',
      '--raw',
      '--codec',
      'h264',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kvs: --raw .*cannot carry H\.264/);
  });
});

describe('kvs CLI errors: one line on stderr, non-zero exit', () => {
  it.each([
    [
      ['produce', '/nonexistent/clip.mp4', '--bootstrap', '127.0.0.1:9092', '--topic', 't'],
      1,
      /^kvs: .*clip\.mp4.*(exist|found)/,
    ],
    [['produce', 'x.mp4', '--topic', 't'], 2, /^kvs: --bootstrap is required/],
    [['consume', '--bootstrap', '10.0.0.5:99999', '--topic', 't'], 1, /^kvs: .*out of range/],
    [
      [
        'consume',
        '--bootstrap',
        '127.0.0.1:9092',
        '--topic',
        't',
        '--from-beginning',
        '--from-time',
        '0',
      ],
      2,
      /either --from-beginning or --from-time/,
    ],
    [['topics', '--bootstrap', '127.0.0.1:1'], 1, /^kvs: Cannot reach a broker at 127\.0\.0\.1:1/],
    [['nonsense'], 2, /^kvs: Unknown command "nonsense"/],
  ])('kvs %j', async (args, code, message) => {
    const r = await kvs(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
