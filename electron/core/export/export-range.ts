/**
 * Which frames of a topic an export takes: one stream, from T1 to T2 (message timestamps, ms
 * since the epoch; T2 excluded, so the range lasts T2 − T1), and for H.264 only from a keyframe.
 * Pure: the viewer hands frames in topic order, `RangeCut.decide` says take, skip or stop.
 *
 * Decision — where an H.264 export from T1 begins. The viewer started at a time hands over the
 * group since the stream's last keyframe before T1, marked `catchUp`. The export TAKES that group:
 * the file then starts decodable at a keyframe and every frame of the asked range is in it, at the
 * cost of at most one keyframe interval (1 s by default) before T1. Starting at the first keyframe
 * at or after T1 instead would lose up to a whole interval of what was asked for, and cutting
 * exactly at T1 would need re-encoding, which an H.264 export never does.
 */
import { KvsError } from '../../shared/errors.js';
import type { MediaType } from '../kafka/wire-format.js';

export interface ExportRange {
  /** First message timestamp taken (ms since the epoch); absent: the beginning of the topic. */
  readonly fromMs?: number;
  /** Message timestamp where the range ends, excluded; absent: the end of the topic. */
  readonly toMs?: number;
}

/** A range that makes sense: each end a time, T2 after T1. */
export function checkRange(range: ExportRange): ExportRange {
  for (const [name, v] of [
    ['from', range.fromMs],
    ['to', range.toMs],
  ] as const)
    if (v !== undefined && (!Number.isFinite(v) || v < 0))
      throw new KvsError('INVALID_ARGUMENT', `The export's --${name} time is not a valid time.`);
  if (range.fromMs !== undefined && range.toMs !== undefined && range.toMs <= range.fromMs)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `The export's --to (${new Date(range.toMs).toISOString()}) must be after its --from (${new Date(range.fromMs).toISOString()}).`,
    );
  return range;
}

/** What `decide` needs of a frame (a ViewerFrame has all of it). */
export interface RangeFrame {
  readonly streamId: string | null;
  readonly type: MediaType;
  readonly keyframe: boolean;
  readonly timestamp: number;
  readonly catchUp: boolean;
}

export type Verdict = 'take' | 'skip' | 'stop';

/** Why frames were not taken, for the summary. */
export interface CutCounts {
  /** Frames of other streams. */
  otherStreams: number;
  /** H.264 frames before the stream's first keyframe (a decoder could not start there). */
  beforeKeyframe: number;
  /** Frames of the chosen stream in another format than its first frame. */
  otherType: number;
}

export class RangeCut {
  private chosen: { readonly id: string | null; readonly type: MediaType } | undefined;
  private started = false;
  readonly counts: CutCounts = { otherStreams: 0, beforeKeyframe: 0, otherType: 0 };

  /** `streamId`: the stream to export; absent: the first stream seen. */
  constructor(
    private readonly range: ExportRange,
    private readonly streamId?: string,
  ) {}

  /** The stream taken (known after its first frame), and its format. */
  get stream(): { readonly id: string | null; readonly type: MediaType } | undefined {
    return this.chosen;
  }

  decide(f: RangeFrame): Verdict {
    if (this.streamId !== undefined && f.streamId !== this.streamId) {
      this.counts.otherStreams++;
      return 'skip';
    }
    this.chosen ??= { id: f.streamId, type: f.type };
    if (f.streamId !== this.chosen.id) {
      this.counts.otherStreams++;
      return 'skip';
    }
    // catch-up frames come from before T1, so only a frame at or after T1 can end the range
    if (!f.catchUp && this.range.toMs !== undefined && f.timestamp >= this.range.toMs)
      return 'stop';
    if (f.type !== this.chosen.type) {
      this.counts.otherType++;
      return 'skip';
    }
    if (!this.started && f.type === 'video/h264' && !f.keyframe) {
      this.counts.beforeKeyframe++;
      return 'skip';
    }
    this.started = true;
    return 'take';
  }
}
