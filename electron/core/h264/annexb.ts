/**
 * H.264 in Annex B byte-stream form (ITU-T H.264 Annex B): NAL units behind 00 00 01 or
 * 00 00 00 01 start codes. What the app needs of it, and nothing more: find the NAL units of an
 * access unit, tell a keyframe (an IDR slice, type 5), read the codec string from the SPS
 * (`avc1.PPCCLL`: profile_idc, the constraint flags, level_idc — RFC 6381 §3.3), and cut a
 * byte stream into access units at its access unit delimiters (type 9; x264 `aud=1`).
 * Pure functions over bytes; no ffmpeg, no Kafka.
 */

export const NAL = {
  /** A slice of a non-IDR picture (a P or B frame). */
  slice: 1,
  /** A slice of an IDR picture: a keyframe, decodable on its own. */
  idr: 5,
  sei: 6,
  sps: 7,
  pps: 8,
  /** Access unit delimiter: starts every access unit when the encoder writes them. */
  aud: 9,
} as const;

export interface NalUnit {
  /** nal_unit_type (the low 5 bits of the first byte after the start code). */
  readonly type: number;
  /** Index of the NAL header byte (just after the start code). */
  readonly start: number;
  /** Index just past the NAL unit's last byte (the next start code, or the end). */
  readonly end: number;
}

/** Index of the next 00 00 01 at or after `from`, or -1. */
function nextStartCode(buf: Uint8Array, from: number): number {
  for (let i = from; i + 2 < buf.length; i++) {
    if (buf[i + 2]! > 1) {
      i += 2; // neither of the next two bytes can begin a start code ending before i + 3
      continue;
    }
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) return i;
  }
  return -1;
}

/** Does the buffer begin with a start code (00 00 01 or 00 00 00 01)? */
export function startsWithStartCode(buf: Uint8Array): boolean {
  if (buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && buf[2] === 0 && buf[3] === 1) return true;
  return buf.length >= 3 && buf[0] === 0 && buf[1] === 0 && buf[2] === 1;
}

/** The NAL units of an Annex B buffer, in order. Bytes before the first start code are ignored. */
export function nalUnits(buf: Uint8Array): NalUnit[] {
  const units: NalUnit[] = [];
  let sc = nextStartCode(buf, 0);
  while (sc >= 0) {
    const start = sc + 3;
    const next = nextStartCode(buf, start);
    // a 4-byte start code's leading zero (and any trailing zero bytes) belongs to no NAL unit
    let end = next < 0 ? buf.length : next;
    while (end > start && buf[end - 1] === 0) end--;
    if (start < buf.length) units.push({ type: buf[start]! & 0x1f, start, end });
    sc = next;
  }
  return units;
}

/** An access unit with an IDR slice: a decoder can start here. */
export function isKeyframe(accessUnit: Uint8Array): boolean {
  return accessUnitFacts(accessUnit).keyframe;
}

/** Does the access unit carry a picture (a coded slice, types 1–5)? */
export function hasPicture(accessUnit: Uint8Array): boolean {
  return accessUnitFacts(accessUnit).picture;
}

/** What the app needs to know of one access unit, from one pass over its NAL units. */
export interface AccessUnitFacts {
  /** It carries a picture (a coded slice, types 1–5). */
  readonly picture: boolean;
  /** It has an IDR slice: a decoder can start here. */
  readonly keyframe: boolean;
  /** The codec string of its first SPS, or null. */
  readonly codec: string | null;
}

/** Picture, keyframe and codec of an access unit in one scan (the viewer's path: every message). */
export function accessUnitFacts(accessUnit: Uint8Array): AccessUnitFacts {
  let picture = false;
  let keyframe = false;
  let codec: string | null = null;
  for (const n of nalUnits(accessUnit)) {
    if (n.type >= 1 && n.type <= 5) picture = true;
    if (n.type === NAL.idr) keyframe = true;
    if (n.type === NAL.sps && codec === null)
      codec = codecFromSps(accessUnit.subarray(n.start, n.end));
  }
  return { picture, keyframe, codec };
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * `avc1.PPCCLL` from an SPS NAL unit (its header byte first): the three bytes after the header
 * are profile_idc, the constraint flags and level_idc, and sit before any emulation prevention
 * byte can occur. Null when the unit is not an SPS or is too short.
 */
export function codecFromSps(sps: Uint8Array): string | null {
  if (sps.length < 4 || (sps[0]! & 0x1f) !== NAL.sps) return null;
  return `avc1.${hex2(sps[1]!)}${hex2(sps[2]!)}${hex2(sps[3]!)}`;
}

/** The codec string of the first SPS in the buffer, or null (no SPS: not a keyframe of ours). */
export function codecString(buf: Uint8Array): string | null {
  return accessUnitFacts(buf).codec;
}

/**
 * Cuts an Annex B byte stream, arriving in chunks of any size, into access units: each starts at
 * an access unit delimiter (the encoder must write them: x264 `aud=1`). Holds at most one
 * access unit plus one chunk. `push` returns the access units completed by the chunk; `end`
 * returns the last one.
 */
export class AccessUnitSplitter {
  private pending: Uint8Array = new Uint8Array(0);
  /** Where in `pending` the scan for the next delimiter resumes. */
  private scanFrom = 0;
  /** Bytes before the first delimiter (none from a well-configured encoder): dropped, counted. */
  droppedBytes = 0;
  private seenFirst = false;

  constructor(private readonly maxAccessUnitBytes = 64 * 1024 * 1024) {}

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending, 0);
    joined.set(chunk, this.pending.length);
    let unitStart = 0;
    let i = Math.max(0, this.scanFrom - 3);
    for (;;) {
      const sc = nextStartCode(joined, i);
      if (sc < 0 || sc + 3 >= joined.length) break;
      const isAud = (joined[sc + 3]! & 0x1f) === NAL.aud;
      // a 4-byte start code: the delimiter's unit begins at its leading zero
      const at = sc > 0 && joined[sc - 1] === 0 ? sc - 1 : sc;
      if (isAud && at > unitStart) {
        if (this.seenFirst) out.push(joined.slice(unitStart, at));
        else this.droppedBytes += at - unitStart;
        unitStart = at;
      }
      if (isAud) this.seenFirst = true;
      i = sc + 3;
    }
    this.pending = joined.subarray(unitStart);
    this.scanFrom = joined.length - unitStart;
    if (this.pending.length > this.maxAccessUnitBytes)
      throw new RangeError(
        `an access unit is larger than ${this.maxAccessUnitBytes} bytes: is the stream missing its access unit delimiters?`,
      );
    return out;
  }

  /** The stream ended: the access unit still held, if it has a picture. */
  end(): Uint8Array[] {
    const last = this.pending;
    this.pending = new Uint8Array(0);
    this.scanFrom = 0;
    if (last.length === 0 || !this.seenFirst) {
      this.droppedBytes += last.length;
      return [];
    }
    return hasPicture(last) ? [last.slice()] : [];
  }
}
