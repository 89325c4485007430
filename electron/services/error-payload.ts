/** A thrown value as the contract's ErrorPayload (code, message, detail): what crosses to the page. */
import type { ErrorPayload } from '../shared/contract.js';
import { toKvsError } from '../shared/errors.js';

export function errorPayload(e: unknown): ErrorPayload {
  const err = toKvsError(e);
  return err.detail === undefined
    ? { code: err.code, message: err.message }
    : { code: err.code, message: err.message, detail: err.detail };
}
