/**
 * What a produce run reads: a file, a network URL or a camera (a device), and the rules every
 * layer shares about them — which URL schemes are allowed (rtsp, rtsps, http, https, udp), and
 * what a device name may look like. Pure (no Node, no DOM). The core turns a SourceInput into
 * ffmpeg's input options (core/ffmpeg/live-input.ts).
 */

/** URL schemes a network source may use (what IP cameras and streaming servers speak). */
export const SOURCE_URL_SCHEMES = ['rtsp', 'rtsps', 'http', 'https', 'udp'] as const;
export type SourceUrlScheme = (typeof SOURCE_URL_SCHEMES)[number];

export const MAX_SOURCE_URL_LENGTH = 4096;
export const MAX_DEVICE_NAME_LENGTH = 256;

export type LiveInput =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'device'; readonly device: string; readonly inputFormat?: string | undefined };

export type SourceInput = { readonly kind: 'file'; readonly path: string } | LiveInput;

/** Does the text look like a URL (`scheme://…`) rather than a file name? */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim());
}

/** Why a source URL cannot be used (a plain sentence, no secrets in it), or null when it can. */
export function sourceUrlProblem(url: string): string | null {
  const text = url.trim();
  if (text === '') return 'Enter the address of the stream, e.g. rtsp://192.168.1.20:554/stream1.';
  if (text.length > MAX_SOURCE_URL_LENGTH)
    return `The address is too long (at most ${MAX_SOURCE_URL_LENGTH} characters).`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined)
    return 'The address must start with rtsp://, rtsps://, http://, https:// or udp://.';
  if (!(SOURCE_URL_SCHEMES as readonly string[]).includes(scheme))
    return `"${scheme}://" is not a stream address this app reads: use rtsp://, rtsps://, http://, https:// or udp://.`;
  // no URL class in this room (no DOM, no Node): the authority by the RFC 3986 shape
  const authority =
    /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^/?#:]*)(?::([^/?#]*))?(?:[/?#]|$)/i.exec(
      text,
    );
  const host = authority?.[1] ?? '';
  const port = authority?.[2];
  if (
    !authority ||
    (port !== undefined && port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535))
  )
    return 'The address is not a valid URL (check the host name, the port and the path).';
  if (host === '' && scheme !== 'udp')
    return 'The address has no host, e.g. rtsp://192.168.1.20:554/stream1.';
  if (/[\s\0]/.test(text)) return 'The address must not contain spaces.';
  return null;
}

/** Why a device name cannot be used, or null when it can. */
export function deviceNameProblem(device: string): string | null {
  const d = device.trim();
  if (d === '') return 'Name the camera, e.g. /dev/video0 (see kvs devices).';
  if (d.length > MAX_DEVICE_NAME_LENGTH)
    return `The device name is too long (at most ${MAX_DEVICE_NAME_LENGTH} characters).`;
  if (/[\0\r\n]/.test(d)) return 'The device name must be one line.';
  if (d.startsWith('-')) return 'A device name cannot start with "-".';
  return null;
}

/** ffmpeg input formats (demuxers) are short lowercase names: v4l2, avfoundation, dshow, lavfi… */
export function inputFormatProblem(format: string): string | null {
  return /^[a-z0-9_]{1,32}$/.test(format)
    ? null
    : `"${format}" is not an ffmpeg input format name (e.g. v4l2, avfoundation, dshow).`;
}
