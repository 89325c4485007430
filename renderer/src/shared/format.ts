/** Number and time formatting for the UI. Pure; no locale surprises in tests (explicit en-US style). */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 → "1.5 KB" (powers of 1000: what people read on file sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

/** Bytes per second → "2.45 MB/s". */
export function formatMegabytesPerSecond(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec < 0) return '—';
  return `${(bytesPerSec / 1_000_000).toFixed(2)} MB/s`;
}

/** 65_432 ms → "1:05"; 3_725_000 → "1:02:05". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatFps(fps: number): string {
  if (!Number.isFinite(fps) || fps < 0) return '—';
  return fps >= 10 ? fps.toFixed(0) : fps.toFixed(1);
}

/** 12345678 → "12,345,678". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Latency in ms → "42 ms" / "1.3 s". Negative values (clock skew) are shown as they are. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** ms since epoch → "2025-11-25 14:03:09" in local time. */
export function formatTimestamp(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A topic's time range: "—" when empty, one time when both ends agree, else "a → b" (date once if same day). */
export function formatTimeRange(first: number | null, last: number | null): string {
  if (first === null && last === null) return '—';
  if (first === null || last === null) return formatTimestamp(first ?? last);
  const a = formatTimestamp(first);
  const b = formatTimestamp(last);
  if (a === b) return a;
  const [dayA, timeA] = a.split(' ');
  const [dayB, timeB] = b.split(' ');
  if (dayA === dayB && timeA !== undefined && timeB !== undefined)
    return `${dayA} ${timeA} → ${timeB}`;
  return `${a} → ${b}`;
}
