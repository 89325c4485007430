/**
 * A cluster run as it goes (an install or a rolling restart): overall progress and cancel, then
 * each server's steps and live log, then the checks from this computer.
 */
import { useServicesReady } from '../../shared/api-context.js';
import { CheckRow } from '../../shared/check-row.js';
import { clusterProgress, nodeStatus, type ClusterRunView } from './cluster-run-view.js';
import { LogView } from './install-step.js';
import { STATUS_LABELS, STATUS_TONES, type RunView } from './run-view.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';

export function ClusterProgress({
  run,
  active,
  onCancel,
  what,
  testId,
}: {
  run: ClusterRunView;
  active: boolean;
  onCancel(): Promise<void>;
  /** "install", "rolling restart". */
  what: string;
  /** The container's data-testid (cluster-run, cluster-rolling). */
  testId: string;
}) {
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const { done, total } = clusterProgress(run);
  // the server a step runs on now (a node can wait half-done: its port check comes after the others)
  const stepRunning = (r: RunView) => r.steps.some((s) => s.status === 'running');
  const runningNode = run.nodes.find((n) => stepRunning(n.run));
  const text = `${done} of ${total} steps done`;
  return (
    <div className="setup-install" data-testid={testId}>
      <div
        className={`bar bar-main${active && done === 0 ? ' indeterminate' : ''}`}
        role="progressbar"
        data-testid={`${testId}-progress`}
        aria-label={`Cluster ${what} progress`}
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
          {active && runningNode ? ` — now on ${runningNode.label}` : ''}
        </span>
        <span className="spacer" />
        {active && (
          <button
            type="button"
            className="danger"
            data-testid={`${testId}-cancel`}
            disabled={!servicesReady || action.pending}
            onClick={() => void action.run('cancel', onCancel)}
          >
            {action.pending ? 'Cancelling…' : `Cancel the ${what}`}
          </button>
        )}
      </div>
      <ErrorBox error={action.error} at="cancel" />
      {run.nodes.map((n, i) => (
        <Steps
          key={i}
          heading={n.label}
          run={n.run}
          node={i}
          testId={testId}
          open={active ? stepRunning(n.run) : ['failed', 'cancelled'].includes(nodeStatus(n.run))}
        />
      ))}
      {run.checks.steps.length > 0 && (
        <Steps
          heading="From this computer"
          run={run.checks}
          node={null}
          testId={testId}
          open={nodeStatus(run.checks) !== 'pending'}
        />
      )}
    </div>
  );
}

function Steps({
  heading,
  run,
  node,
  testId,
  open,
}: {
  heading: string;
  run: RunView;
  node: number | null;
  testId: string;
  open: boolean;
}) {
  const status = nodeStatus(run);
  return (
    <details
      className="setup-cluster-node"
      data-testid={node === null ? `${testId}-checks` : `${testId}-node`}
      data-node={node ?? undefined}
      data-status={status}
      open={open || undefined}
    >
      <summary>
        <strong>{heading}</strong> — {STATUS_LABELS[status]}
      </summary>
      <ol className="check-rows setup-rows">
        {run.steps.map((s) => (
          <CheckRow
            key={s.index}
            tone={STATUS_TONES[s.status]}
            title={`${s.index + 1}. ${s.title}`}
            label={STATUS_LABELS[s.status]}
            detail={s.error}
            data-testid={`${testId}-step-row`}
            data-status={s.status}
          />
        ))}
      </ol>
      <LogView
        lines={run.log}
        dropped={run.droppedLines}
        title={node === null ? 'Log of the checks from this computer' : `Log of ${heading}`}
        testId={`${testId}-log`}
      />
    </details>
  );
}
