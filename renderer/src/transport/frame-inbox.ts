/**
 * Frame flow control on the page side of the browser transport, per viewer.
 *
 * The host's gate keeps at most FRAMES_IN_FLIGHT frames un-acked per viewer and, past that,
 * keeps only the newest (newest frame wins). The page acks a frame once it is drawn. Two
 * things need care here:
 *
 * 1. The host may send a viewer's first frames *before* `watch:start` has answered with the
 *    viewer id, i.e. before anyone can listen for them. Holding those un-acked would stall
 *    the host's gate and make it drop frames while the page waits for the reply (a replay
 *    from the beginning would lose its first half second). So frames nobody listens for yet
 *    are kept in a backlog and acked to the host at once ("accepted"), up to a cap; past the
 *    cap they are kept un-acked, so the host's gate goes back to newest-wins and memory stays
 *    bounded.
 * 2. A listener gets at most FRAMES_IN_FLIGHT frames it has not acked yet; the backlog drains
 *    as it acks. An ack for a frame that was already accepted is not sent again.
 * 3. A small jitter buffer: while the page holds fewer than `jitterFrames` frames of a
 *    viewer, a new frame is accepted on arrival (past that, FRAMES_IN_FLIGHT more may come
 *    un-accepted, as the host's gate allows). A short stall of the page (a
 *    garbage collection, a busy main thread: ~100 ms is enough at 30 fps) then delays frames
 *    instead of making the host drop them; a page that stays behind fills the buffer, stops
 *    accepting, and the host's newest-frame-wins takes over again. So the extra delay is
 *    bounded by `jitterFrames` frames, and memory by that many packets.
 *
 * Pure: the host ack is a callback; tests drive it directly.
 */
import { FRAMES_IN_FLIGHT } from '../../../electron/shared/ws-protocol.js';

export type FrameListener = (packet: ArrayBuffer) => void;

export interface FrameInboxOptions {
  readonly inFlight?: number;
  /** Frames a listening viewer may hold that are accepted on arrival (default 6; 0 = none). */
  readonly jitterFrames?: number;
  /** Frames one viewer may hold (accepted) before the host is left to drop. */
  readonly maxBacklog?: number;
  readonly maxBacklogBytes?: number;
  /** Viewers with frames but no listener that are remembered at once. */
  readonly maxIdleViewers?: number;
  readonly onListenerError?: (err: unknown) => void;
}

interface Held {
  readonly packet: ArrayBuffer;
  /** Already acked to the host when it was held. */
  readonly accepted: boolean;
}

interface Box {
  readonly listeners: Set<FrameListener>;
  readonly backlog: Held[];
  backlogBytes: number;
  /** Delivered to listeners, not acked by the page yet (true = already acked to the host). */
  readonly delivered: boolean[];
  drainScheduled: boolean;
}

export class FrameInbox {
  private readonly boxes = new Map<string, Box>();
  private readonly inFlight: number;
  private readonly jitterFrames: number;
  private readonly maxBacklog: number;
  private readonly maxBacklogBytes: number;
  private readonly maxIdleViewers: number;

  constructor(
    private readonly ackToHost: (viewerId: string) => void,
    private readonly opts: FrameInboxOptions = {},
  ) {
    this.inFlight = opts.inFlight ?? FRAMES_IN_FLIGHT;
    this.jitterFrames = opts.jitterFrames ?? 6;
    this.maxBacklog = opts.maxBacklog ?? 300;
    this.maxBacklogBytes = opts.maxBacklogBytes ?? 64 * 1024 * 1024;
    this.maxIdleViewers = opts.maxIdleViewers ?? 8;
  }

  /** A frame packet for `viewerId` arrived from the host. */
  receive(viewerId: string, packet: ArrayBuffer): void {
    const box = this.box(viewerId);
    const listening = box.listeners.size > 0;
    const accepted = listening
      ? box.backlog.length + box.delivered.length < this.jitterFrames
      : box.backlog.length < this.maxBacklog &&
        box.backlogBytes + packet.byteLength <= this.maxBacklogBytes;
    if (accepted) this.ackToHost(viewerId);
    if (listening && box.backlog.length === 0 && box.delivered.length < this.inFlight) {
      this.deliver(box, packet, accepted);
      return;
    }
    box.backlog.push({ packet, accepted });
    box.backlogBytes += packet.byteLength;
    if (!listening) this.evictIdle();
  }

  /** Listen for a viewer's frames; frames already held are delivered after this returns. */
  subscribe(viewerId: string, listener: FrameListener): () => void {
    const box = this.box(viewerId);
    box.listeners.add(listener);
    this.scheduleDrain(viewerId, box);
    return () => {
      box.listeners.delete(listener);
      if (box.listeners.size === 0 && this.boxes.get(viewerId) === box) this.boxes.delete(viewerId);
    };
  }

  /** The page is done with one delivered frame (drawn, dropped or undecodable). */
  ack(viewerId: string): void {
    const box = this.boxes.get(viewerId);
    const accepted = box?.delivered.shift();
    if (accepted !== true) this.ackToHost(viewerId);
    if (box) this.drain(box);
  }

  /** The socket is gone: its viewers are gone too. */
  clear(): void {
    this.boxes.clear();
  }

  /** For tests and diagnostics. */
  held(viewerId: string): number {
    return this.boxes.get(viewerId)?.backlog.length ?? 0;
  }

  private box(viewerId: string): Box {
    let box = this.boxes.get(viewerId);
    if (!box) {
      box = {
        listeners: new Set(),
        backlog: [],
        backlogBytes: 0,
        delivered: [],
        drainScheduled: false,
      };
      this.boxes.set(viewerId, box);
    }
    return box;
  }

  private scheduleDrain(viewerId: string, box: Box): void {
    if (box.drainScheduled || box.backlog.length === 0) return;
    box.drainScheduled = true;
    queueMicrotask(() => {
      box.drainScheduled = false;
      if (this.boxes.get(viewerId) === box) this.drain(box);
    });
  }

  private drain(box: Box): void {
    while (
      box.listeners.size > 0 &&
      box.backlog.length > 0 &&
      box.delivered.length < this.inFlight
    ) {
      const held = box.backlog.shift();
      if (!held) break;
      box.backlogBytes -= held.packet.byteLength;
      this.deliver(box, held.packet, held.accepted);
    }
  }

  private deliver(box: Box, packet: ArrayBuffer, accepted: boolean): void {
    box.delivered.push(accepted);
    for (const l of [...box.listeners]) {
      try {
        l(packet);
      } catch (err) {
        this.opts.onListenerError?.(err);
      }
    }
  }

  /** Forget the oldest viewers that have frames but no listener (stopped before anyone listened). */
  private evictIdle(): void {
    const idle = [...this.boxes.entries()].filter(([, b]) => b.listeners.size === 0);
    for (let i = 0; i < idle.length - this.maxIdleViewers; i++) {
      const entry = idle[i];
      if (entry) this.boxes.delete(entry[0]);
    }
  }
}
