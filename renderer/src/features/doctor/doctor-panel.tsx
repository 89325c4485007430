/**
 * The connection doctor's answer inside the Kafka broker panel: a headline, the checks in the
 * order they ran (the first failure marked), the brokers the metadata named, and the findings
 * with the exact change to make (copyable), plus "Fix on server" when the setup wizard is
 * logged in to that broker's server. State and calls live in useDoctor.
 */
import { useRef, useState } from 'react';
import type { Diagnosis, DoctorFinding } from '../../../../electron/shared/contract.js';
import { useServicesReady, useNow } from '../../shared/api-context.js';
import { CheckRow } from '../../shared/check-row.js';
import {
  autoReasonText,
  CHECK_STATUS_LABELS,
  CHECK_TONES,
  checkTime,
  FIX_SLOW_MS,
  firstFailureIndex,
  fixOnServerConfirmText,
  fixOnServerLabel,
  fixRunningText,
  headline,
  RUNNING_TEXT,
  SERVER_FIX_PORT,
  SEVERITY_LABELS,
  summaryLines,
} from './doctor-logic.js';
import type { Doctor, DoctorResult } from './use-doctor.js';
import { copyOrSelect } from '../../shared/copy-text.js';
import { Status, StatusLine } from '../../shared/status.js';

export function DoctorPanel({ doctor }: { doctor: Doctor }) {
  const { busy, result, error } = doctor;
  if (busy === null && result === null && error === null) return null;
  return (
    <section className="doctor" data-testid="doctor" aria-label="Connection doctor">
      <div className="doctor-head">
        <h3>Connection doctor</h3>
        {busy === null && (
          <button
            type="button"
            className="link"
            data-testid="doctor-dismiss"
            onClick={doctor.dismiss}
          >
            Dismiss
          </button>
        )}
      </div>
      {busy?.kind === 'run' && (
        <Status
          status="busy"
          headline={RUNNING_TEXT}
          lines={[`Checking ${busy.bootstrap} step by step.`]}
          data-testid="doctor-running"
        />
      )}
      {error !== null && (
        <div className="error-box" role="alert" data-testid="doctor-error">
          {error}
        </div>
      )}
      {result !== null && <ResultView key={result.id} result={result} doctor={doctor} />}
    </section>
  );
}

