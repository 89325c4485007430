/** Step 5: the install as it runs — progress, each step's state, the live log, cancel. */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { runProgress, type RunView } from './run-view.js';
import { RunProgressBar } from './run-progress-bar.js';
import { RunStepRows } from './run-step-rows.js';

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
  const { done, total } = runProgress(run);
  const current = run.steps.find((s) => s.status === 'running');
  return (
    <div className="setup-install">
      <RunProgressBar
        done={done}
        total={total}
        active={active}
        now={current ? ` — now: ${current.title}` : ''}
        label="Install progress"
        testId="setup-progress"
        cancelTestId="setup-cancel"
        cancelLabel="Cancel install"
        onCancel={onCancel}
      />
      <RunStepRows steps={run.steps} testId="setup-step-row" />
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
