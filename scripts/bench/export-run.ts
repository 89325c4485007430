/**
 * Export speed: core exportStream of a range of an H.264 topic (the seek run's stamped 720p30
 * topic: 60 s in a full run) to an MP4 in a temporary folder, timed wall clock → × real time
 * (media seconds written per second); then ffprobe counts the file's frames (decoding them).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportStream } from '../../electron/core/export/export-stream.js';
import { locateFfmpeg } from '../../electron/core/ffmpeg/locate-ffmpeg.js';
import type { KafkaHandle } from '../../electron/core/kafka/client.js';
import { messageTime } from './seek-points.js';
import type { StampedTopic } from './seek-topic.js';
import { timesRealTime } from './stats.js';

export interface ExportRun {
  readonly seconds: number;
  /** Frames the export wrote (its result). */
  readonly frames: number;
  /** Frames ffprobe decoded from the file (null when ffprobe failed). */
  readonly probedFrames: number | null;
  readonly expectedFrames: number;
  readonly wallMs: number;
  readonly timesRealTime: number | null;
  readonly fileBytes: number;
  readonly remuxed: boolean;
}

function countFrames(ffprobe: string, file: string): Promise<number | null> {
  const args = ['-v', 'error', '-count_frames', '-select_streams', 'v:0'];
  args.push('-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', `file:${file}`);
  return new Promise((resolve) =>
    execFile(ffprobe, args, { timeout: 120_000 }, (err, stdout) => {
      const n = Number(String(stdout).trim());
      resolve(err || !Number.isInteger(n) ? null : n);
    }),
  );
}

export async function runExport(
  handle: KafkaHandle,
  t: StampedTopic,
  seconds: number,
  signal: AbortSignal,
): Promise<ExportRun> {
  const { ffmpegPath, ffprobePath } = await locateFfmpeg();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-bench-export-'));
  const frames = Math.min(t.frames, seconds * t.fps);
  try {
    const out = path.join(dir, 'bench.mp4');
    const t0 = performance.now();
    const r = await exportStream(handle, {
      topic: t.topic,
      // from frame 0 (a keyframe): exactly `frames` frames, no catch-up group before it
      range: { fromMs: t.baseMs, toMs: messageTime(t.baseMs, frames, t.fps) },
      out,
      ffmpegPath,
      signal,
    });
    const wallMs = performance.now() - t0;
    return {
      seconds: frames / t.fps,
      frames: r.frames,
      probedFrames: await countFrames(ffprobePath, r.file),
      expectedFrames: frames,
      wallMs: Math.round(wallMs),
      timesRealTime: timesRealTime(r.durationMs, wallMs),
      fileBytes: r.bytes,
      remuxed: r.remuxed,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
