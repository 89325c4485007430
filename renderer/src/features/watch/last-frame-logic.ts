/**
 * "Last frame 12:03:04, 8 s ago": what a tile whose stream stopped shows. Pure: the caller passes
 * the time the last frame was drawn and the time now (both ms since epoch, this machine's clock).
 */

/** A playing viewer with no new frame for this long says when it last had one. */
export const STALE_AFTER_MS = 3000;

const two = (n: number): string => String(n).padStart(2, '0');

/** 12:03:04 (local time). */
export function clockSeconds(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "8 s ago", "2 min 5 s ago", "1 h 3 min ago". */
export function agoText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s ago`;
  return `${Math.floor(m / 60)} h ${m % 60} min ago`;
}

export interface StaleInput {
  /** The viewer runs and is not paused (a paused tile is still on purpose). */
  readonly waiting: boolean;
  /** When the last frame was drawn; null: none yet. */
  readonly lastDrawnAt: number | null;
  readonly now: number;
}

/** The note, or null while frames keep coming (or none came, or the tile is paused). */
export function lastFrameNote(s: StaleInput): string | null {
  if (!s.waiting || s.lastDrawnAt === null) return null;
  const age = s.now - s.lastDrawnAt;
  if (age < STALE_AFTER_MS) return null;
  return `last frame ${clockSeconds(s.lastDrawnAt)}, ${agoText(age)}`;
}
