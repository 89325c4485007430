/**
 * The page side of frame flow control, one for both transports (the browser's WebSocket and
 * Electron's MessagePort hand every binary packet to `receive`).
 *
 * - Each packet is decoded once, here (frame-packet.ts); listeners get the header and a view
 *   of the image bytes.
 * - The page listens for a viewer *before* it asks the service to start it (it picks the viewer
 *   id), so no frame arrives for a viewer nobody listens to — except the last few of a viewer
 *   that was just stopped: those are acked at once (the service's gate ignores stray acks) and
 *   dropped.
 * - A listener gets at most `inFlight` (FRAMES_IN_FLIGHT) frames it has not acked yet; more
 *   wait in order.
 * - A small jitter buffer: while the page holds fewer than `jitterFrames` (PAGE_JITTER_FRAMES)
 *   frames of a viewer, a new frame is acked to the service on arrival (past that, the service's gate
 *   lets FRAMES_IN_FLIGHT more come un-acked). A short stall of the page then delays frames
 *   instead of making the service drop them, and a page that stays behind fills the buffer and
 *   the service's newest-frame-wins takes over again. So the page holds at most
 *   `jitterFrames + inFlight` packets per viewer.
 *
 * Pure: the ack to the service is a callback; tests drive it directly.
 */
import { decodeFramePacket, type DecodedFrame } from '../../../electron/shared/frame-packet.js';
import { FRAMES_IN_FLIGHT, PAGE_JITTER_FRAMES } from '../../../electron/shared/flow-control.js';

export type FrameListener = (frame: DecodedFrame) => void;

export interface FrameInboxOptions {
  readonly inFlight?: number;
  /** Frames a viewer's page may hold that are acked to the service on arrival (0 = none). */
  readonly jitterFrames?: number;
  readonly onListenerError?: (err: unknown) => void;
  /** A packet that is not a frame packet (counted, never thrown). */
  readonly onBadPacket?: (error: string) => void;
}

interface Held {
  readonly frame: DecodedFrame;
  /** Already acked to the service when it was held. */
  readonly accepted: boolean;
}

interface Box {
  readonly listeners: Set<FrameListener>;
  readonly backlog: Held[];
  /** Delivered to listeners, not acked by the page yet (true = already acked to the service). */
  readonly delivered: boolean[];
}

export class FrameInbox {
  private readonly boxes = new Map<string, Box>();
  private readonly inFlight: number;
  private readonly jitterFrames: number;
  private badPackets = 0;

  constructor(
    private readonly ackToServices: (viewerId: string) => void,
    private readonly opts: FrameInboxOptions = {},
  ) {
    this.inFlight = opts.inFlight ?? FRAMES_IN_FLIGHT;
    this.jitterFrames = opts.jitterFrames ?? PAGE_JITTER_FRAMES;
  }

  /** A binary packet arrived from the service. */
  receive(packet: ArrayBuffer | Uint8Array<ArrayBuffer>): void {
    const decoded = decodeFramePacket(packet);
    if (!decoded.ok) {
      this.badPackets++;
      this.opts.onBadPacket?.(decoded.error);
      return;
    }
    const frame: DecodedFrame = { header: decoded.header, image: decoded.image };
    const viewerId = frame.header.viewerId;
    const box = this.boxes.get(viewerId);
    if (!box) {
      // a viewer this page stopped (or never had): let the service's gate go on
      this.ackToServices(viewerId);
      return;
    }
    const accepted = box.backlog.length + box.delivered.length < this.jitterFrames;
    if (accepted) this.ackToServices(viewerId);
    if (box.backlog.length === 0 && box.delivered.length < this.inFlight)
      this.deliver(box, frame, accepted);
    else box.backlog.push({ frame, accepted });
  }

  /** Listen for a viewer's frames: do it before asking the service to start the viewer. */
  subscribe(viewerId: string, listener: FrameListener): () => void {
    let box = this.boxes.get(viewerId);
    if (!box) {
      box = { listeners: new Set(), backlog: [], delivered: [] };
      this.boxes.set(viewerId, box);
    }
    const mine = box;
    mine.listeners.add(listener);
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size === 0 && this.boxes.get(viewerId) === mine)
        this.boxes.delete(viewerId);
    };
  }

  /** The page is done with one delivered frame (drawn, dropped or undecodable). */
  ack(viewerId: string): void {
    const box = this.boxes.get(viewerId);
    const accepted = box?.delivered.shift();
    if (accepted !== true) this.ackToServices(viewerId);
    if (!box) return;
    while (box.backlog.length > 0 && box.delivered.length < this.inFlight) {
      const held = box.backlog.shift();
      if (held) this.deliver(box, held.frame, held.accepted);
    }
  }

  /** The channel to the service is gone: so are its viewers' frames. Listeners stay. */
  clear(): void {
    for (const box of this.boxes.values()) {
      box.backlog.length = 0;
      box.delivered.length = 0;
    }
  }

  /** For tests and diagnostics. */
  held(viewerId: string): number {
    return this.boxes.get(viewerId)?.backlog.length ?? 0;
  }

  get badPacketCount(): number {
    return this.badPackets;
  }

  private deliver(box: Box, frame: DecodedFrame, accepted: boolean): void {
    box.delivered.push(accepted);
    for (const l of [...box.listeners]) {
      try {
        l(frame);
      } catch (err) {
        this.opts.onListenerError?.(err);
      }
    }
  }
}
