/**
 * A simulated page for soak and leak runs: it takes every frame packet the app services sends, checks
 * that it decodes, counts it, and acknowledges it at once (host.ackFrame), as a page that draws
 * every frame in time would. Nothing per frame is kept (only counters), so the page itself adds
 * no memory that grows with the number of frames.
 */
import type { AppServices } from '../../electron/services/app-services.js';
import { decodeFramePacket } from '../../electron/shared/frame-packet.js';

export interface PageCounters {
  /** Frame packets received. */
  frames: number;
  /** Bytes of the images in them. */
  bytes: number;
  /** host.ackFrame calls made. */
  acks: number;
  /** Packets that did not decode, or named another viewer than the one they were sent for. */
  bad: number;
  /** seq and dropped of the newest packet (from its header). */
  lastSeq: number | null;
  lastDropped: number;
}

export interface SimulatedPage {
  /** Counters of all viewers together. */
  readonly total: Readonly<PageCounters>;
  /** Counters of one viewer (zeros for an id never seen). */
  of(viewerId: string): Readonly<PageCounters>;
  /** Forget a viewer's counters (a stopped viewer), so many short viewers keep nothing. */
  forget(viewerId: string): void;
  /** Stop listening (no more acks). */
  off(): void;
}

function zero(): PageCounters {
  return { frames: 0, bytes: 0, acks: 0, bad: 0, lastSeq: null, lastDropped: 0 };
}

export function attachPage(services: AppServices, opts: { ack?: boolean } = {}): SimulatedPage {
  const ack = opts.ack ?? true;
  const total = zero();
  const byViewer = new Map<string, PageCounters>();
  const off = services.onFrame((viewerId, packet) => {
    let mine = byViewer.get(viewerId);
    if (mine === undefined) {
      mine = zero();
      byViewer.set(viewerId, mine);
    }
    const decoded = decodeFramePacket(packet);
    for (const c of [total, mine]) {
      c.frames++;
      if (decoded.ok && decoded.header.viewerId === viewerId) {
        c.bytes += decoded.image.length;
        c.lastSeq = decoded.header.seq;
        c.lastDropped = decoded.header.dropped;
      } else c.bad++;
    }
    if (ack) {
      services.ackFrame(viewerId);
      total.acks++;
      mine.acks++;
    }
    return true;
  });
  return {
    total,
    of: (viewerId) => byViewer.get(viewerId) ?? zero(),
    forget: (viewerId) => void byViewer.delete(viewerId),
    off,
  };
}
