/** `kvs export` as a user runs it: the built bundle, a real broker, real ffmpeg. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, makeH264Clip, putH264Topic } from '../../scripts/test-support/h264-topic.js';
import { kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { createKafka } from '../core/kafka/client.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';

const bin = path.resolve(import.meta.dirname, '../../bin/kvs.mjs');

function run(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
const kvs = (args: string[]) => run(process.execPath, [bin, ...args]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-export-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const [target] = kafkaModes();

describe.skipIf(target === undefined)('kvs export (built bundle)', () => {
  const bootstrap = target?.bootstrap ?? '';

  it('--json: a whole H.264 topic to MP4, remuxed; again without --force is refused', async () => {
    const topic = `export-cli-${randomBytes(3).toString('hex')}`;
    const clip = await makeH264Clip({ seconds: 2, fps: 25, gop: 25, width: 320, height: 180 });
    await putH264Topic(bootstrap, topic, clip, { streamId: 'cam-7' });
    const out = path.join(dir, 'clip.mp4');
    const args = ['export', '--bootstrap', bootstrap, '--topic', topic, out, '--json'];
    const r = await kvs(args);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as unknown;
    expect(summary).toEqual({
      frames: 50,
      durationMs: 2000,
      bytes: expect.any(Number),
      codec: 'h264',
      remuxed: true,
      file: out,
      streamId: 'cam-7',
      source: 'video/h264',
    });
    expect(r.stderr).toMatch(/Exported 50 frames .*stream "cam-7".*H\.264 copied, not re-encoded/);
    const { ffprobePath } = await locateFfmpeg();
    const p = await run(ffprobePath, [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', out],
    ]);
    expect(p.stdout.trim()).toBe('h264,50');

    const again = await kvs(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^kvs: .*clip\.mp4 already exists.*--force/);
    expect(await readdir(dir)).toEqual(['clip.mp4']);
  });

  it('a topic with no frames: exit 1, a message, no file', async () => {
    const topic = `export-cli-empty-${randomBytes(3).toString('hex')}`;
    await createTopic(createKafka({ bootstrap }), topic);
    const out = path.join(dir, 'empty.mp4');
    const r = await kvs(['export', '--bootstrap', bootstrap, '--topic', topic, out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kvs: Nothing to export: topic "export-cli-empty-\w+" has no frames/);
    expect((await readdir(dir)).filter((f) => f.startsWith('empty'))).toEqual([]);
  });
});
