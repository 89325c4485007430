/**
 * Starting an H.264 stream at a keyframe. A decoder can start only at a keyframe, so a viewer that
 * starts somewhere in a stream reads a short way back and hands over, at the place it was asked to
 * start, the group since each stream's last keyframe before it — marked catch-up: the page decodes
 * them and shows the first frame at once, instead of a black canvas for up to a GOP.
 *
 * - Live (`forLive`): read up to `LIVE_LOOKBACK_MESSAGES` back per partition, up to where the
 *   partition ended when the viewer started (its live edge). Images before the edge are not
 *   shown, as live always did.
 * - From a time (`forTime`): read from `SEEK_LOOKBACK_MS` before the time, up to the first message
 *   at or after it (found with offsetsForTimes, so a seek never scans the topic). Images before it
 *   are not shown: they were never part of a replay from that time.
 *
 * Before its partition's edge a message is history, not shown: it is held per stream from its
 * last keyframe (a newer keyframe starts the group again, an end-of-stream marker drops it), and
 * the groups are handed over when the partition reaches its edge. At most `maxHeldBytes` is held
 * per stream (a larger group is dropped: the page waits for the next keyframe).
 */
import type { DecodedMessage } from './wire-format.js';

/** How far back a live viewer reads for the last keyframe: 10 s at 30 fps. */
export const LIVE_LOOKBACK_MESSAGES = 300;
/** How far before a time a viewer starting there reads for the keyframe (the longest GOP it finds). */
export const SEEK_LOOKBACK_MS = 10_000;
export const MAX_HELD_BYTES = 32 * 1024 * 1024;

interface Group<T> {
  readonly items: Array<{ readonly n: number; readonly item: T }>;
  bytes: number;
}

/** Where a partition is read from, and where what is shown begins (its edge). */
export interface StartRange {
  readonly partition: number;
  readonly start: number;
  readonly edge: number;
}

export class KeyframeStart<T> {
  /** partition → the offset where live begins (the end of the partition when the viewer started). */
  private readonly edges = new Map<number, number>();
  /** `${partition}/${stream}` → the group since the stream's last keyframe. */
  private readonly groups = new Map<string, Group<T>>();
  private arrival = 0;

  /** Live: `ends` are each partition's first and next offsets when the viewer started. */
  static forLive<T>(
    ends: ReadonlyArray<{
      readonly partition: number;
      readonly low: number;
      readonly high: number;
    }>,
    lookback = LIVE_LOOKBACK_MESSAGES,
    maxHeldBytes = MAX_HELD_BYTES,
  ): KeyframeStart<T> {
    return new KeyframeStart<T>(
      ends.map((e) => ({
        partition: e.partition,
        start: Math.max(e.low, e.high - lookback),
        edge: e.high,
      })),
      maxHeldBytes,
    );
  }

  /**
   * From a time: per partition, `at` is the first offset at or after the time and `before` the
   * first at or after `SEEK_LOOKBACK_MS` earlier (both from offsetsForTimes).
   */
  static forTime<T>(
    offsets: ReadonlyArray<{
      readonly partition: number;
      readonly before: number;
      readonly at: number;
    }>,
    maxHeldBytes = MAX_HELD_BYTES,
  ): KeyframeStart<T> {
    return new KeyframeStart<T>(
      offsets.map((o) => ({ partition: o.partition, start: Math.min(o.before, o.at), edge: o.at })),
      maxHeldBytes,
    );
  }

  constructor(
    ranges: readonly StartRange[],
    private readonly maxHeldBytes = MAX_HELD_BYTES,
  ) {
    for (const r of ranges) if (r.edge > r.start) this.edges.set(r.partition, r.edge);
    this.starts = ranges.map((r) => ({ partition: r.partition, offset: String(r.start) }));
  }

  /** Where each partition is read from. */
  readonly starts: ReadonlyArray<{ readonly partition: number; readonly offset: string }>;

  /** Is this message before its partition's edge (history, not shown)? */
  isHistory(partition: number, offset: number): boolean {
    const edge = this.edges.get(partition);
    return edge !== undefined && offset < edge;
  }

  /** A history message: keep it if it belongs to a stream's group since its last keyframe. */
  hold(partition: number, decoded: DecodedMessage, item: T): void {
    if (decoded.kind === 'skip') return;
    const stream = (decoded.kind === 'eos' ? decoded.streamId : decoded.meta.streamId) ?? '';
    const key = `${partition}/${stream}`;
    if (decoded.kind === 'eos') {
      this.groups.delete(key);
      return;
    }
    if (decoded.type !== 'video/h264') return;
    const bytes = decoded.image.length;
    if (decoded.keyframe) {
      this.groups.set(key, { items: [{ n: this.arrival++, item }], bytes });
      return;
    }
    const group = this.groups.get(key);
    if (group === undefined) return; // no keyframe before it in the history: nothing to start from
    group.bytes += bytes;
    if (group.bytes > this.maxHeldBytes) this.groups.delete(key);
    else group.items.push({ n: this.arrival++, item });
  }

  /**
   * The partition's next offset is `nextOffset`: once that is its edge, the held groups of
   * its streams, in the order they arrived (then none again).
   */
  reached(partition: number, nextOffset: number): T[] {
    const edge = this.edges.get(partition);
    if (edge === undefined || nextOffset < edge) return [];
    this.edges.delete(partition);
    const held: Array<{ n: number; item: T }> = [];
    for (const [key, group] of this.groups) {
      if (!key.startsWith(`${partition}/`)) continue;
      held.push(...group.items);
      this.groups.delete(key);
    }
    return held.sort((a, b) => a.n - b.n).map((h) => h.item);
  }

  /** Bytes held right now (all streams). */
  get heldBytes(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.bytes;
    return n;
  }
}
