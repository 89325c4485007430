/**
 * Flow control for one viewer's frames on their way to the screen: **newest frame wins**.
 *
 * At most `limit` frames (FRAMES_IN_FLIGHT) may be delivered and not yet acknowledged by the
 * page. While at the limit, a new frame goes into the single pending slot; a frame already
 * waiting there is replaced (and counted as dropped). An ack frees a slot and delivers the
 * pending frame at once. So a slow screen shows the newest frame, never a growing backlog,
 * and the memory held per viewer is at most one waiting frame.
 *
 * The frame is kept as a thunk and encoded only when it is delivered, so the `dropped` count in
 * a packet is the count at the moment it leaves, not when it arrived.
 *
 * `deliver` says whether the packet is on its way: with no page to take it (no frame port yet,
 * a socket closing) the frame is dropped and counted, and it is **not** in flight — an ack for
 * it will never come, and counting it would stall the viewer for good.
 *
 * Frames that depend on the ones before them (H.264 delta frames) cannot be dropped alone: once
 * a frame of such a stream is dropped, the stream's next frames are dropped too (and counted)
 * until its next keyframe, which a decoder can start from. Streams are kept apart (a topic may
 * carry several), and images are never held back by a video stream's chain.
 */
export type MakePacket = (dropped: number) => Uint8Array;

/** What the gate needs to know of a frame beyond its packet. */
export interface GateFrame {
  /** The stream it belongs to (the producer's key; '' for plain image messages). */
  readonly stream: string;
  /** Later frames of the stream need this one (H.264); false for images. */
  readonly dependent: boolean;
  /** A decoder can start here (every image; an H.264 IDR access unit). */
  readonly keyframe: boolean;
  /**
   * Part of a group handed over at once to start an H.264 stream at its last keyframe (live, a
   * seek: keyframe-start.ts): sent at once, past the in-flight limit — counted in flight, so its
   * acks keep the count right. Waiting for a slot per pair cost a round trip to the page per two
   * frames of the group (the bench's timeline seek: up to 730 ms under load for 29 frames); the
   * group is bounded where it is held (MAX_HELD_BYTES per stream) and the page's inbox queues it.
   */
  readonly catchUp?: boolean;
}

const IMAGE: GateFrame = { stream: '', dependent: false, keyframe: true };

/**
 * 'newest-wins' (live): never wait; a slow screen skips frames.
 * 'every-frame' (a paced replay from the beginning or a time): `offer` waits for a free slot, so
 * the consumer slows down instead of skipping; a page that does not ack within `maxWaitMs`
 * falls back to newest-wins for that frame, so a hidden or stuck page never stalls the viewer.
 * 'every-video-frame' (a replay as fast as it arrives): images as newest-wins, frames that
 * depend on the ones before (H.264) as every-frame — skipping one would skip its whole group, so
 * such a replay plays at the page's decode speed instead of one frame per keyframe.
 */
export type GateMode = 'newest-wins' | 'every-frame' | 'every-video-frame';

export class FrameGate {
  private inFlight = 0;
  /** Catch-up frames among those in flight (acks come back in the order frames went out). */
  private catchUpFlights: boolean[] = [];
  private pending: { make: MakePacket; frame: GateFrame } | null = null;
  /** Streams whose chain is broken (a frame was dropped): their deltas drop until a keyframe. */
  private readonly broken = new Set<string>();
  private droppedCount = 0;
  private deliveredCount = 0;
  private closed = false;
  private waiter: (() => void) | null = null;

  constructor(
    private readonly deliver: (packet: Uint8Array) => boolean,
    private readonly limit: number,
    private mode: GateMode = 'newest-wins',
    private readonly maxWaitMs = 2000,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get delivered(): number {
    return this.deliveredCount;
  }

  /** Frames delivered and not yet acknowledged. */
  get unacked(): number {
    return this.inFlight;
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  /** Streams (by id) whose next frames are dropped until their next keyframe. */
  get waitingForKeyframe(): ReadonlySet<string> {
    return this.broken;
  }

  /** A new frame arrived from Kafka. In 'every-frame' mode, resolves once it was sent (or given up). */
  offer(make: MakePacket, frame: GateFrame = IMAGE): Promise<void> | void {
    if (this.closed) return;
    if (frame.dependent) {
      if (frame.keyframe) this.broken.delete(frame.stream);
      else if (this.broken.has(frame.stream)) {
        this.droppedCount++;
        return;
      }
    }
    if (this.inFlight < this.limit || frame.catchUp === true) {
      this.send(make, frame);
      return;
    }
    if (this.pending !== null) {
      this.drop(this.pending.frame);
      this.pending = null;
    }
    // the frame just dropped was the one this delta needs
    if (frame.dependent && !frame.keyframe && this.broken.has(frame.stream)) {
      this.droppedCount++;
      return;
    }
    this.pending = { make, frame };
    // while a catch-up group is still with the page, the first frames after it wait instead of
    // replacing each other (a replaced delta would cost its group, right after the catch-up)
    const waits =
      this.mode === 'every-frame' ||
      (frame.dependent &&
        (this.mode === 'every-video-frame' || this.catchUpFlights.includes(true)));
    if (!waits) return;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // the page is not acking: stop holding the consumer back; the frame stays pending
        // and newer frames replace it (counted as dropped)
        this.waiter = null;
        resolve();
      }, this.maxWaitMs);
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve();
      };
    });
  }

  /** The page has drawn one frame. Extra acks (more than were delivered) are ignored. */
  ack(): void {
    if (this.closed) return;
    if (this.inFlight > 0) {
      this.inFlight--;
      this.catchUpFlights.shift();
    }
    const next = this.pending;
    if (next !== null && this.inFlight < this.limit) {
      this.pending = null;
      this.send(next.make, next.frame);
      this.waiter?.();
    }
  }

  /** Live ↔ replay: a viewer that seeks or pauses changes how it is played. */
  setMode(mode: GateMode): void {
    this.mode = mode;
  }

  /**
   * The viewer went to another place (a seek): the waiting frame belongs to the old place and is
   * forgotten (not counted as dropped: nobody was to see it), broken chains start anew, and an
   * `offer` waiting for a slot returns. Frames in flight stay counted until the page acks them.
   */
  restart(): void {
    this.pending = null;
    this.broken.clear();
    this.waiter?.();
  }

  /** Stop delivering; the waiting frame is released. */
  close(): void {
    this.closed = true;
    this.pending = null;
    this.waiter?.();
  }

  private send(make: MakePacket, frame: GateFrame): void {
    if (this.deliver(make(this.droppedCount))) {
      this.deliveredCount++;
      this.inFlight++;
      this.catchUpFlights.push(frame.catchUp === true);
    } else this.drop(frame);
  }

  private drop(frame: GateFrame): void {
    this.droppedCount++;
    if (frame.dependent) this.broken.add(frame.stream);
  }
}
