/**
 * Test support: make real video files (and deliberately broken ones) with the real ffmpeg.
 * Used by the tests of this folder and by other integration tests; never by the app itself.
 */
import { execFile } from 'node:child_process';
import { open, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { locateFfmpeg } from '../../electron/core/ffmpeg/locate-ffmpeg.js';

export interface MakeTestVideoOptions {
  readonly dir: string;
  /** File name inside `dir` (default `testsrc2-<w>x<h>-<fps>fps-<s>s.mp4`). */
  readonly name?: string;
  readonly seconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Add a 440 Hz AAC sine track. */
  readonly audio?: boolean;
  /** Put the moov atom at the front (`-movflags +faststart`). Default false (ffmpeg's default: moov at the end). */
  readonly faststart?: boolean;
  /** Default: {@link locateFfmpeg}. */
  readonly ffmpegPath?: string;
}

export interface BadFiles {
  /** 0 bytes. */
  readonly empty: string;
  /** A text file named .mp4. */
  readonly text: string;
  /** A real mp4 (moov at the end) cut to ~30 %: the moov atom is missing. */
  readonly truncated: string;
  /** A faststart mp4 (moov at the front) cut to ~60 %: probes fine, decoding stops part-way. */
  readonly truncatedMidStream: string;
  /** AAC sine in an .m4a: no video stream. */
  readonly audioOnly: string;
  /** A good 2 s video at a path with spaces, CJK and an emoji: `my vid 視頻 🎬.mp4`. */
  readonly unicode: string;
}

function run(bin: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      [...args],
      { timeout: 120_000, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${path.basename(bin)} failed: ${err.message}\n${String(stderr)}`));
        else resolve(String(stdout));
      },
    );
  });
}

async function defaultFfmpeg(ffmpegPath: string | undefined): Promise<string> {
  return ffmpegPath ?? (await locateFfmpeg()).ffmpegPath;
}

const encoderCache = new Map<string, Promise<'libx264' | 'mpeg4'>>();

/** libx264 when this ffmpeg has it, else mpeg4 (cached per binary). */
export function pickVideoEncoder(ffmpegPath: string): Promise<'libx264' | 'mpeg4'> {
  let hit = encoderCache.get(ffmpegPath);
  if (!hit) {
    hit = run(ffmpegPath, ['-hide_banner', '-encoders']).then((out) =>
      /^\s*V\S*\s+libx264\s/m.test(out) ? 'libx264' : 'mpeg4',
    );
    encoderCache.set(ffmpegPath, hit);
  }
  return hit;
}

/** Write a `testsrc2` clip (exactly seconds × fps frames) and return its path. */
export async function makeTestVideo(opts: MakeTestVideoOptions): Promise<string> {
  const {
    dir,
    seconds = 5,
    width = 640,
    height = 360,
    fps = 30,
    audio = false,
    faststart = false,
  } = opts;
  const ffmpeg = await defaultFfmpeg(opts.ffmpegPath);
  const file = path.join(dir, opts.name ?? `testsrc2-${width}x${height}-${fps}fps-${seconds}s.mp4`);
  const encoder = await pickVideoEncoder(ffmpeg);
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  args.push(
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
  );
  if (audio)
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
  args.push('-map', '0:v');
  if (audio) args.push('-map', '1:a', '-c:a', 'aac', '-b:a', '96k');
  if (encoder === 'libx264')
    args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(fps));
  else args.push('-c:v', 'mpeg4', '-q:v', '5');
  args.push('-pix_fmt', 'yuv420p');
  if (faststart) args.push('-movflags', '+faststart');
  args.push(`file:${file}`);
  await run(ffmpeg, args);
  return file;
}

/** Write the bad-file zoo into `dir` (see {@link BadFiles}). */
export async function makeBadFiles(
  dir: string,
  opts: { ffmpegPath?: string } = {},
): Promise<BadFiles> {
  const ffmpegPath = await defaultFfmpeg(opts.ffmpegPath);

  const empty = path.join(dir, 'empty.mp4');
  await writeFile(empty, '');

  const text = path.join(dir, 'text.mp4');
  await writeFile(text, 'This is not a video.\nIt is a text file that someone renamed to .mp4.\n');

  const truncated = await makeTestVideo({ dir, name: 'truncated.mp4', seconds: 3, ffmpegPath });
  await truncate(truncated, Math.floor((await stat(truncated)).size * 0.3));
  await assertMoovAtEndWasCut(truncated);

  const truncatedMidStream = await makeTestVideo({
    dir,
    name: 'truncated-mid-stream.mp4',
    seconds: 3,
    faststart: true,
    ffmpegPath,
  });
  await truncate(truncatedMidStream, Math.floor((await stat(truncatedMidStream)).size * 0.6));

  const audioOnly = path.join(dir, 'audio-only.m4a');
  await run(ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
    '-c:a', 'aac', `file:${audioOnly}`,
  ]); // prettier-ignore

  const unicode = await makeTestVideo({ dir, name: 'my vid 視頻 🎬.mp4', seconds: 2, ffmpegPath });

  return { empty, text, truncated, truncatedMidStream, audioOnly, unicode };
}

/** Sanity check for the fixture itself: the cut file must start with ftyp and contain no moov. */
async function assertMoovAtEndWasCut(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, 0);
    if (buf.subarray(4, 8).toString('latin1') !== 'ftyp' || buf.includes('moov', 0, 'latin1')) {
      throw new Error(`fixture ${file} is not an mp4 with its moov atom cut off`);
    }
  } finally {
    await fh.close();
  }
}
