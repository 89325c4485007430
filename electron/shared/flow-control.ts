/**
 * Frame flow control, in one place for the app services and the page (both transports).
 *
 * The app services' gate (electron/services/frame-gate.ts) lets FRAMES_IN_FLIGHT frames per viewer be
 * on their way to the page, un-acknowledged; past that the newest frame waits and replaces
 * an older waiting one (counted as dropped). The page's inbox (renderer/src/transport/
 * frame-inbox.ts) acknowledges a frame when it is drawn — or, for up to PAGE_JITTER_FRAMES
 * frames held on the page, at once, so a short stall of the page (a garbage collection,
 * ~100 ms at 30 fps) delays frames instead of making the app services drop them.
 */

/** Frames a viewer may have in flight to the page before newer ones replace older ones. */
export const FRAMES_IN_FLIGHT = 2;

/** Frames the page may hold for one viewer that it acknowledges on arrival. */
export const PAGE_JITTER_FRAMES = 6;
