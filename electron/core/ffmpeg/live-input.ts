/**
 * A live input as ffmpeg reads it: the `-i` argument and the input options before it, per kind
 * and platform, as pure functions (unit-tested for every platform; only Linux runs here).
 *
 * - URLs: rtsp(s) over TCP (`-rtsp_transport tcp`: no lost UDP packets, works through NAT) with a
 *   socket timeout (`-timeout`, µs); http(s) (HLS playlists, MJPEG multipart) with `-rw_timeout`
 *   (µs) and ffmpeg's own reconnect for a hiccup inside one read (`-reconnect_streamed`, at most
 *   2 s); udp with `-timeout` (µs). The app's own reconnect (live-frame-source.ts) handles a source
 *   that stays gone.
 * - Devices: v4l2 on Linux (`/dev/videoN`; a bare number N means /dev/videoN), avfoundation on
 *   macOS (`NAME:none`: video only), dshow on Windows (`video=NAME`); `inputFormat` overrides the
 *   format, and the device is then passed as it is (e.g. `--input-format lavfi` with a test source).
 * - Every live input: `-fflags nobuffer -flags low_delay` (hand frames on as they come).
 * - Every URL: `-protocol_whitelist` of what its scheme needs, so a playlist or a redirect from
 *   the stream's server cannot make ffmpeg open a local file (`file:`) or another protocol.
 */
import { KvsError } from '../../shared/errors.js';
import type { LiveInput } from '../../shared/source-input.js';

export type Platform = 'linux' | 'darwin' | 'win32' | string;

export interface LiveInputArgs {
  /** The `-i` argument. */
  readonly input: string;
  /** Options before `-i`. */
  readonly inputOptions: readonly string[];
  /** `-f` of a device (null for URLs: ffmpeg detects the format). */
  readonly format: string | null;
}

export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;

/** The platform's camera input format. */
export function deviceFormat(platform: Platform): string | null {
  if (platform === 'linux') return 'v4l2';
  if (platform === 'darwin') return 'avfoundation';
  if (platform === 'win32') return 'dshow';
  return null;
}

/** What ffmpeg's `-i` gets for a device name on a platform. */
export function deviceInputName(device: string, platform: Platform): string {
  const d = device.trim();
  if (platform === 'linux') {
    if (/^\d+$/.test(d)) return `/dev/video${d}`;
    if (/^video\d+$/.test(d)) return `/dev/${d}`;
    return d;
  }
  if (platform === 'darwin') return d.includes(':') ? d : `${d}:none`;
  if (platform === 'win32') return /^video=/i.test(d) ? d : `video=${d}`;
  return d;
}

function scheme(url: string): string {
  return (/^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[1] ?? '').toLowerCase();
}

const LOW_DELAY = ['-fflags', 'nobuffer', '-flags', 'low_delay'];
/** The protocols ffmpeg may open for a URL of each scheme (nested opens included: HLS segments). */
export const PROTOCOL_WHITELIST = {
  rtsp: 'rtsp,rtsps,rtp,srtp,tcp,udp,tls',
  http: 'http,https,tcp,tls,crypto',
  udp: 'udp,rtp',
} as const;

/** A live URL is analysed for 2 s, not ffmpeg's 5 (RTSP would wait them out at every connect). */
const ANALYZE = ['-analyzeduration', '2000000'];

/** The input options and `-i` of a live input. */
export function liveInputArgs(
  input: LiveInput,
  opts: { readonly platform: Platform; readonly timeoutMs?: number | undefined },
): LiveInputArgs {
  const us = String(Math.max(1, Math.round(opts.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS)) * 1000);
  if (input.kind === 'url') {
    const url = input.url.trim();
    const s = scheme(url);
    if (s === 'rtsp' || s === 'rtsps')
      return {
        input: url,
        format: null,
        inputOptions: [
          ...LOW_DELAY,
          ...ANALYZE,
          '-protocol_whitelist',
          PROTOCOL_WHITELIST.rtsp,
          '-rtsp_transport',
          'tcp',
          '-timeout',
          us,
        ],
      };
    if (s === 'http' || s === 'https')
      return {
        input: url,
        format: null,
        inputOptions: [
          ...LOW_DELAY,
          ...ANALYZE,
          '-protocol_whitelist',
          PROTOCOL_WHITELIST.http,
          '-rw_timeout',
          us,
          '-reconnect',
          '1',
          '-reconnect_streamed',
          '1',
          '-reconnect_delay_max',
          '2',
        ],
      };
    if (s === 'udp')
      return {
        input: url,
        format: null,
        inputOptions: [
          ...LOW_DELAY,
          ...ANALYZE,
          '-protocol_whitelist',
          PROTOCOL_WHITELIST.udp,
          '-timeout',
          us,
        ],
      };
    throw new KvsError(
      'INVALID_ARGUMENT',
      'The address must start with rtsp://, rtsps://, http://, https:// or udp://.',
    );
  }
  const format = input.inputFormat ?? deviceFormat(opts.platform);
  if (format === null)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Cameras are read with v4l2 (Linux), avfoundation (macOS) or dshow (Windows); on ${opts.platform} name ffmpeg's input format with --input-format.`,
    );
  const name = input.inputFormat
    ? input.device.trim()
    : deviceInputName(input.device, opts.platform);
  return { input: name, format, inputOptions: [...LOW_DELAY, '-f', format] };
}
