/** Small helpers the wizard's forms share: a form check's result, messages, IPv4 and size formatting. */
import { validateIPv4 } from '../../../../electron/shared/setup-validate.js';

// ---- small helpers -----------------------------------------------------------------------------

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a validator from the service's core says about a value: null when it passes. */
export function problemOf(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (err) {
    return messageOf(err);
  }
}

/** A dotted-quad IPv4 address (0–255 per part, no leading zeros), e.g. 192.168.1.20. */
export function isDottedIPv4(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  return (
    m !== null && m.slice(1).every((p) => Number(p) <= 255 && (p === '0' || !p.startsWith('0')))
  );
}

export function isLoopbackIPv4(text: string): boolean {
  return isDottedIPv4(text) && text.startsWith('127.');
}

/** The address to advertise to start with: the SSH host when it is an IPv4 clients could use. */
export function defaultAdvertise(host: string): string {
  const h = host.trim();
  return problemOf(() => validateIPv4(h)) === null ? h : '';
}

/** 1 KiB units (df -k) → "12.3 GiB" / "512 MiB". */
export function formatKib(kib: number | null): string {
  if (kib === null || !Number.isFinite(kib) || kib < 0) return 'unknown';
  if (kib >= 1024 * 1024) return `${(kib / (1024 * 1024)).toFixed(1)} GiB`;
  if (kib >= 1024) return `${Math.floor(kib / 1024)} MiB`;
  return `${Math.floor(kib)} KiB`;
}

export type FormCheck<T, F extends string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly field: F; readonly error: string };

export function fail<F extends string>(
  field: F,
  error: string,
): { ok: false; field: F; error: string } {
  return { ok: false, field, error };
}
