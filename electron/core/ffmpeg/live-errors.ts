/**
 * What went wrong with a live source, from what ffprobe/ffmpeg wrote on stderr: one KvsError with
 * a distinct code and a plain message per cause (unreachable or refused, timed out, unauthorized,
 * no such stream, not video, device not found or busy). Pure and unit-tested on real stderr lines.
 * Every message and detail passes through redactUrl: a URL's password never reaches a person.
 */
import { KvsError, type ErrorCode } from '../../shared/errors.js';
import { redactUrl } from '../../shared/redact-url.js';
import type { LiveInput } from '../../shared/source-input.js';

/** How the source is named in messages: the redacted URL, or the device. */
export function liveSourceLabel(input: LiveInput): string {
  return input.kind === 'url' ? redactUrl(input.url.trim()) : input.device.trim();
}

function tail(text: string, lines = 8): string {
  return text.trim().split(/\r?\n/).slice(-lines).join('\n');
}

function err(code: ErrorCode, message: string, stderr: string): KvsError {
  const detail = redactUrl(tail(stderr));
  return new KvsError(code, redactUrl(message), detail === '' ? undefined : detail);
}

/** The error of a live source whose probe or read failed; `timedOut`: our own time limit fired. */
export function liveSourceError(
  input: LiveInput,
  stderr: string,
  opts: { readonly timedOut?: boolean; readonly timeoutMs?: number } = {},
): KvsError {
  const label = liveSourceLabel(input);
  const secs = Math.max(1, Math.round((opts.timeoutMs ?? 10_000) / 1000));
  const s = stderr;
  if (/stopped by SIGSEGV/.test(s))
    return err(
      'FFMPEG_FAILED',
      `ffprobe crashed while opening ${label} (static ffprobe builds crash on network addresses). Set FFPROBE_PATH to the ffprobe of your system's ffmpeg.`,
      s,
    );
  if (input.kind === 'device') {
    if (/Device or resource busy|already in use|Could not lock/i.test(s))
      return err(
        'DEVICE_BUSY',
        `The camera "${label}" is busy: another program is using it. Close that program (a video call, another capture) and try again.`,
        s,
      );
    if (
      /No such file or directory|No such device|Could not find video device|Cannot open video device|not found|Could not enumerate|does not exist/i.test(
        s,
      )
    )
      return err(
        'DEVICE_NOT_FOUND',
        `There is no camera "${label}". List the cameras with kvs devices (or the device list), then pick one of them.`,
        s,
      );
    if (/Permission denied/i.test(s))
      return err(
        'DEVICE_BUSY',
        `The camera "${label}" cannot be opened: permission denied. On Linux add yourself to the "video" group; on macOS allow camera access for this app.`,
        s,
      );
    if (opts.timedOut)
      return err('SOURCE_TIMEOUT', `The camera "${label}" sent no picture within ${secs} s.`, s);
    if (/Invalid data|could not find codec parameters|no video stream/i.test(s))
      return err('SOURCE_NOT_VIDEO', `The camera "${label}" gives no video ffmpeg can read.`, s);
    return err(
      'SOURCE_FAILED',
      `The camera "${label}" could not be read. The details show ffmpeg's last messages.`,
      s,
    );
  }
  if (/\b401\b|Unauthorized|\b403\b|Forbidden/i.test(s))
    return err(
      'SOURCE_UNAUTHORIZED',
      `${label} needs a user name and password (the server answered "unauthorized"). Put them in the address, e.g. rtsp://user:password@host/path; they are never shown or logged.`,
      s,
    );
  if (/\b404\b|Not Found/i.test(s))
    return err(
      'SOURCE_NOT_FOUND',
      `${label}: the server has no stream at that path (404 not found). Check the path in the address.`,
      s,
    );
  if (
    /Connection refused|No route to host|Network is unreachable|Name or service not known|Failed to resolve|Temporary failure in name resolution|Cannot assign requested address|Host is unreachable/i.test(
      s,
    )
  )
    return err(
      'SOURCE_UNREACHABLE',
      `${label} cannot be reached: nothing answers there (connection refused, or no such host). Check the address and port, and that the camera or server is on.`,
      s,
    );
  if (opts.timedOut || /timed out|Timeout|ETIMEDOUT/i.test(s))
    return err(
      'SOURCE_TIMEOUT',
      `${label} did not answer within ${secs} s. Check the address and port, and that nothing (a firewall) holds the connection.`,
      s,
    );
  if (
    /Invalid data found|could not find codec parameters|Unknown input format|no video stream|does not contain any stream|Output file #0 does not contain/i.test(
      s,
    )
  )
    return err(
      'SOURCE_NOT_VIDEO',
      `${label} answered, but not with a video ffmpeg can read. Check that the address is the video stream itself (an .m3u8 playlist, an MJPEG stream, an RTSP path), not a web page.`,
      s,
    );
  return err(
    'SOURCE_FAILED',
    `${label} could not be read. The details show ffmpeg's last messages.`,
    s,
  );
}
