/**
 * The connection doctor's state for the Kafka broker panel: doctor:run and
 * doctor:fix-on-server calls (one at a time; the newest wins, late answers of older ones are
 * dropped), the 20 s guard against a call that never answers, and the runs it starts by
 * itself when a connect attempt fails or connects to a broker that advertises other addresses.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  ConnectionStatus,
  ConnectTarget,
  Diagnosis,
} from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { errorCode, errorMessage } from '../../transport/errors.js';
import {
  DOCTOR_OVERDUE_MS,
  INITIAL_TRACKER,
  overdueMessage,
  trackConnectError,
  trackStatus,
  type AutoReason,
  type AutoRun,
  type TrackStep,
} from './doctor-logic.js';
import { useLatestCall } from '../../shared/latest-call.js';

export type DoctorReason = 'manual' | AutoReason;

export interface DoctorBusy {
  readonly kind: 'run' | 'fix';
  readonly bootstrap: string;
  readonly startedAt: number;
}

export interface DoctorResult {
  /** New for every result shown (a React key). */
  readonly id: number;
  readonly diagnosis: Diagnosis;
  readonly reason: DoctorReason;
  /** Set when this diagnosis came back from "Fix on server". */
  readonly fixed: { readonly host: string; readonly advertise: string } | null;
}

export interface Doctor {
  readonly busy: DoctorBusy | null;
  readonly result: DoctorResult | null;
  readonly error: string | null;
  /**
   * Diagnose `bootstrap` (replaces what is shown), over `target`'s settings when given (a profile,
   * TLS/SASL settings; its bootstrap is what `bootstrap` names). Never throws.
   */
  run(bootstrap: string, reason?: DoctorReason, target?: ConnectTarget): void;
  /** Apply the shown diagnosis' serverFix on the server; the answer replaces the result. */
  fixOnServer(): void;
  /** Hide the result and the error (and forget a call still out). */
  dismiss(): void;
  /** The page's connection:connect call was refused with `err` (diagnosed once per attempt). */
  connectFailed(bootstrap: string, err: unknown): void;
}

/**
 * `target`: what the page last tried to connect with; the runs the doctor starts by itself use it
 * (a profile's TLS and login), so they diagnose the connection that failed, not a PLAINTEXT one.
 */
export function useDoctor(
  status: ConnectionStatus | null,
  target: ConnectTarget | null = null,
  targetBootstrap: string | null = null,
): Doctor {
  const api = useApi();
  const [busy, setBusyState] = useState<DoctorBusy | null>(null);
  const [result, setResult] = useState<DoctorResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The newest call; answers of older ones are dropped. */
  const latest = useLatestCall();
  const overdueTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const tracker = useRef(INITIAL_TRACKER);
  /** `busy` without waiting for a render (the handlers below read it). */
  const busyRef = useRef<DoctorBusy | null>(null);
  const setBusy = useCallback((b: DoctorBusy | null) => {
    busyRef.current = b;
    setBusyState(b);
  }, []);

  const stopTimer = () => {
    if (overdueTimer.current !== null) clearTimeout(overdueTimer.current);
    overdueTimer.current = null;
  };
  useEffect(() => stopTimer, []);

  const targetRef = useRef({ target, bootstrap: targetBootstrap });
  useEffect(() => {
    targetRef.current = { target, bootstrap: targetBootstrap };
  }, [target, targetBootstrap]);
  /** The target for a run the doctor starts by itself: the page's, only if it is for `bootstrap`. */
  const autoTarget = (bootstrap: string): ConnectTarget | undefined =>
    targetRef.current.bootstrap === bootstrap ? (targetRef.current.target ?? undefined) : undefined;

  const run = useCallback(
    (bootstrap: string, reason: DoctorReason = 'manual', target?: ConnectTarget) => {
      const call = latest.next();
      stopTimer();
      setBusy({ kind: 'run', bootstrap, startedAt: Date.now() });
      setResult(null);
      setError(null);
      // belt and braces: the service stops at ~10 s, the page stops waiting at 20 s
      overdueTimer.current = setTimeout(() => {
        overdueTimer.current = null;
        if (!latest.isCurrent(call)) return;
        setBusy(null);
        setError(overdueMessage(bootstrap));
      }, DOCTOR_OVERDUE_MS);
      api.invoke('doctor:run', target ?? { bootstrap }).then(
        (diagnosis) => {
          if (!latest.isCurrent(call)) return;
          stopTimer();
          setBusy(null);
          setError(null);
          setResult({ id: call, diagnosis, reason, fixed: null });
        },
        (err: unknown) => {
          if (!latest.isCurrent(call)) return;
          stopTimer();
          setBusy(null);
          setError(`Could not diagnose ${bootstrap}: ${errorMessage(err)}`);
        },
      );
    },
    [api, latest, setBusy],
  );

  const fixOnServer = useCallback(() => {
    const shown = result;
    const fix = shown?.diagnosis.serverFix ?? null;
    if (shown === null || fix === null || busyRef.current !== null) return;
    const call = latest.next();
    stopTimer();
    const bootstrap = shown.diagnosis.bootstrap;
    setBusy({ kind: 'fix', bootstrap, startedAt: Date.now() });
    setError(null);
    api
      .invoke('doctor:fix-on-server', {
        sessionId: fix.sessionId,
        bootstrap,
        advertise: fix.advertise,
      })
      .then(
        (diagnosis) => {
          if (!latest.isCurrent(call)) return;
          setBusy(null);
          setResult({
            id: call,
            diagnosis,
            reason: shown.reason,
            fixed: { host: fix.host, advertise: fix.advertise },
          });
        },
        (err: unknown) => {
          if (!latest.isCurrent(call)) return;
          setBusy(null);
          setError(`Could not fix it on ${fix.host}: ${errorMessage(err)}`);
        },
      );
  }, [api, latest, result, setBusy]);

  const dismiss = useCallback(() => {
    latest.cancel();
    stopTimer();
    setBusy(null);
    setResult(null);
    setError(null);
  }, [latest, setBusy]);

  const apply = (step: TrackStep): AutoRun | null => {
    tracker.current = step.tracker;
    return step.run;
  };

  // Runs by itself, once per connect attempt; a new attempt hides a finished result.
  useEffect(() => {
    const step = trackStatus(tracker.current, status);
    const auto = apply(step);
    if (auto !== null) run(auto.bootstrap, auto.reason, autoTarget(auto.bootstrap));
    else if (step.attemptStarted && busyRef.current === null) {
      latest.cancel();
      setResult(null);
      setError(null);
    }
  }, [latest, status, run]);

  const connectFailed = useCallback(
    (bootstrap: string, err: unknown) => {
      const auto = apply(trackConnectError(tracker.current, bootstrap, errorCode(err)));
      if (auto !== null) run(auto.bootstrap, auto.reason, autoTarget(auto.bootstrap));
    },
    [run],
  );

  return { busy, result, error, run, fixOnServer, dismiss, connectFailed };
}
