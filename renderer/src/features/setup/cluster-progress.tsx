/**
 * A cluster run as it goes (an install or a rolling restart): overall progress and cancel, then
 * each server's steps and live log, then the checks from this computer.
 */
import { clusterProgress, nodeStatus, type ClusterRunView } from './cluster-run-view.js';
import { LogView } from './install-step.js';
import { STATUS_LABELS, type RunView } from './run-view.js';
import { RunProgressBar } from './run-progress-bar.js';
import { RunStepRows } from './run-step-rows.js';

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
  const { done, total } = clusterProgress(run);
  // the server a step runs on now (a node can wait half-done: its port check comes after the others)
  const stepRunning = (r: RunView) => r.steps.some((s) => s.status === 'running');
  const runningNode = run.nodes.find((n) => stepRunning(n.run));
  return (
    <div className="setup-install" data-testid={testId}>
      <RunProgressBar
        done={done}
        total={total}
        active={active}
        now={runningNode ? ` — now on ${runningNode.label}` : ''}
        label={`Cluster ${what} progress`}
        testId={`${testId}-progress`}
        cancelTestId={`${testId}-cancel`}
        cancelLabel={`Cancel the ${what}`}
        onCancel={onCancel}
      />
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
      <RunStepRows steps={run.steps} testId={`${testId}-step-row`} />
      <LogView
        lines={run.log}
        dropped={run.droppedLines}
        title={node === null ? 'Log of the checks from this computer' : `Log of ${heading}`}
        testId={`${testId}-log`}
      />
    </details>
  );
}
