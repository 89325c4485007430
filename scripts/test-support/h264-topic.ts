/**
 * Test support: a real H.264 stream on a topic, as the app's producer will write it — ffmpeg
 * libx264 (zero latency, no B-frames, SPS/PPS before every IDR, access unit delimiters, a fixed
 * GOP) on testsrc2, cut into access units by AccessUnitSplitter, one Kafka message each
 * (encodeFrameMessage with 'video/h264': seq, pts, the codec string from the stream's SPS and
 * the keyframe flag).
 */
import { execFile } from 'node:child_process';
import { AccessUnitSplitter, codecString, isKeyframe } from '../../electron/core/h264/annexb.js';
import { createKafka, type KafkaHandle } from '../../electron/core/kafka/client.js';
import { encodeFrameMessage } from '../../electron/core/kafka/wire-format.js';
import { locateFfmpeg } from '../../electron/core/ffmpeg/locate-ffmpeg.js';

export interface H264ClipOptions {
  readonly seconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Frames from one keyframe to the next. */
  readonly gop?: number;
  /** Default: locateFfmpeg(). */
  readonly ffmpegPath?: string;
}

export interface H264Clip {
  /** One Annex B access unit per frame, in order. */
  readonly units: readonly Buffer[];
  /** The stream's codec string (`avc1.PPCCLL`, from its first SPS). */
  readonly codec: string;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
}

/** Encode a testsrc2 clip with libx264 and cut it into access units. */
export async function makeH264Clip(opts: H264ClipOptions = {}): Promise<H264Clip> {
  const { seconds = 3, width = 640, height = 360, fps = 30, gop = 30 } = opts;
  const ffmpeg = opts.ffmpegPath ?? (await locateFfmpeg()).ffmpegPath;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-bf',
    '0',
    '-x264-params',
    'repeat-headers=1:aud=1',
    '-g',
    String(gop),
    '-sc_threshold',
    '0',
    '-f',
    'h264',
    'pipe:1',
  ];
  const stream = await new Promise<Buffer>((resolve, reject) => {
    execFile(
      ffmpeg,
      args,
      { encoding: 'buffer', maxBuffer: 256 << 20, timeout: 120_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`ffmpeg (libx264) failed: ${err.message}\n${String(stderr)}`));
        else resolve(stdout);
      },
    );
  });
  const splitter = new AccessUnitSplitter();
  // in chunks, as a pipe delivers them
  const units: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 64 * 1024)
    for (const u of splitter.push(stream.subarray(i, i + 64 * 1024))) units.push(Buffer.from(u));
  for (const u of splitter.end()) units.push(Buffer.from(u));
  const codec = units.map((u) => codecString(u)).find((c) => c !== null);
  if (codec === undefined) throw new Error('the x264 stream has no SPS');
  if (units.length !== seconds * fps)
    throw new Error(`expected ${seconds * fps} access units, got ${units.length}`);
  return { units, codec, fps, width, height };
}

/** Create a one-partition topic (nothing happens if it exists). */
export async function createTopic(handle: KafkaHandle, topic: string): Promise<void> {
  const admin = handle.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export interface SendRange {
  /** The clip's frame index of the first unit to send (its seq; pts = index / fps). */
  readonly from?: number;
  /** Index after the last one sent (default: all). */
  readonly to?: number;
  readonly streamId?: string;
}

/** Send the clip's access units [from, to) as frame messages; returns how many keyframes went. */
export async function sendH264(
  handle: KafkaHandle,
  topic: string,
  clip: H264Clip,
  range: SendRange = {},
): Promise<{ sent: number; keyframes: number }> {
  const { from = 0, to = clip.units.length, streamId = 'h264-test' } = range;
  const producer = handle.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let keyframes = 0;
  try {
    const messages = clip.units.slice(from, to).map((unit, i) => {
      const seq = from + i;
      const keyframe = isKeyframe(unit);
      if (keyframe) keyframes++;
      const msg = encodeFrameMessage(
        unit,
        {
          streamId,
          seq,
          ptsMs: (seq * 1000) / clip.fps,
          fps: clip.fps,
          width: clip.width,
          height: clip.height,
          capturedAt: Date.now(),
          codec: clip.codec,
          keyframe,
        },
        'video/h264',
      );
      return { key: msg.key, value: msg.value, headers: msg.headers };
    });
    for (let i = 0; i < messages.length; i += 50)
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 50) });
    return { sent: messages.length, keyframes };
  } finally {
    await producer.disconnect();
  }
}

/** A clip on a new topic in one call. */
export async function putH264Topic(
  bootstrap: string,
  topic: string,
  clip: H264Clip,
  range: SendRange = {},
): Promise<{ sent: number; keyframes: number }> {
  const handle = createKafka({ bootstrap, clientId: 'kvs-test-h264' });
  await createTopic(handle, topic);
  return sendH264(handle, topic, clip, range);
}
