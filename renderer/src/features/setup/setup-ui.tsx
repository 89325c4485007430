/**
 * Small pieces the wizard's screens share: an action hook that remembers where its error
 * belongs (each screen shows one `setup-error`, next to what failed), and that error box.
 */
import { useCallback, useState } from 'react';
import { errorCode, errorMessage } from '../../transport/errors.js';

export interface SetupError {
  /** Which control the error belongs to, so it is shown next to it. */
  readonly at: string;
  readonly message: string;
  readonly code: string | null;
  readonly detail: string | null;
}

export interface SetupAction {
  /** Runs fn; an error becomes `error` at `at` (never thrown). Resolves to fn's value or undefined. */
  run<T>(at: string, fn: () => Promise<T>): Promise<T | undefined>;
  readonly pending: boolean;
  /** What is running now (null when nothing). */
  readonly running: string | null;
  readonly error: SetupError | null;
  fail(at: string, message: string): void;
  clear(): void;
}

function detailOf(err: unknown): string | null {
  if (err && typeof err === 'object' && 'detail' in err && typeof err.detail === 'string')
    return err.detail === '' ? null : err.detail;
  return null;
}

/** useAction with the error's place and code: one call at a time per screen. */
export function useSetupAction(): SetupAction {
  const [running, setRunning] = useState<string | null>(null);
  const [error, setError] = useState<SetupError | null>(null);
  const run = useCallback(async <T,>(at: string, fn: () => Promise<T>): Promise<T | undefined> => {
    setRunning(at);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError({ at, message: errorMessage(err), code: errorCode(err), detail: detailOf(err) });
      return undefined;
    } finally {
      setRunning(null);
    }
  }, []);
  const fail = useCallback((at: string, message: string) => {
    setError({ at, message, code: null, detail: null });
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { run, pending: running !== null, running, error, fail, clear };
}

/** The screen's error, when it belongs at `at`. */
export function ErrorBox({
  error,
  at,
  hint,
}: {
  error: SetupError | null;
  at: string | readonly string[];
  hint?: string | null;
}) {
  const places = typeof at === 'string' ? [at] : at;
  if (error === null || !places.includes(error.at)) return null;
  return (
    <div className="error-box" role="alert" data-testid="setup-error">
      <strong>{error.message}</strong>
      {error.detail !== null && <div className="setup-error-detail">{error.detail}</div>}
      {hint && <div className="setup-error-detail">{hint}</div>}
    </div>
  );
}
