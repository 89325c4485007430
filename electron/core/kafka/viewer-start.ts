/**
 * Where a viewer reads from, for a place in the topic: live, the beginning, a time, or one message
 * (a frame a step away from the one on screen). Used when the viewer starts and on every seek.
 *
 * - Offsets for a time come from offsetsForTimes (a seek never scans the topic); an H.264 stream
 *   starts at its last keyframe before the place, found by reading a short way back
 *   (keyframe-start.ts: `SEEK_LOOKBACK_MS` before the time, or the last `LIVE_LOOKBACK_MESSAGES`
 *   before the live edge).
 * - A time after the last message: the partition's end (as live).
 * - One message: that partition from that offset (clamped to what the partition holds), the
 *   other partitions from the message's time.
 */
import type { Admin } from 'kafkajs';
import { withTimeout } from './client.js';
import { KeyframeStart, SEEK_LOOKBACK_MS } from './keyframe-start.js';
import { partitionOffsets, type PartitionOffsets } from './topics.js';

export type StartFrom =
  | { readonly kind: 'live' }
  | { readonly kind: 'beginning' }
  | { readonly kind: 'timestamp'; readonly ms: number }
  /** One message: `ms` is its time (where the look back for a keyframe begins). */
  | {
      readonly kind: 'offset';
      readonly partition: number;
      readonly offset: string;
      readonly ms: number;
    };

export interface StartPlan<T> {
  /** Each partition's first and next offsets now. */
  readonly ends: readonly PartitionOffsets[];
  /** Where each partition is read from. */
  readonly seekTo: ReadonlyArray<{ readonly partition: number; readonly offset: string }>;
  /** Where what is shown begins, per partition (null: from where it is read). */
  readonly showFrom: ReadonlyArray<{ readonly partition: number; readonly offset: number }>;
  /** Holds each H.264 stream's group since its last keyframe until the place (null: beginning). */
  readonly keyframeStart: KeyframeStart<T> | null;
}

type Offsets = ReadonlyArray<{ readonly partition: number; readonly offset: number }>;

type Found = ReadonlyArray<{ readonly partition: number; readonly offset: string }>;

/** The first offset at or after `ms` per partition (-1: none). */
function offsetsFor(admin: Admin, topic: string, ms: number): Promise<Found> {
  return withTimeout(
    admin.fetchTopicOffsetsByTimestamp(topic, Math.max(0, ms)),
    10_000,
    'Finding the offset for that time',
  );
}

/** Past the last message (-1): the partition's end. */
function orEnd(found: Found, ends: readonly PartitionOffsets[]): Offsets {
  return found.map((f) => {
    const end = ends.find((e) => e.partition === f.partition);
    // -1: no message at or after that time
    return {
      partition: f.partition,
      offset: Number(f.offset) < 0 ? (end?.high ?? 0) : Number(f.offset),
    };
  });
}

export async function planStart<T>(
  admin: Admin,
  topic: string,
  from: StartFrom,
): Promise<StartPlan<T>> {
  if (from.kind === 'beginning' || from.kind === 'live') {
    const ends = await partitionOffsets(admin, topic);
    return from.kind === 'beginning' ? fromBeginning(ends) : fromLive<T>(ends);
  }
  // the three questions are independent: asked at once (a seek waits for the slowest only)
  const [ends, atTime, beforeTime] = await Promise.all([
    partitionOffsets(admin, topic),
    offsetsFor(admin, topic, from.ms),
    offsetsFor(admin, topic, from.ms - SEEK_LOOKBACK_MS),
  ]);
  let at = orEnd(atTime, ends);
  if (from.kind === 'offset') {
    const end = ends.find((e) => e.partition === from.partition);
    const wanted = Number(from.offset);
    if (end !== undefined && Number.isSafeInteger(wanted)) {
      const offset = Math.min(Math.max(wanted, end.low), end.high);
      at = at.map((a) => (a.partition === from.partition ? { ...a, offset } : a));
    }
  }
  const before = orEnd(beforeTime, ends);
  const keyframeStart = KeyframeStart.forTime<T>(
    at.map((a) => {
      const b = before.find((x) => x.partition === a.partition)?.offset ?? a.offset;
      return { partition: a.partition, at: a.offset, before: Math.min(b, a.offset) };
    }),
  );
  return { ends, seekTo: keyframeStart.starts, showFrom: at, keyframeStart };
}

function fromBeginning<T>(ends: readonly PartitionOffsets[]): StartPlan<T> {
  return {
    ends,
    seekTo: ends.map((e) => ({ partition: e.partition, offset: String(e.low) })),
    showFrom: ends.map((e) => ({ partition: e.partition, offset: e.low })),
    keyframeStart: null,
  };
}

function fromLive<T>(ends: readonly PartitionOffsets[]): StartPlan<T> {
  const keyframeStart = KeyframeStart.forLive<T>(ends);
  return {
    ends,
    seekTo: keyframeStart.starts,
    showFrom: ends.map((e) => ({ partition: e.partition, offset: e.high })),
    keyframeStart,
  };
}
