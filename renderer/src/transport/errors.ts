/**
 * Errors the UI shows. A call that fails on the service arrives as an ErrorPayload
 * (code + plain message); the transport turns it into a `KvsCallError` so the
 * code survives. `errorMessage` gives the text to show for anything thrown.
 */
import type { ErrorPayload } from '../../../electron/shared/contract.js';

export type TransportErrorCode =
  | 'SERVICES_TIMEOUT'
  | 'SERVICES_UNREACHABLE'
  | 'SERVICES_DISCONNECTED'
  | 'BAD_REPLY'
  | 'BAD_ARGS'
  | 'UPLOAD_FAILED'
  | 'UPLOAD_ABORTED';

export class KvsCallError extends Error {
  readonly code: string;
  readonly detail: string | undefined;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'KvsCallError';
    this.code = payload.code;
    this.detail = payload.detail;
  }
}

export function transportError(
  code: TransportErrorCode,
  message: string,
  detail?: string,
): KvsCallError {
  return new KvsCallError(detail === undefined ? { code, message } : { code, message, detail });
}

/** Electron wraps errors thrown in main as "Error invoking remote method 'x': Error: msg". */
const ELECTRON_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** The message to show a person for any thrown value. Never empty. */
export function errorMessage(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.message;
  else if (typeof err === 'string') text = err;
  else if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string')
    text = err.message;
  else text = '';
  text = text.replace(ELECTRON_PREFIX, '').trim();
  return text === '' ? 'Something went wrong (no details were given).' : text;
}

/** The error code when there is one (service codes such as KAFKA_UNREACHABLE, or transport codes). */
export function errorCode(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string')
    return err.code;
  return null;
}
