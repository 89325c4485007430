/**
 * What a reply that is not Kafka looks like (a TLS record, text such as an HTTP page, nothing),
 * so the doctor can say "this port speaks TLS" instead of "malformed reply".
 */
import { MAX_REPLY_BYTES } from './probe-types.js';

// ---------------------------------------------------------------------------------------------
// What came back: a Kafka frame, TLS, or something else

export type ReplyShape =
  | { kind: 'frame'; /** bytes of the whole frame, size prefix included */ length: number }
  | { kind: 'incomplete' }
  | { kind: 'tls' }
  | { kind: 'not-kafka'; reason: string };

/** A TLS record starts with a content type (20–23: change_cipher_spec, alert, handshake, data) and major version 3. */
export function looksLikeTls(bytes: Uint8Array): boolean {
  const type = bytes[0];
  if (type === undefined || type < 0x14 || type > 0x17) return false;
  return bytes.length < 2 || bytes[1] === 0x03;
}

/**
 * Classifies the bytes received so far, without copying them. A Kafka frame under
 * MAX_REPLY_BYTES always starts with 0x00, so a TLS record (0x15 alert, 0x16 handshake)
 * or text can be told apart from the first four bytes.
 */
export function inspectReply(bytes: Uint8Array, maxBytes: number = MAX_REPLY_BYTES): ReplyShape {
  if (bytes.length < 4) return { kind: 'incomplete' };
  if (looksLikeTls(bytes)) return { kind: 'tls' };
  const size = Buffer.from(bytes.buffer, bytes.byteOffset, 4).readInt32BE(0);
  if (size < 4) return { kind: 'not-kafka', reason: `a frame size of ${size} bytes` };
  if (size > maxBytes) return { kind: 'not-kafka', reason: `a frame size of ${size} bytes` };
  return bytes.length >= size + 4 ? { kind: 'frame', length: size + 4 } : { kind: 'incomplete' };
}

export function isText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 48);
  return (
    head.length > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))
  );
}

/** A short, printable rendering of unexpected bytes for a message. */
export function previewBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 48));
  if (isText(head)) {
    const line = head.toString('latin1').split(/\r?\n/)[0] ?? '';
    return `"${line.slice(0, 40)}"`;
  }
  const hex = [...head.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `bytes ${hex}${bytes.length > 12 ? ' …' : ''}`;
}
