/**
 * The cluster's servers once Kafka is on them: each node's state with Start / Stop / Restart
 * (setup:service on that server), and a rolling restart (setup:rolling-restart) with each
 * server's progress.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ServiceState, SetupEndedEvent } from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { errorMessage } from '../../transport/errors.js';
import { ClusterProgress } from './cluster-progress.js';
import { startRollingRestart } from './cluster-run-view.js';
import { serverLabel, type SetupSession } from './server-form.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import { useClusterRun } from './use-cluster-run.js';

type ServiceAction = 'status' | 'start' | 'stop' | 'restart';

interface NodeService {
  readonly state: ServiceState | null;
  readonly pending: ServiceAction | null;
  readonly error: string | null;
}

const IDLE: NodeService = { state: null, pending: null, error: null };

const PENDING_TEXT: Record<ServiceAction, string> = {
  status: 'Asking…',
  start: 'Starting…',
  stop: 'Stopping…',
  restart: 'Restarting…',
};

export function stateText(s: NodeService): string {
  if (s.pending !== null) return PENDING_TEXT[s.pending];
  if (s.state === null) return s.error !== null ? 'unknown' : 'not asked yet';
  return s.state.kafka ? 'running' : 'stopped';
}

export function ClusterServersPanel({
  sessions,
  nodeIds,
  installDir,
  bootstrap,
}: {
  sessions: readonly SetupSession[];
  /** Each server's node.id, in the same order (for the labels). */
  /** null: not known (no plan made in this wizard): the servers are named by their order. */
  nodeIds: readonly number[] | null;
  installDir: string;
  bootstrap: string;
}) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const [nodes, setNodes] = useState<readonly NodeService[]>(() => sessions.map(() => IDLE));
  const rolling = useClusterRun();
  const rollAction = useSetupAction();

  const nameOf = (i: number) =>
    nodeIds === null ? `server ${i + 1}` : `node ${nodeIds[i] ?? '?'}`;
  const setNode = (i: number, f: (s: NodeService) => NodeService) =>
    setNodes((list) => list.map((s, j) => (j === i ? f(s) : s)));

  const service = useCallback(
    async (i: number, action: ServiceAction) => {
      const session = sessions[i];
      if (!session) return;
      setNode(i, (s) => ({ ...s, pending: action, error: null }));
      try {
        const state = await api.invoke('setup:service', {
          sessionId: session.sessionId,
          installDir,
          action,
        });
        setNode(i, () => ({ state, pending: null, error: null }));
      } catch (err) {
        setNode(i, (s) => ({ ...s, pending: null, error: errorMessage(err) }));
      }
    },
    [api, sessions, installDir],
  );

  // Each server's state when the panel is shown (and again after a rolling restart).
  const ended = rolling.view?.ended ?? null;
  const serviceRef = useRef(service);
  serviceRef.current = service;
  const sessionKey = sessions.map((s) => s.sessionId).join(',');
  useEffect(() => {
    if (!servicesReady || sessionKey === '') return;
    for (const i of sessionKey.split(',').keys()) void serviceRef.current(i, 'status');
  }, [servicesReady, sessionKey, ended]);

  const busy = rolling.active || nodes.some((n) => n.pending !== null && n.pending !== 'status');

  const rollingRestart = () =>
    void rollAction.run('rolling', async () => {
      await rolling.start(
        () =>
          api.invoke('setup:rolling-restart', {
            sessionIds: sessions.map((s) => s.sessionId),
            installDir,
            bootstrap,
          }),
        (runId) =>
          startRollingRestart(
            sessions.map((s, i) => `${nameOf(i)} — ${s.target.host}`),
            runId,
          ),
      );
    });

  return (
    <section
      className="setup-facts"
      data-testid="cluster-servers"
      aria-label="The cluster's servers"
    >
      <h3>The cluster&apos;s servers</h3>
      {nodeIds === null && (
        <p className="help">
          Kafka is already in {installDir} on every server: start, stop or restart it here — or go
          on to the plan; installing again redoes only what is missing.
        </p>
      )}
      <ul className="check-rows">
        {sessions.map((s, i) => {
          const n = nodes[i] ?? IDLE;
          const nodeId = nodeIds?.[i];
          const name = nameOf(i);
          return (
            <li
              key={s.sessionId}
              className="row wrap"
              data-testid="cluster-server"
              data-node-id={nodeId}
              data-state={n.state === null ? 'unknown' : n.state.kafka ? 'running' : 'stopped'}
              data-pending={n.pending ?? undefined}
            >
              <span>
                <strong>{name}</strong> <span className="mono">{serverLabel(s.target)}</span>
                {': '}
                <span data-testid="cluster-server-state" aria-live="polite">
                  Kafka {stateText(n)}
                </span>
              </span>
              <span className="spacer" />
              {(['start', 'stop', 'restart'] as const).map((a) => (
                <button
                  key={a}
                  type="button"
                  className="secondary"
                  data-testid={`cluster-server-${a}`}
                  aria-label={`${a[0]?.toUpperCase()}${a.slice(1)} Kafka on ${name}`}
                  disabled={!servicesReady || busy || n.pending !== null}
                  onClick={() => void service(i, a)}
                >
                  {a === 'start' ? 'Start' : a === 'stop' ? 'Stop' : 'Restart'}
                </button>
              ))}
              {n.error !== null && (
                <div className="error-box" role="alert" data-testid="setup-error">
                  <strong>{n.error}</strong>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <div className="row">
        <button
          type="button"
          data-testid="cluster-rolling-restart"
          disabled={!servicesReady || busy || rollAction.pending}
          onClick={rollingRestart}
        >
          {rolling.active ? 'Restarting one server at a time…' : 'Rolling restart'}
        </button>
        <span className="help">
          Restarts Kafka on one server at a time; each is back with every partition in sync before
          the next one stops, so clients keep working.
        </span>
      </div>
      <ErrorBox error={rollAction.error} at="rolling" />
      {rolling.view !== null && (
        <>
          <ClusterProgress
            run={rolling.view}
            active={rolling.active}
            onCancel={rolling.cancel}
            what="rolling restart"
            testId="cluster-rolling"
          />
          {rolling.view.ended !== null && <RollingEnd ended={rolling.view.ended} />}
          {rolling.lost && (
            <p className="error-box" role="alert" data-testid="setup-error">
              Lost contact with the service during the rolling restart; how it ended is unknown.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function RollingEnd({ ended }: { ended: SetupEndedEvent }) {
  return ended.ok ? (
    <p className="ok-text" role="status" data-testid="cluster-rolling-result" data-ok="true">
      Rolling restart done: {ended.changed} server{ended.changed === 1 ? '' : 's'} restarted, each
      back in sync before the next.
    </p>
  ) : (
    <div className="error-box" role="alert" data-testid="cluster-rolling-result" data-ok="false">
      <strong>{ended.error?.message ?? 'The rolling restart failed.'}</strong>
      {ended.error?.detail && <div className="setup-error-detail">{ended.error.detail}</div>}
      <div className="setup-error-detail">
        {ended.changed} server{ended.changed === 1 ? ' was' : 's were'} restarted before it stopped.
      </div>
    </div>
  );
}
