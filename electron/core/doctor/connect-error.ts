/**
 * A failed connect, explained by the doctor (issue 15): kafkajs sees "connection refused" when a
 * broker advertises loopback, or "closed the connection" for a protocol mix-up; the doctor knows
 * why. When its diagnosis has an error finding, the connect error becomes that finding's message
 * and fix — with the finding's code where it is also an error code (TLS_…, KAFKA_AUTH_FAILED,
 * SASL_MECHANISM_NOT_ENABLED), else the connect error's own code — and the client's message
 * moves to `detail`. Pure: the caller runs the diagnosis within its own budget.
 */
import { ERROR_CODES, KvsError, type ErrorCode } from '../../shared/errors.js';
import type { DiagnoseResult } from './diagnosis-report.js';

const isErrorCode = (code: string): code is ErrorCode =>
  (ERROR_CODES as readonly string[]).includes(code);

export function explainConnectError(err: KvsError, d: DiagnoseResult | null): KvsError {
  const f = d?.findings.find((x) => x.severity === 'error');
  if (f === undefined) return err;
  const detail = [err.message, err.detail].filter((x) => x !== undefined && x !== '').join(' | ');
  return new KvsError(
    isErrorCode(f.code) ? f.code : err.code,
    `${f.message} Fix: ${f.fix}`,
    `${f.code} (the connection doctor); the client said: ${detail}`,
  );
}
