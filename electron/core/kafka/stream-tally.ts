/**
 * The streams a topic carries, tallied from messages as they are read (the pure half of
 * stream-list.ts): one entry per stream id, with what its newest frame says (name, partition,
 * format, size, fps, sequence number, time) and whether its end marker came after that frame.
 * Anything that is not a frame or an end marker (garbage, text, a cut-off image) is only counted.
 * Memory: one small entry per stream, capped at MAX_STREAMS (further ids are counted, not kept).
 */
import type { DecodedMessage, MediaType } from './wire-format.js';

/** More distinct ids than this among the newest messages is not a video topic to list in full. */
export const MAX_STREAMS = 500;
/** Ids left out are remembered (to count them once each) up to this many. */
const MAX_DROPPED_IDS = 10_000;

export interface StreamEntry {
  /** `kvs-stream-id`; null: plain images without one. */
  readonly id: string | null;
  name: string | null;
  partition: number;
  type: MediaType;
  codec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  frames: number;
  lastSeq: number | null;
  lastFrameAt: number;
  ended: boolean;
  /** For "newest frame" across partitions: the message time, then the order of arrival. */
  lastArrival: number;
}

export interface TallyResult {
  /** Newest frame first. */
  readonly streams: StreamEntry[];
  readonly scanned: number;
  readonly skipped: number;
  /** Distinct ids beyond MAX_STREAMS that were not kept. */
  readonly droppedStreams: number;
}

const keyOf = (id: string | null): string => (id === null ? '\u0000' : `s:${id}`);

export class StreamTally {
  private readonly streams = new Map<string, StreamEntry>();
  private scanned = 0;
  private skipped = 0;
  private dropped = new Set<string>();
  private arrival = 0;

  constructor(private readonly maxStreams = MAX_STREAMS) {}

  /** One message as read from `partition`, with its message time (ms since epoch). */
  add(partition: number, timestamp: number, decoded: DecodedMessage): void {
    this.scanned++;
    this.arrival++;
    if (decoded.kind === 'skip') {
      this.skipped++;
      return;
    }
    if (decoded.kind === 'eos') {
      // an end marker of a stream whose frames were not among the messages read says nothing
      const s = this.streams.get(keyOf(decoded.streamId));
      if (s !== undefined && decoded.streamId !== null) s.ended = true;
      return;
    }
    const meta = decoded.meta;
    const key = keyOf(meta.streamId);
    let s = this.streams.get(key);
    if (s === undefined) {
      if (this.streams.size >= this.maxStreams) {
        if (this.dropped.size < MAX_DROPPED_IDS) this.dropped.add(key);
        return;
      }
      s = {
        id: meta.streamId,
        name: null,
        partition,
        type: decoded.type,
        codec: null,
        width: null,
        height: null,
        fps: null,
        frames: 0,
        lastSeq: null,
        lastFrameAt: timestamp,
        ended: false,
        lastArrival: 0,
      };
      this.streams.set(key, s);
    }
    s.frames++;
    s.ended = false;
    s.partition = partition;
    s.type = decoded.type;
    s.lastFrameAt = Math.max(s.lastFrameAt, timestamp);
    s.lastArrival = this.arrival;
    if (meta.streamName !== undefined) s.name = meta.streamName;
    if (meta.codec !== undefined) s.codec = meta.codec;
    else if (decoded.type !== 'video/h264') s.codec = null;
    if (meta.width !== undefined) s.width = meta.width;
    if (meta.height !== undefined) s.height = meta.height;
    if (meta.fps !== undefined) s.fps = meta.fps;
    if (meta.seq !== null) s.lastSeq = Math.max(s.lastSeq ?? meta.seq, meta.seq);
  }

  result(): TallyResult {
    const streams = [...this.streams.values()].sort(
      (a, b) => b.lastFrameAt - a.lastFrameAt || b.lastArrival - a.lastArrival,
    );
    return {
      streams,
      scanned: this.scanned,
      skipped: this.skipped,
      droppedStreams: this.dropped.size,
    };
  }
}