function ResultView({ result, doctor }: { result: DoctorResult; doctor: Doctor }) {
  const d = result.diagnosis;
  const lines = summaryLines(d);
  const firstFailure = firstFailureIndex(d.checks);
  return (
    <div className="doctor-result" data-testid="doctor-result" data-ok={String(d.ok)}>
      <Status
        status={d.ok ? 'ok' : 'error'}
        headline={headline(d)}
        lines={lines}
        data-testid="doctor-headline"
      />
      {result.reason !== 'manual' && (
        <p className="muted doctor-note" data-testid="doctor-reason">
          {autoReasonText(result.reason, d.bootstrap)}
        </p>
      )}
      {result.fixed !== null && (
        <p className="ok-text" data-testid="doctor-fixed">
          Changed on {result.fixed.host}: advertised.listeners now names {result.fixed.advertise}:
          {SERVER_FIX_PORT} and Kafka was restarted. This is the diagnosis after the change.
        </p>
      )}

      {d.findings.length > 0 && (
        <>
          <h3>{d.ok ? 'Worth a look' : 'What to change'}</h3>
          <ul className="doctor-findings">
            {d.findings.map((f, i) => (
              <Finding key={`${f.code}-${i}`} finding={f} />
            ))}
          </ul>
        </>
      )}
      {d.serverFix !== null && <ServerFix serverFix={d.serverFix} doctor={doctor} />}

      {d.checks.length > 0 && (
        <>
          <h3>Checks</h3>
          <ol className="check-rows">
            {d.checks.map((c, i) => {
              const first = i === firstFailure;
              return (
                <CheckRow
                  key={`${c.id}-${i}`}
                  tone={CHECK_TONES[c.status]}
                  emphasis={first}
                  title={c.title}
                  label={first ? 'Failed here' : CHECK_STATUS_LABELS[c.status]}
                  aside={
                    <span className="check-row-ms" data-testid="doctor-check-ms">
                      {checkTime(c)}
                    </span>
                  }
                  detail={c.detail}
                  data-testid="doctor-check"
                  data-check={c.id}
                  data-status={c.status}
                  data-first-failure={first ? 'true' : undefined}
                  aria-current={first ? 'step' : undefined}
                />
              );
            })}
          </ol>
        </>
      )}

      {d.brokers.length > 0 && (
        <>
          <h3>Brokers the metadata named</h3>
          <ul className="doctor-brokers">
            {d.brokers.map((b) => (
              <li
                key={`${b.nodeId}-${b.advertised}`}
                data-testid="doctor-broker"
                data-node-id={b.nodeId}
                data-reachable={String(b.reachable)}
              >
                <span className="doctor-broker-node">Node {b.nodeId}</span>
                <code className="doctor-broker-address">{b.advertised}</code>
                <span
                  className={`doctor-reach ${b.reachable ? 'doctor-reach-yes' : 'doctor-reach-no'}`}
                >
                  reachable: {b.reachable ? 'yes' : 'no'}
                </span>
                {b.clusterId !== null && d.clusterId !== null && b.clusterId !== d.clusterId && (
                  <span className="doctor-broker-note">
                    answers for another cluster ({b.clusterId})
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Finding({ finding }: { finding: DoctorFinding }) {
  return (
    <li
      className={`doctor-finding doctor-finding-${finding.severity}`}
      data-testid="doctor-finding"
      data-code={finding.code}
      data-severity={finding.severity}
    >
      <div className="doctor-finding-head">
        <span className={`doctor-sev doctor-sev-${finding.severity}`}>
          {SEVERITY_LABELS[finding.severity]}
        </span>
        <span className="doctor-finding-code">{finding.code}</span>
      </div>
      <p className="doctor-finding-message">{finding.message}</p>
      {finding.fix !== '' && <FixCode text={finding.fix} />}
    </li>
  );
}

/** The fix as a code block, with a copy button (selects the text when the clipboard is refused). */
function FixCode({ text }: { text: string }) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const codeRef = useRef<HTMLElement | null>(null);
  const copy = () => {
    void copyOrSelect(text, codeRef.current).then((how) =>
      setCopied(how === 'copied' ? 'yes' : 'select'),
    );
  };
  return (
    <>
      <div className="doctor-fix-row">
        <code ref={codeRef} className="doctor-fix" data-testid="doctor-fix">
          {text}
        </code>
        <button
          type="button"
          className="secondary doctor-copy"
          data-testid="doctor-fix-copy"
          aria-label={copied === 'yes' ? 'Copied' : 'Copy the fix'}
          onClick={copy}
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'select' && (
        <p className="muted">Selected — press Ctrl+C (⌘C on a Mac) to copy it.</p>
      )}
    </>
  );
}

function ServerFix({
  serverFix,
  doctor,
}: {
  serverFix: NonNullable<Diagnosis['serverFix']>;
  doctor: Doctor;
}) {
  const servicesReady = useServicesReady();
  const [confirming, setConfirming] = useState(false);
  const fixing = doctor.busy?.kind === 'fix';
  const now = useNow(fixing);

  if (fixing && doctor.busy !== null) {
    const elapsed = Math.max(0, now - doctor.busy.startedAt);
    return (
      <Status
        status="busy"
        className="doctor-server-fix"
        headline={fixRunningText(serverFix)}
        data-testid="doctor-fix-running"
      >
        <StatusLine>
          {Math.floor(elapsed / 1000)} s
          {elapsed >= FIX_SLOW_MS ? ' — taking longer than usual; Kafka may be slow to start.' : ''}
        </StatusLine>
      </Status>
    );
  }
  if (confirming)
    return (
      <div
        className="doctor-confirm doctor-server-fix"
        role="group"
        aria-label="Confirm the fix on the server"
      >
        <p>{fixOnServerConfirmText(serverFix)}</p>
        <div className="row">
          <button
            type="button"
            className="danger"
            data-testid="doctor-fix-confirm"
            disabled={!servicesReady || doctor.busy !== null}
            onClick={() => {
              setConfirming(false);
              doctor.fixOnServer();
            }}
          >
            Change it and restart Kafka
          </button>
          <button
            type="button"
            className="secondary"
            data-testid="doctor-fix-cancel"
            onClick={() => setConfirming(false)}
          >
            Cancel
          </button>
        </div>
      </div>
    );
  return (
    <div className="doctor-server-fix">
      <button
        type="button"
        className="doctor-fix-button"
        data-testid="doctor-fix-on-server"
        disabled={!servicesReady || doctor.busy !== null}
        onClick={() => setConfirming(true)}
      >
        {fixOnServerLabel(serverFix.advertise)}
      </button>
      <p className="help">
        The setup wizard is logged in to {serverFix.host}, so the app can make this change there.
      </p>
    </div>
  );
}
