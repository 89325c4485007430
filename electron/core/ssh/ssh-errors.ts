/**
 * Errors of the SSH layer: KvsErrors whose code is one of the SSH codes (or a generic one the
 * layer reuses), so adapters show them like every other core error.
 */
import { KvsError, SSH_ERROR_CODES, type ErrorCode } from '../../shared/errors.js';

export { SSH_ERROR_CODES };

export type SshErrorCode = (typeof SSH_ERROR_CODES)[number];

/** SSH codes plus the generic core codes the SSH layer reuses (INVALID_ARGUMENT, CANCELLED, INTERNAL). */
export type SshLayerErrorCode = SshErrorCode | Extract<ErrorCode, 'INVALID_ARGUMENT' | 'CANCELLED' | 'INTERNAL'>;

export class SshError extends KvsError {
  declare readonly code: SshLayerErrorCode;
  constructor(code: SshLayerErrorCode, message: string, detail?: string) {
    super(code, message, detail);
  }
}

export function isSshError(e: unknown): e is SshError {
  return e instanceof SshError;
}

/** What a call on a connection that has already closed gets. */
export function connectionClosed(host: string): SshError {
  return new SshError('SSH_UNREACHABLE', `The connection to ${host} is closed.`, 'reason=closed');
}
