/**
 * The timeline's arithmetic and keys, without the DOM: where a time sits on the scrub bar, the
 * time under a point of it, how times read, what a key does, and the range to export.
 */

/** A topic's retained time range (message times, ms since epoch). */
export interface TimeRange {
  readonly firstMs: number;
  readonly lastMs: number;
}

/** How far ← and → move while playing. */
export const KEY_SEEK_MS = 5000;

/** 0…1: where `ms` sits in the range (a one-instant range: at its end). */
export function fractionOf(range: TimeRange, ms: number): number {
  const span = range.lastMs - range.firstMs;
  if (!(span > 0)) return 1;
  return Math.min(1, Math.max(0, (ms - range.firstMs) / span));
}

/** The time at 0…1 of the range (whole ms). */
export function timeAt(range: TimeRange, fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction));
  return Math.round(range.firstMs + f * (range.lastMs - range.firstMs));
}

/** The range grown to hold a time seen since it was read (the live edge moves on). */
export function widen(range: TimeRange | null, ms: number | null | undefined): TimeRange | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return range;
  if (range === null) return { firstMs: ms, lastMs: ms };
  if (ms >= range.firstMs && ms <= range.lastMs) return range;
  return { firstMs: Math.min(range.firstMs, ms), lastMs: Math.max(range.lastMs, ms) };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** A message time as a clock, to the millisecond: 14:03:07.250 (local time). */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A duration in words a player shows: 0:07.2, 12:03.0, 1:02:03.0. */
export function formatSpan(ms: number): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  const s = Math.floor(tenths / 10);
  const rest = `${two(s % 60)}.${tenths % 10}`;
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${two(m % 60)}:${rest}` : `${m}:${rest}`;
}

export type TimelineAction =
  | { readonly kind: 'toggle' }
  | { readonly kind: 'step'; readonly dir: -1 | 1 }
  | { readonly kind: 'seek'; readonly ms: number }
  | { readonly kind: 'live' };

export interface KeyState {
  readonly paused: boolean;
  readonly positionMs: number | null;
  readonly range: TimeRange | null;
}

/**
 * What a key does on a viewer: space plays or pauses; ← and → step one frame when paused, else
 * jump 5 s; Home goes to the oldest frame, End to live. Null: not the timeline's key.
 */
export function keyAction(key: string, s: KeyState): TimelineAction | null {
  switch (key) {
    case ' ':
    case 'Spacebar':
      return { kind: 'toggle' };
    case 'ArrowLeft':
    case 'ArrowRight': {
      const dir = key === 'ArrowLeft' ? -1 : 1;
      if (s.paused) return { kind: 'step', dir };
      if (s.positionMs === null) return null;
      const ms = s.positionMs + dir * KEY_SEEK_MS;
      if (s.range !== null && ms >= s.range.lastMs) return { kind: 'live' };
      return { kind: 'seek', ms: s.range === null ? ms : Math.max(s.range.firstMs, ms) };
    }
    case 'Home':
      return s.range === null ? null : { kind: 'seek', ms: s.range.firstMs };
    case 'End':
      return { kind: 'live' };
    default:
      return null;
  }
}

/** The range marked for export: in and out in either order; null until both are set and differ. */
export function markedRange(
  markIn: number | null,
  markOut: number | null,
): { readonly fromMs: number; readonly toMs: number } | null {
  if (markIn === null || markOut === null || markIn === markOut) return null;
  return { fromMs: Math.min(markIn, markOut), toMs: Math.max(markIn, markOut) };
}
