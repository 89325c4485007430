/**
 * The H.264 real-time runs: 720p30 and 1080p30 produced with core produceFile (`codec: 'h264'`,
 * the producer's defaults: libx264 veryfast zerolatency, a keyframe every second, 0.06 bit per
 * pixel — 1659 kbit/s at 720p30, 3732 at 1080p30) in real time while the page draws them live
 * (WebCodecs VideoDecoder → canvas), measured exactly as rt720 JPEG (browser-runs.ts): fps drawn,
 * dropped, capture → drawn latency from the page's bench hook, bandwidth and largest message.
 */
import { runRealtime, type BenchContext, type Realtime } from './browser-runs.js';

export function runH264Realtime(
  ctx: BenchContext,
  video: string,
  kind: 'rt720h264' | 'rt1080h264',
): Promise<Realtime> {
  return runRealtime(ctx, video, { codec: 'h264', kind });
}
