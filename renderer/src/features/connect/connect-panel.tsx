/**
 * Connect: the bootstrap address, checked as you type with the same parser the service uses
 * (the `x.y.z.w:9092` rule), the connection state with what the broker advertises, the
 * connection doctor (on demand, and by itself when an attempt fails or the broker advertises
 * other addresses), and the connection profiles (TLS, SASL; recent connections are profiles too):
 * listed and connected in one click, made, edited and imported from a client.properties in the
 * profile form. Once connected, the cluster's brokers (issue 16): each node and its address, the
 * quorum leader, the controller, and the brokers that are down.
 */
import { useEffect, useId, useMemo, useState, type FormEvent, useEffectEvent } from 'react';
import { parseBootstrap } from '../../../../electron/shared/bootstrap.js';
import { useAction, useApi, useServicesReady } from '../../shared/api-context.js';
import { useKafka } from '../../shared/kafka-context.js';
import { peekAutostart, takeAutostart } from '../../shared/autostart.js';
import { CheckRow } from '../../shared/check-row.js';
import { Status } from '../../shared/status.js';
import { DoctorPanel } from '../doctor/doctor-panel.js';
import { useDoctor } from '../doctor/use-doctor.js';
import type { ConnectTarget } from '../../../../electron/shared/contract.js';
import type { ProfileView, SecretName } from '../../../../electron/shared/connection-profile.js';
import { errorCode, KvsCallError } from '../../transport/errors.js';
import {
  advertisedWarnings,
  clusterView,
  connectButtonMode,
  describeStatus,
} from './connect-logic.js';
import { ProfileFormView } from './profile-form.js';
import { EMPTY_FORM, formFromProfile, type ProfileForm } from './profile-form-logic.js';
import { ProfileList } from './profile-list.js';

