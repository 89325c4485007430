/**
 * Live viewing that begins at the last keyframe. A live viewer used to start at the newest
 * message, which is fine for images (each one is a picture) but leaves an H.264 stream black for
 * up to a GOP: a decoder can start only at a keyframe. So a live viewer reads a short way back
 * (`LIVE_LOOKBACK_MESSAGES` per partition) up to where the partition ended when it started (its
 * live edge). That history is not shown; it is held per stream from its last keyframe (a newer
 * keyframe starts the group again, an end-of-stream marker drops it) and handed over in one go
 * when the partition reaches its live edge, so the page decodes the group and shows its last
 * frame at once. Images in the history are not shown, as before. At most `maxHeldBytes` is held
 * per stream (a group larger than that is dropped: the page waits for the next keyframe).
 */
import type { DecodedMessage } from './wire-format.js';

/** How far back a live viewer reads for the last keyframe: 10 s at 30 fps. */
export const LIVE_LOOKBACK_MESSAGES = 300;
export const MAX_HELD_BYTES = 32 * 1024 * 1024;

interface Group<T> {
  readonly items: Array<{ readonly n: number; readonly item: T }>;
  bytes: number;
}

export class LiveStart<T> {
  /** partition → the offset where live begins (the end of the partition when the viewer started). */
  private readonly edges = new Map<number, number>();
  /** `${partition}/${stream}` → the group since the stream's last keyframe. */
  private readonly groups = new Map<string, Group<T>>();
  private arrival = 0;

  /**
   * `ends`: each partition's first and next offsets when the viewer started. `startAt()` says
   * where to read from.
   */
  constructor(
    ends: ReadonlyArray<{
      readonly partition: number;
      readonly low: number;
      readonly high: number;
    }>,
    private readonly lookback = LIVE_LOOKBACK_MESSAGES,
    private readonly maxHeldBytes = MAX_HELD_BYTES,
  ) {
    for (const e of ends)
      if (e.high > Math.max(e.low, e.high - lookback)) this.edges.set(e.partition, e.high);
    this.starts = ends.map((e) => ({
      partition: e.partition,
      offset: String(Math.max(e.low, e.high - this.lookback)),
    }));
  }

  /** Where each partition is read from. */
  readonly starts: ReadonlyArray<{ readonly partition: number; readonly offset: string }>;

  /** Is this message before its partition's live edge (history, not shown)? */
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
   * The partition's next offset is `nextOffset`: once that is its live edge, the held groups of
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
