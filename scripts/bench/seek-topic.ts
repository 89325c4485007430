/**
 * The seek run's topic: a long 720p30 H.264 stream written fast but stamped as if produced in
 * real time (message timestamps and capture times 1/30 s apart, ending a few seconds ago), so
 * that its messages span the whole video (10 minutes in a full run).
 *
 * The access units come from ffmpeg with the producer's own H.264 settings (h264-plan.ts: libx264
 * veryfast, zerolatency, no B-frames, an IDR every second with SPS/PPS, access unit delimiters,
 * the default bitrate for the size) on testsrc2, cached as a raw Annex B file beside the test
 * videos; each is one message as core produceFile writes it (wire-format.ts), batches ≤ 1 MiB.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { locateFfmpeg } from '../../electron/core/ffmpeg/locate-ffmpeg.js';
import { defaultBitrateKbps, x264Options } from '../../electron/core/ffmpeg/h264-plan.js';
import { AccessUnitSplitter, accessUnitFacts } from '../../electron/core/h264/annexb.js';
import type { KafkaHandle } from '../../electron/core/kafka/client.js';
import { createTopic } from '../../electron/core/kafka/topics.js';
import { encodeFrameMessage, type OutgoingMessage } from '../../electron/core/kafka/wire-format.js';
import { messageTime } from './seek-points.js';
import { cachedFile } from './videos.js';

export interface StampedTopic {
  readonly topic: string;
  /** Message time of frame 0 (ms since epoch). */
  readonly baseMs: number;
  readonly frames: number;
  readonly fps: number;
  /** Frames from one keyframe to the next. */
  readonly gop: number;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly keyframes: number;
  /** Wall time to write it (not measured as anything). */
  readonly writeMs: number;
}

/** The raw H.264 stream (Annex B), made once and cached. */
export function h264Stream(
  width: number,
  height: number,
  seconds: number,
  fps = 30,
): Promise<string> {
  const name = `testsrc2-${width}x${height}-${fps}fps-${seconds}s.h264`;
  return cachedFile(name, async (tmp) => {
    const { ffmpegPath } = await locateFfmpeg();
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i'];
    args.push(`testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`);
    // the producer's own encoder options, a keyframe every second (its default)
    const rate = { kind: 'bitrate', kbps: defaultBitrateKbps(width, height, fps) } as const;
    args.push('-an', ...x264Options({ rate, keyframeInterval: fps }), `file:${tmp}`);
    await new Promise<void>((resolve, reject) =>
      execFile(
        ffmpegPath,
        args,
        { timeout: 30 * 60_000, killSignal: 'SIGKILL' },
        (err, _o, stderr) =>
          err ? reject(new Error(`ffmpeg: ${err.message}\n${String(stderr)}`)) : resolve(),
      ),
    );
  });
}

/** Write the stream to a new topic, one message per access unit, stamped as in real time. */
export async function writeStampedTopic(
  handle: KafkaHandle,
  streamFile: string,
  opts: { topic: string; width: number; height: number; fps: number; frames: number },
): Promise<StampedTopic> {
  const { topic, width, height, fps, frames } = opts;
  const t0 = performance.now();
  // the stream ends 5 s ago: every message time is in the past, as after a real-time run
  const baseMs = Date.now() - messageTime(0, frames, fps) - 5000;
  await createTopic(handle, topic);
  const producer = handle.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let seq = 0;
  let bytes = 0;
  let keyframes = 0;
  let firstKey = -1;
  let secondKey = -1;
  let codec: string | undefined;
  let batch: OutgoingMessage[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch.map((m) => ({ ...m }));
    batch = [];
    batchBytes = 0;
    await producer.send({ topic, acks: -1, messages });
  };
  try {
    const splitter = new AccessUnitSplitter();
    const add = async (unit: Uint8Array): Promise<void> => {
      const facts = accessUnitFacts(unit);
      if (!facts.picture) return;
      codec = facts.codec ?? codec;
      if (facts.keyframe) {
        keyframes++;
        if (firstKey < 0) firstKey = seq;
        else if (secondKey < 0) secondKey = seq;
      }
      const at = messageTime(baseMs, seq, fps);
      const value = Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength);
      const msg = encodeFrameMessage(
        value,
        {
          streamId: 'bench-seek',
          seq,
          ptsMs: (seq * 1000) / fps,
          fps,
          width,
          height,
          capturedAt: at,
          ...(codec !== undefined ? { codec } : {}),
          keyframe: facts.keyframe,
        },
        'video/h264',
      );
      if (batchBytes + value.length > 1024 * 1024) await flush();
      batch.push({ ...msg, timestamp: String(at) });
      batchBytes += value.length;
      bytes += value.length;
      seq++;
    };
    for await (const chunk of createReadStream(streamFile, { highWaterMark: 1 << 20 }))
      for (const unit of splitter.push(chunk as Buffer)) await add(unit);
    for (const unit of splitter.end()) await add(unit);
    await flush();
  } finally {
    await producer.disconnect();
  }
  if (seq !== frames) throw new Error(`${streamFile}: expected ${frames} access units, got ${seq}`);
  return {
    topic,
    baseMs,
    frames: seq,
    fps,
    gop: secondKey > firstKey && firstKey >= 0 ? secondKey - firstKey : fps,
    width,
    height,
    bytes,
    keyframes,
    writeMs: Math.round(performance.now() - t0),
  };
}
