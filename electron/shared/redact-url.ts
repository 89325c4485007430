/**
 * The one place a source URL's secrets are hidden before anything prints it: the user and
 * password of `scheme://user:pass@host` and the values of query parameters that usually carry a
 * secret (password, token, key, signature, …). Works on a URL alone or on any text that contains
 * URLs (ffmpeg's stderr, an error message), so every printer can pass what it prints through it.
 * Pure (no Node, no DOM): the CLI, the app services and the page use the same function.
 */

/**
 * `scheme://user:password@` or `scheme://user@` (a user alone can be a token, e.g. a key), up to
 * the LAST `@` before the path: ffmpeg splits the login there, so a password with a plain `@`
 * (`rtsp://admin:p@ss@cam/x`) is hidden whole.
 */
const USERINFO_RE = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)@/gi;
/** Query parameters whose value is a secret. */
const SECRET_PARAM_RE =
  /([?&;](?:pass(?:word|wd)?|pwd|token|access_token|auth|authorization|key|api_?key|secret|sig|signature|credentials?)=)([^&#\s"'<>]*)/gi;

export const REDACTED = '***';

/** The text with every URL's credentials replaced by `***`. */
export function redactUrl(text: string): string {
  return text
    .replace(USERINFO_RE, (_m, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(SECRET_PARAM_RE, (_m, name: string) => `${name}${REDACTED}`);
}

/** Does the text carry credentials that redactUrl would hide? */
export function hasUrlCredentials(text: string): boolean {
  return redactUrl(text) !== text;
}
