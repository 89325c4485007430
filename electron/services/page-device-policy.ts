/**
 * What a page may ask the host to open as a camera. The app services are the page's trust
 * boundary, and a device source goes to ffmpeg as `-f <format> -i <device>`: with a free format
 * a page could make the host read its files (`-f lavfi movie=/home/…`, image2, concat), write
 * them (filters with a stats file) or skip the URL checks (`-f hls http://…`) — in `kvs serve`,
 * where opening a host path is turned off on purpose. So a page gets the platform's own camera
 * input only, and on Linux a video device node only. The CLI, run by the user on their own
 * computer, keeps any `--input-format`.
 */
import { deviceFormat, type Platform } from '../core/ffmpeg/live-input.js';

export function pageDeviceProblem(
  source: { readonly device: string; readonly inputFormat?: string | undefined },
  platform: Platform,
): string | null {
  const own = deviceFormat(platform);
  if (own === null) return 'Cameras on the host are not supported on this system.';
  if (source.inputFormat !== undefined && source.inputFormat !== own)
    return `The app opens a camera on the host with ${own} only. Other ffmpeg input formats can be used from the command line: kvs produce --device … --input-format ….`;
  if (platform === 'linux' && !/^(\/dev\/video\d+|video\d+|\d+)$/.test(source.device.trim()))
    return 'On Linux a camera is a video device, /dev/videoN (or its number N): see Look for cameras, or kvs devices.';
  return null;
}
