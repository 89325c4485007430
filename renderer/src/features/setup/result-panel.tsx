/**
 * Step 6: how the install ended. On success: what runs where, the check from this computer,
 * and one click to connect the app's broker connection to it (the same call and shared
 * state as the Kafka broker panel, so every panel sees it) — for a secure install, one click
 * saves a connection profile with its CA and login and connects with it. On failure: what
 * failed, and the way back to the plan.
 */
import { useRef, useState } from 'react';
import type { SetupPlanView } from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { useKafka } from '../../shared/kafka-context.js';
import { resultView, type ResultView } from './result-view.js';
import { type RunView } from './run-view.js';
import { RetryPlanButton } from './retry-plan-button.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import { useBrokerConnect } from './use-broker-connect.js';
import { copyOrSelect } from '../../shared/copy-text.js';
import { Status, StatusLine } from '../../shared/status.js';

export function ResultPanel({
  run,
  lost,
  plan,
  host,
  scramPassword,
  onRetry,
}: {
  run: RunView;
  lost: boolean;
  plan: SetupPlanView;
  host: string;
  /** The SCRAM password the page sent with a secure install's plan (it never comes back). */
  scramPassword: string | null;
  /** Back to the review step with a fresh plan; rejects when the service refuses. */
  onRetry(): Promise<void>;
}) {
  const view: ResultView | null =
    run.ended !== null
      ? resultView(run.ended, plan, host, run)
      : lost
        ? {
            ok: false,
            headline: 'Lost contact with the service',
            lines: [
              'The Kafka Video Studio service went away during the install, so how it ended is unknown.',
              'Running it again is safe: finished steps report “already done” and are skipped.',
            ],
            counts: '',
            bootstrap: null,
            error: { message: 'Lost contact with the service during the install.', detail: null },
            secure: null,
          }
        : null;
  if (view === null) return null;
  return view.ok ? (
    <Success view={view} host={host} scramPassword={scramPassword} />
  ) : (
    <Failure view={view} onRetry={onRetry} />
  );
}

/**
 * A secure install in one click: save a connection profile with the install's CA and login (the
 * password remembered only where the OS keychain can keep it), then connect with that profile.
 */
function useProfileConnect(): (
  secure: NonNullable<ResultView['secure']>,
  name: string,
  saslPassword: string,
) => Promise<void> {
  const api = useApi();
  const kafka = useKafka();
  return async (secure, name, saslPassword) => {
    const remember = kafka.canRememberSecrets;
    // again (after a failed connect, a disconnect, a re-run): the same profile, updated
    const existing = kafka.profiles.find((p) => p.name === name)?.id ?? null;
    const profile = await api.invoke('profiles:save', {
      id: existing,
      name,
      bootstrap: secure.bootstrap,
      security: {
        protocol: 'SASL_SSL',
        tls: { ca: secure.ca, client: null, verifyHostname: true },
        sasl: { mechanism: secure.mechanism, username: secure.username },
      },
      secrets: { saslPassword },
      remember,
    });
    kafka.refreshProfiles();
    const status = await kafka.connect(
      remember ? { profileId: profile.id } : { profileId: profile.id, secrets: { saslPassword } },
      secure.bootstrap,
    );
    if (status.state !== 'connected')
      throw new Error(status.error?.message ?? `Could not connect to ${secure.bootstrap}.`);
  };
}

function Success({
  view,
  host,
  scramPassword,
}: {
  view: ResultView;
  host: string;
  scramPassword: string | null;
}) {
  const servicesReady = useServicesReady();
  const kafka = useKafka();
  const connectProfile = useProfileConnect();
  const secure = view.secure;
  const withProfile = secure !== null && scramPassword !== null;

  const action = useSetupAction();
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const codeRef = useRef<HTMLElement | null>(null);
  const bootstrap = view.bootstrap ?? '';
  const { normalized, connectedHere, connecting, connect } = useBrokerConnect(bootstrap);
  const connectNow = (): Promise<void> =>
    withProfile
      ? connectProfile(secure, `Kafka on ${host}`.slice(0, 80), scramPassword)
      : connect();

  const copy = () => {
    void copyOrSelect(bootstrap, codeRef.current).then((how) =>
      setCopied(how === 'copied' ? 'yes' : 'select'),
    );
  };

  return (
    <section className="setup-result" data-testid="setup-result">
      <Status status="ok" headline={view.headline} lines={view.lines}>
        <StatusLine data-testid="setup-counts">{view.counts}</StatusLine>
      </Status>
      <h3>Bootstrap address</h3>
      <div className="row wrap">
        <code ref={codeRef} className="setup-bootstrap" data-testid="setup-bootstrap">
          {bootstrap}
        </code>
        <button
          type="button"
          className="secondary"
          data-testid="setup-bootstrap-copy"
          onClick={copy}
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        <button
          type="button"
          data-testid="setup-connect"
          disabled={!servicesReady || action.pending || connectedHere || bootstrap === ''}
          onClick={() => void action.run('connect', connectNow)}
        >
          {connectedHere
            ? 'Connected'
            : action.pending || connecting
              ? 'Connecting…'
              : withProfile
                ? 'Save as a profile and connect'
                : 'Connect to it'}
        </button>
      </div>
      {withProfile && !kafka.canRememberSecrets && (
        <p className="warning" data-testid="setup-password-not-remembered">
          The password is not remembered here; keep it. The profile keeps the address, the CA and
          the user “{secure.username}”.
        </p>
      )}
      {secure !== null && !withProfile && (
        <p className="help">
          Connect from the Kafka broker panel with SASL_SSL, SCRAM-SHA-512, the user “
          {secure.username}” and the password chosen for the install.
        </p>
      )}
      {copied === 'select' && (
        <p className="muted">Selected — press Ctrl+C (⌘C on a Mac) to copy it.</p>
      )}
      <p className="help">
        Every client, this app included, bootstraps from this address: it is the broker&apos;s{' '}
        <code>advertised.listeners</code>.
      </p>
      {connectedHere && (
        <p className="ok-text" data-testid="setup-connected" role="status">
          Connected: the Kafka broker panel now uses {normalized}. Produce a video or watch a topic
          on it.
        </p>
      )}
      <ErrorBox error={action.error} at="connect" />
    </section>
  );
}

function Failure({ view, onRetry }: { view: ResultView; onRetry(): Promise<void> }) {
  const action = useSetupAction();
  return (
    <section className="setup-result" data-testid="setup-result">
      <h3>{view.headline}</h3>
      <div className="error-box" role="alert" data-testid="setup-error">
        <strong>{view.error?.message}</strong>
        {view.error?.detail && <div className="setup-error-detail">{view.error.detail}</div>}
        {action.error && (
          <div className="setup-error-detail">
            Could not make the plan again: {action.error.message}
          </div>
        )}
      </div>
      <ul className="setup-result-lines">
        {view.lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
        {view.counts !== '' && <li data-testid="setup-counts">{view.counts}</li>}
      </ul>
      <RetryPlanButton testId="setup-retry" action={action} onRetry={onRetry} />
    </section>
  );
}