export function ConnectPanel() {
  const api = useApi();
  const servicesReady = useServicesReady();
  const kafka = useKafka();
  const connectAction = useAction();
  const disconnectAction = useAction();
  // `npm run demo` opens the page with the broker to connect to (see autoConnect below).
  const [input, setInput] = useState(() => peekAutostart('bootstrap') ?? '');
  const [touched, setTouched] = useState(false);
  const parsed = useMemo(() => parseBootstrap(input), [input]);
  const ids = { input: useId(), help: useId(), error: useId(), notes: useId(), heading: useId() };

  const status = kafka.status;
  const doctor = useDoctor(status, kafka.target, kafka.targetBootstrap);
  const [editing, setEditing] = useState<{ form: ProfileForm; key: number } | null>(null);
  const [asking, setAsking] = useState<{ id: string; missing: readonly SecretName[] } | null>(null);
  const profileAction = useAction();
  const mode = connectButtonMode(status?.state);
  const showError = touched && !parsed.ok;

  const connect = (value: string) => {
    void connectAction.run(async () => {
      try {
        await kafka.connect(value);
      } catch (err) {
        const p = parseBootstrap(value);
        if (p.ok) doctor.connectFailed(p.normalized, err); // a typo is not the broker's problem
        throw err;
      }
    });
  };

  const connectProfile = (target: ConnectTarget, p: ProfileView): Promise<void> =>
    connectAction
      .run(async () => {
        setAsking(null);
        try {
          await kafka.connect(target, p.bootstrap);
        } catch (err) {
          if (errorCode(err) === 'PROFILE_SECRETS_NEEDED') {
            const detail = err instanceof KvsCallError ? (err.detail ?? '') : '';
            setAsking({ id: p.id, missing: detail.split(',').filter(Boolean) as SecretName[] });
          } else doctor.connectFailed(p.bootstrap, err);
          throw err;
        }
      })
      .then(() => undefined);

  const removeProfile = (p: ProfileView) => {
    void profileAction.run(async () => {
      await api.invoke('profiles:delete', { id: p.id });
      kafka.refreshProfiles();
    });
  };

  const disconnect = () => {
    void disconnectAction.run(async () => {
      kafka.setStatus(await api.invoke('connection:disconnect', {}));
    });
  };

  // `npm run demo`: connect by itself once the service is there (an effect event: it reads the
  // latest status and connect, but only the service becoming ready runs it). The address is in
  // the input from the start.
  const autoConnect = useEffectEvent(() => {
    const auto = takeAutostart('bootstrap');
    if (auto === null || kafka.status?.state === 'connected') return;
    connect(auto);
  });
  useEffect(() => {
    if (servicesReady) autoConnect();
  }, [servicesReady]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'disconnect') disconnect();
    else {
      setTouched(true);
      if (parsed.ok) connect(input);
    }
  };

  const target = kafka.target;
  const connectedProfile =
    target !== null && 'profileId' in target
      ? (kafka.profiles.find((p) => p.id === target.profileId)?.name ?? null)
      : null;
  const view =
    !servicesReady && !status
      ? {
          tone: 'busy' as const,
          headline: 'Waiting for the Kafka Video Studio service…',
          lines: [],
        }
      : describeStatus(status, connectAction.error, connectedProfile);
  const warnings = status ? advertisedWarnings(status) : [];
  const cluster = clusterView(status);
  const buttonLabel =
    mode === 'disconnect'
      ? status?.state === 'connecting'
        ? 'Cancel'
        : 'Disconnect'
      : connectAction.pending
        ? 'Connecting…'
        : 'Connect';
  const buttonDisabled =
    !servicesReady ||
    (mode === 'connect' ? !parsed.ok || connectAction.pending : disconnectAction.pending);

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>Kafka broker</h2>
      <form onSubmit={onSubmit} noValidate>
        <label htmlFor={ids.input}>Bootstrap address</label>
        <div className="row">
          <input
            id={ids.input}
            data-testid="bootstrap-input"
            className="grow mono"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="10.0.0.5:9092"
            value={input}
            aria-invalid={showError}
            aria-describedby={`${ids.help} ${ids.error} ${ids.notes}`}
            onChange={(e) => {
              setInput(e.target.value);
              setTouched(true);
            }}
          />
          <button
            type="submit"
            data-testid="connect-button"
            disabled={buttonDisabled}
            className={mode === 'disconnect' ? 'secondary' : ''}
          >
            {buttonLabel}
          </button>
          <button
            type="button"
            data-testid="doctor-run"
            className="secondary"
            disabled={!servicesReady || !parsed.ok || doctor.busy !== null}
            title="Check step by step whether Kafka at this address can be used from here"
            onClick={() => {
              setTouched(true);
              if (parsed.ok) doctor.run(parsed.normalized);
            }}
          >
            Diagnose
          </button>
        </div>
        <p id={ids.help} className="help">
          Use the address in the broker&apos;s <code>advertised.listeners</code>, written{' '}
          <code>x.y.z.w:9092</code> (its IPv4 address and port). Kafka answers the first request
          with that advertised address and the client uses it from then on — so it must be an
          address this computer can reach, not <code>0.0.0.0</code> and not a listener URL such as{' '}
          <code>PLAINTEXT://…</code>.
        </p>
        <p id={ids.error} className="field-error" data-testid="bootstrap-error" aria-live="polite">
          {showError && !parsed.ok ? parsed.error : ''}
        </p>
        <div id={ids.notes} aria-live="polite">
          {touched &&
            parsed.ok &&
            (parsed.notes.length > 0 || parsed.normalized !== input.trim()) && (
              <ul className="notes" data-testid="bootstrap-notes">
                {parsed.normalized !== input.trim() && (
                  <li>
                    Will connect to{' '}
                    <code data-testid="bootstrap-normalized">{parsed.normalized}</code>
                  </li>
                )}
                {parsed.notes.map((n) => (
                  <li key={n.code}>{n.message}</li>
                ))}
              </ul>
            )}
        </div>
      </form>

      <Status
        status={view.tone}
        headline={view.headline}
        lines={view.lines}
        data-testid="connection-status"
        aria-live="polite"
      />
      {cluster.rows.length > 0 && (
        <div data-testid="cluster-brokers" aria-live="polite">
          <ul className="check-rows" aria-label="The cluster's brokers">
            {cluster.rows.map((r) => (
              <CheckRow
                key={`${r.nodeId}-${r.state}`}
                data-testid="cluster-broker"
                data-node-id={r.nodeId}
                data-state={r.state}
                tone={r.state === 'down' ? 'warning' : 'ok'}
                label={r.state}
                title={
                  <>
                    node {r.nodeId}
                    {r.address !== null ? (
                      <>
                        {' '}
                        at <code>{r.address}</code>
                      </>
                    ) : (
                      r.state === 'up' && ' (controller only)'
                    )}
                    {r.roles.map((role) => (
                      <span key={role.kind}>
                        {' — '}
                        {role.kind === 'quorum-leader' ? (
                          <strong data-testid="cluster-quorum-leader">{role.text}</strong>
                        ) : (
                          role.text
                        )}
                      </span>
                    ))}
                  </>
                }
                detail={r.downNote}
              />
            ))}
          </ul>
          <p className="help" data-testid="cluster-quorum">
            {cluster.quorumLine}
          </p>
        </div>
      )}
      {warnings.map((w) => (
        <p key={w} className="warning" data-testid="advertised-warning">
          {w}
        </p>
      ))}
      <DoctorPanel doctor={doctor} />
      {disconnectAction.error && (
        <p className="error-text" role="alert">
          Could not disconnect: {disconnectAction.error}
        </p>
      )}

      {editing === null ? (
        <div className="row">
          <button
            type="button"
            className="secondary"
            data-testid="profile-new"
            disabled={!servicesReady}
            title="A connection with TLS, a SASL login, or from a client.properties"
            onClick={() =>
              setEditing({
                form: { ...EMPTY_FORM, bootstrap: parsed.ok ? parsed.normalized : '' },
                key: Date.now(),
              })
            }
          >
            New connection profile…
          </button>
          <span className="help">
            TLS, SASL login (PLAIN, SCRAM, OAUTHBEARER), client.properties
          </span>
        </div>
      ) : (
        <ProfileFormView
          key={editing.key}
          initial={editing.form}
          canRemember={kafka.canRememberSecrets}
          onCancel={() => setEditing(null)}
          onSaved={(p, andConnect, secrets) => {
            setEditing(null);
            kafka.refreshProfiles();
            if (andConnect)
              void connectProfile(
                Object.keys(secrets).length > 0
                  ? { profileId: p.id, secrets }
                  : { profileId: p.id },
                p,
              );
          }}
        />
      )}

      <ProfileList
        profiles={kafka.profiles}
        busy={!servicesReady || connectAction.pending}
        asking={asking}
        connect={connectProfile}
        edit={(p) =>
          setEditing({ form: formFromProfile(p, kafka.canRememberSecrets), key: Date.now() })
        }
        remove={removeProfile}
        dismissAsking={() => setAsking(null)}
        diagnose={(p) =>
          // the secrets typed for this profile's last connect, if it was this one
          doctor.run(
            p.bootstrap,
            'manual',
            target !== null && 'profileId' in target && target.profileId === p.id
              ? target
              : { profileId: p.id },
          )
        }
      />
      {profileAction.error && (
        <p className="error-text" role="alert">
          {profileAction.error}
        </p>
      )}
    </section>
  );
}
