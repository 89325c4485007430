/**
 * Test support: a real H.264 stream on a topic, as the app's producer will write it — ffmpeg
 * libx264 (zero latency, no B-frames, SPS/PPS before every IDR, access unit delimiters, a fixed
 * GOP) on testsrc2, cut into access units by AccessUnitSplitter, one Kafka message each
 * (encodeFrameMessage with 'video/h264': seq, pts, the codec string from the stream's SPS and
 * the keyframe flag). Also JPEG frames, for topics that mix both.
 */
import { execFile } from 'node:child_process';
import {
  AccessUnitSplitter,
  codecString,
  isKeyframe,
  NAL,
  nalUnits,
} from '../../electron/core/h264/annexb.js';
import { createKafka, type KafkaHandle } from '../../electron/core/kafka/client.js';
import { JpegSplitter } from '../../electron/core/ffmpeg/jpeg-splitter.js';
import { encodeFrameMessage, type OutgoingMessage } from '../../electron/core/kafka/wire-format.js';
import { locateFfmpeg } from '../../electron/core/ffmpeg/locate-ffmpeg.js';
import { x264Options } from '../../electron/core/ffmpeg/h264-plan.js';

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

function runFfmpeg(ffmpeg: string, args: readonly string[]): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    execFile(
      ffmpeg,
      [...args],
      { encoding: 'buffer', maxBuffer: 256 << 20, timeout: 120_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`ffmpeg failed: ${err.message}\n${String(stderr)}`));
        else resolve(stdout);
      },
    );
  });
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
    // the app producer's encoder options; CRF 23 is x264's own default quality
    ...x264Options({ rate: { kind: 'crf', crf: 23 }, keyframeInterval: gop }),
    'pipe:1',
  ];
  const stream = await runFfmpeg(ffmpeg, args);
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
  /** Frame indexes sent damaged ({@link corruptAccessUnit}). */
  readonly corrupt?: readonly number[];
}

/**
 * The access unit with the data of its picture's slices zeroed (the delimiter and NAL headers
 * kept): still an access unit of the stream, one Chromium's decoder fails on ("Decoding error").
 */
export function corruptAccessUnit(unit: Buffer): Buffer {
  const out = Buffer.from(unit);
  for (const n of nalUnits(out))
    if (n.type === NAL.slice || n.type === NAL.idr) out.fill(0, n.start + 1, n.end);
  return out;
}

/** One frame of the clip as a Kafka message (seq = its index, pts = index / fps). */
export function h264Message(
  clip: H264Clip,
  seq: number,
  opts: { streamId?: string; corrupt?: boolean } = {},
): OutgoingMessage {
  const unit = clip.units[seq];
  if (unit === undefined) throw new RangeError(`the clip has no frame ${seq}`);
  return encodeFrameMessage(
    opts.corrupt === true ? corruptAccessUnit(unit) : unit,
    {
      streamId: opts.streamId ?? 'h264-test',
      seq,
      ptsMs: (seq * 1000) / clip.fps,
      fps: clip.fps,
      width: clip.width,
      height: clip.height,
      capturedAt: Date.now(),
      codec: clip.codec,
      keyframe: isKeyframe(unit),
    },
    'video/h264',
  );
}

/** Send messages in order (batches of 50, acks from all replicas). */
export async function sendMessages(
  handle: KafkaHandle,
  topic: string,
  messages: readonly OutgoingMessage[],
): Promise<void> {
  const producer = handle.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 50)
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(i, i + 50).map((m) => ({
          key: m.key,
          value: m.value,
          headers: m.headers,
          ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
        })),
      });
  } finally {
    await producer.disconnect();
  }
}

/** Send the clip's access units [from, to) as frame messages; returns how many keyframes went. */
export async function sendH264(
  handle: KafkaHandle,
  topic: string,
  clip: H264Clip,
  range: SendRange = {},
): Promise<{ sent: number; keyframes: number }> {
  const { from = 0, to = clip.units.length, streamId, corrupt = [] } = range;
  const messages: OutgoingMessage[] = [];
  for (let seq = from; seq < to; seq++)
    messages.push(h264Message(clip, seq, { streamId, corrupt: corrupt.includes(seq) }));
  await sendMessages(handle, topic, messages);
  const keyframes = messages.filter((m) => m.headers['kvs-keyframe'] === '1').length;
  return { sent: messages.length, keyframes };
}

/** `count` testsrc JPEG frames (ffmpeg mjpeg), cut with the app's JpegSplitter. */
export async function makeJpegFrames(
  count: number,
  opts: { width?: number; height?: number; ffmpegPath?: string } = {},
): Promise<Buffer[]> {
  const { width = 320, height = 180 } = opts;
  const ffmpeg = opts.ffmpegPath ?? (await locateFfmpeg()).ffmpegPath;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i'];
  args.push(`testsrc=size=${width}x${height}:rate=10`, '-frames:v', String(count));
  args.push('-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1');
  const jpegs = new JpegSplitter().write(await runFfmpeg(ffmpeg, args));
  if (jpegs.length !== count) throw new Error(`expected ${count} JPEGs, got ${jpegs.length}`);
  return jpegs;
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
