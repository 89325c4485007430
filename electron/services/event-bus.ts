/**
 * The app services' two outputs: contract events (to every page) and frame packets (to the page that
 * started the viewer). A listener's failure is the adapter's problem, never the app services'.
 */
import type { EventChannel, EventPayload } from '../shared/contract.js';

/** `(channel, payload)` pairs: checking `channel` narrows `payload`. */
export type ServiceEventArgs = {
  [C in EventChannel]: [channel: C, payload: EventPayload<C>];
}[EventChannel];
export type EventListener = (...args: ServiceEventArgs) => void;
/**
 * `client` is the caller that started the viewer (see {@link CallContext}), or null. Returns
 * whether the packet is on its way to that client: false (no socket, no frame port) means the
 * frame is not in flight and the viewer's gate does not wait for its ack.
 */
export type FrameListener = (
  viewerId: string,
  packet: Uint8Array,
  client: string | null,
) => boolean;

export interface EventBus {
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
  /** True when some listener took the packet on its way to the page. */
  emitFrame(viewerId: string, packet: Uint8Array, client: string | null): boolean;
  onEvent(listener: EventListener): () => void;
  onFrame(listener: FrameListener): () => void;
  clear(): void;
}

export function createEventBus(): EventBus {
  const eventListeners = new Set<EventListener>();
  const frameListeners = new Set<FrameListener>();

  function emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const args = [channel, payload] as ServiceEventArgs;
    for (const l of [...eventListeners]) {
      try {
        l(...args);
      } catch {
        // a listener's failure is the adapter's problem, never the app services'
      }
    }
  }

  /** True when some listener took the packet on its way to the page. */
  function emitFrame(viewerId: string, packet: Uint8Array, client: string | null): boolean {
    let sent = false;
    for (const l of [...frameListeners]) {
      try {
        if (l(viewerId, packet, client)) sent = true;
      } catch {
        // as above
      }
    }
    return sent;
  }

  return {
    emit,
    emitFrame,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onFrame(listener) {
      frameListeners.add(listener);
      return () => void frameListeners.delete(listener);
    },
    clear() {
      eventListeners.clear();
      frameListeners.clear();
    },
  };
}
