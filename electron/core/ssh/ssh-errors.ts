/**
 * Errors of the SSH layer. These codes are to be merged into ERROR_CODES in
 * ../errors.ts by the lead; until then SshError mirrors KvsError's shape
 * (code, one-line message, optional detail, toJSON) so callers treat both alike.
 */
import type { ErrorCode } from '../errors.js';

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

export type SshErrorCode = (typeof SSH_ERROR_CODES)[number];

/** SSH codes plus the generic core codes the SSH layer reuses (INVALID_ARGUMENT, CANCELLED, INTERNAL). */
export type SshLayerErrorCode = SshErrorCode | Extract<ErrorCode, 'INVALID_ARGUMENT' | 'CANCELLED' | 'INTERNAL'>;

export class SshError extends Error {
  override readonly name = 'SshError';
  constructor(
    readonly code: SshLayerErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }

  toJSON(): { code: SshLayerErrorCode; message: string; detail?: string } {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isSshError(e: unknown): e is SshError {
  return e instanceof SshError;
}
