/**
 * Checks stream order by sequence number: counts gaps (frames missing between
 * two received ones) and repeats (a sequence number at or below one already
 * seen — a duplicate from a retried send, or a reordering), per stream id.
 * Bounded: remembers the most recent `maxStreams` streams.
 */
export interface SequenceVerdict {
  /** Frames missing just before this one (0 when in order). */
  readonly missing: number;
  /** True when this sequence number was not new for its stream. */
  readonly repeat: boolean;
}

export class SequenceTracker {
  private readonly last = new Map<string, number>();
  gaps = 0;
  repeats = 0;
  firstSeq: number | null = null;
  lastSeq: number | null = null;

  constructor(private readonly maxStreams = 64) {}

  observe(streamId: string, seq: number): SequenceVerdict {
    this.firstSeq ??= seq;
    this.lastSeq = seq;
    const prev = this.last.get(streamId);
    // seq 0 again: the stream was started anew under the same id (a producer that died before
    // its end-of-stream marker) — a new run, not a duplicate
    if (prev !== undefined && seq <= prev && seq !== 0) {
      this.repeats++;
      return { missing: 0, repeat: true };
    }
    // a stream we join mid-way (live viewing) starts wherever it is: no gap
    const missing = prev === undefined ? 0 : seq - prev - 1;
    this.gaps += missing;
    this.last.delete(streamId);
    this.last.set(streamId, seq);
    if (this.last.size > this.maxStreams) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    return { missing, repeat: false };
  }

  /** A seek: every stream's next frame starts anew (no gap, no repeat); the counts stay. */
  forgetStreams(): void {
    this.last.clear();
  }

  /** An end-of-stream marker: the next frames under this id start a new run. */
  end(streamId: string): void {
    this.last.delete(streamId);
  }
}
