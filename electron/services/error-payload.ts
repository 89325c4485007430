/**
 * A thrown value as the contract's ErrorPayload (code, message, detail): what crosses to the page.
 * A source URL's credentials never cross (redactUrl on the message and the detail).
 */
import type { ErrorPayload } from '../shared/contract.js';
import { toKvsError } from '../shared/errors.js';
import { redactUrl } from '../shared/redact-url.js';

export function errorPayload(e: unknown): ErrorPayload {
  const err = toKvsError(e);
  const message = redactUrl(err.message);
  return err.detail === undefined
    ? { code: err.code, message }
    : { code: err.code, message, detail: redactUrl(err.detail) };
}
