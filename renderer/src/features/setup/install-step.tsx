/** Step 5: the install as it runs — progress, each step's state, the live log, cancel. */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useServicesReady } from '../../shared/api-context.js';
import { CheckRow } from '../../shared/check-row.js';
import { runProgress, STATUS_LABELS, STATUS_TONES, type RunView } from './run-view.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';

export function InstallProgress({
  run,
  active,
  onCancel,
}: {
  run: RunView;
  /** Still running (cancel possible). */
  active: boolean;
  onCancel(): Promise<void>;
}) {
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const { done, total } = runProgress(run);
  const current = run.steps.find((s) => s.status === 'running');
  const text = `${done} of ${total} steps done`;
  return (
    <div className="setup-install">
      <div
        className={`bar bar-main${active && done === 0 ? ' indeterminate' : ''}`}
        role="progressbar"
        data-testid="setup-progress"
        aria-label="Install progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={text}
      >
        <div
          className="bar-fill"
          style={{ width: `${total > 0 ? (done / total) * 100 : active ? 100 : 0}%` }}
        />
      </div>
      <div className="row">
        <span className="muted" aria-live="polite">
          {text}
          {active && current ? ` — now: ${current.title}` : ''}
        </span>
        <span className="spacer" />
        {/* only while it runs: a finished install has nothing to cancel */}
        {active && (
          <button
            type="button"
            className="danger"
            data-testid="setup-cancel"
            disabled={!servicesReady || action.pending}
            onClick={() => void action.run('cancel', onCancel)}
          >
            {action.pending ? 'Cancelling…' : 'Cancel install'}
          </button>
        )}
      </div>
      <ErrorBox error={action.error} at="cancel" />
      <ol className="check-rows setup-rows">
        {run.steps.map((s) => (
          <CheckRow
            key={s.index}
            tone={STATUS_TONES[s.status]}
            title={`${s.index + 1}. ${s.title}`}
            label={STATUS_LABELS[s.status]}
            detail={s.error}
            data-testid="setup-step-row"
            data-status={s.status}
          />
        ))}
      </ol>
      <LogView lines={run.log} dropped={run.droppedLines} />
    </div>
  );
}

/** The live log: follows the end unless the person scrolled up to read. */
export function LogView({
  lines,
  dropped,
  title = 'Log',
  testId = 'setup-log',
}: {
  lines: readonly string[];
  dropped: number;
  title?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLPreElement | null>(null);
  const follow = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  // Shown again (the wizard was closed, lines came meanwhile): back to the end if following.
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => {
      if (follow.current && el.clientHeight > 0) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return (
    <div className="setup-log-wrap">
      <h3>{title}</h3>
      {dropped > 0 && (
        <p className="muted">
          Showing the last {lines.length} lines ({dropped} earlier lines not kept).
        </p>
      )}
      <pre
        ref={ref}
        className="setup-log"
        data-testid={testId}
        tabIndex={0}
        aria-label={title === 'Log' ? 'Install log' : title}
        onScroll={(e) => {
          const el = e.currentTarget;
          if (el.clientHeight === 0) return; // hidden: not the person scrolling
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length === 0 ? 'Waiting for output…' : lines.join('\n')}
      </pre>
    </div>
  );
}
