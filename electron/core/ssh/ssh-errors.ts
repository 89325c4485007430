/**
 * Errors of the SSH layer: KvsErrors whose code is one of the SSH codes (or a generic one the
 * layer reuses), so adapters show them like every other core error.
 */
import { KvsError, type ErrorCode } from '../errors.js';

export const SSH_ERROR_CODES = [
  'SSH_UNREACHABLE',
  'SSH_AUTH_FAILED',
  'SSH_HOST_KEY_UNKNOWN',
  'SSH_HOST_KEY_CHANGED',
  'SUDO_AUTH_FAILED',
  'SUDO_NOT_ALLOWED',
  'SSH_COMMAND_FAILED',
  'SSH_TIMEOUT',
] as const satisfies readonly ErrorCode[];

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
