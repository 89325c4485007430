/**
 * The page picks its viewers' ids, so it can listen for a viewer's frames before asking the
 * host to start it (the first frames may arrive before the reply). 128 random bits, in the
 * contract's id alphabet. `crypto.getRandomValues` works on any page, also an http:// page
 * that is not a secure context (where `crypto.randomUUID` is missing).
 */
export function newViewerId(
  random: (bytes: Uint8Array<ArrayBuffer>) => void = (b) => crypto.getRandomValues(b),
): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  return `v${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
