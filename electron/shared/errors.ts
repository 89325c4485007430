/**
 * Every failure the core reports to a person is a KvsError: a stable code (for
 * tests, the CLI's exit and the UI's wording) and a one-line plain message that
 * says what went wrong and, where we know it, what to do.
 */
/** Codes of the SSH layer (electron/core/ssh). */
export const SSH_ERROR_CODES = [
  'SSH_UNREACHABLE',
  'SSH_AUTH_FAILED',
  'SSH_HOST_KEY_UNKNOWN',
  'SSH_HOST_KEY_CHANGED',
  'SUDO_AUTH_FAILED',
  'SUDO_NOT_ALLOWED',
  'SSH_COMMAND_FAILED',
  'SSH_TIMEOUT',
] as const;

export const ERROR_CODES = [
  // ffmpeg / files
  'FFMPEG_NOT_FOUND',
  /** The ffmpeg found cannot encode H.264 (built without libx264). */
  'FFMPEG_NO_H264',
  'FILE_NOT_FOUND',
  'FILE_EMPTY',
  'FILE_NOT_A_FILE',
  'FILE_NOT_VIDEO',
  'FILE_TRUNCATED',
  'FILE_NO_VIDEO_STREAM',
  'FFMPEG_FAILED',
  'PROBE_TIMEOUT',
  // live sources (network URLs, cameras): what the probe or the stream said
  /** Nothing listens there, or the host cannot be found or reached. */
  'SOURCE_UNREACHABLE',
  /** Connected (or tried to) and no answer came in time. */
  'SOURCE_TIMEOUT',
  /** The source wants a user and password (HTTP 401/403, RTSP 401). */
  'SOURCE_UNAUTHORIZED',
  /** The server answered that there is no such stream (HTTP/RTSP 404). */
  'SOURCE_NOT_FOUND',
  /** It answered, but with no video ffmpeg can read. */
  'SOURCE_NOT_VIDEO',
  'DEVICE_NOT_FOUND',
  'DEVICE_BUSY',
  /** Another failure of a live source (the details say what ffmpeg said). */
  'SOURCE_FAILED',
  // export to a file
  'FILE_EXISTS',
  'FOLDER_NOT_WRITABLE',
  'EXPORT_EMPTY',
  // kafka
  'BOOTSTRAP_INVALID',
  'BROKER_UNREACHABLE',
  'TOPIC_INVALID',
  'TOPIC_NOT_FOUND',
  'TOPIC_EXISTS',
  'FRAME_TOO_LARGE',
  'KAFKA_ERROR',
  'TIMEOUT',
  /** An OAUTHBEARER login could not get its token from the token endpoint. */
  'OAUTH_TOKEN_FAILED',
  // secured clusters: what the TLS handshake or the SASL login said
  'KAFKA_AUTH_FAILED',
  'SASL_MECHANISM_NOT_ENABLED',
  'TLS_UNTRUSTED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_CERT_EXPIRED',
  'TLS_CLIENT_CERT_REQUIRED',
  'TLS_NOT_SPOKEN',
  // connection profiles
  /** A profile whose secrets are not remembered: connect again with them (detail: their names). */
  'PROFILE_SECRETS_NEEDED',
  'PROFILE_NOT_FOUND',
  /** Remembering secrets needs the OS keychain (the desktop app); nothing was stored. */
  'CANNOT_REMEMBER',
  // local broker script
  'JAVA_NOT_FOUND',
  'MAVEN_NOT_FOUND',
  'PORT_IN_USE',
  // ssh / setup
  ...SSH_ERROR_CODES,
  // a camera in the page (issue 17)
  /** No frame came from the page's camera for a while (the page went away or stopped sending). */
  'CAMERA_STALLED',
  // generic
  'CANCELLED',
  'INVALID_ARGUMENT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class KvsError extends Error {
  override readonly name = 'KvsError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; detail?: string } {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isKvsError(e: unknown): e is KvsError {
  return e instanceof KvsError;
}

/** Turn anything thrown into a KvsError, keeping a KvsError as it is. */
export function toKvsError(e: unknown, fallback: ErrorCode = 'INTERNAL'): KvsError {
  if (e instanceof KvsError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new KvsError(fallback, message);
}
