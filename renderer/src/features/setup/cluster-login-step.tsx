/**
 * The cluster path's first screen: each server's address, one login for every server (default)
 * or one each, then log in to every server in turn — each new server's key is asked about on its
 * own — and a line about what is on each.
 */
import {
  useEffect,
  useRef,
  useState,
  type Dispatch,
  type FormEvent,
  type SetStateAction,
} from 'react';
import { SETUP_DEFAULTS } from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { RadioGroup } from '../../shared/choice-fields.js';
import { TextField } from '../../shared/labelled-field.js';
import { NumberField } from '../../shared/number-field.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import { ClusterCredentials } from './cluster-credentials.js';
import {
  checkClusterServers,
  factsLine,
  loginFormFor,
  type ClusterNodeForm,
  type ClusterServersForm,
} from './cluster-form.js';
import { HostKeyPrompt, type UnknownHost } from './hostkey-prompt.js';
import { buildLogin, connectErrorHint, withoutSecrets } from './login-form.js';
import { serverLabel, type SetupSession } from './server-form.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';

export interface ClusterLoginStepProps {
  readonly form: ClusterServersForm;
  readonly setForm: Dispatch<SetStateAction<ClusterServersForm>>;
  /** Per server: its login, or null. */
  readonly sessions: readonly (SetupSession | null)[];
  setSession(i: number, s: SetupSession | null): void;
  /** Log out of every server (to change addresses). */
  logOutAll(): Promise<void>;
  onNext(): void;
}

export function ClusterLoginStep({
  form,
  setForm,
  sessions,
  setSession,
  logOutAll,
  onNext,
}: ClusterLoginStepProps) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const [prompt, setPrompt] = useState<{ index: number; host: UnknownHost } | null>(null);
  const [rejected, setRejected] = useState<number | null>(null);
  /** Keys the person confirmed, by server index: sent with every later try. */
  const trusted = useRef(new Map<number, string>());
  const current = useRef(sessions);
  useEffect(() => {
    current.current = sessions;
  }, [sessions]);
  const allIn = sessions.length > 0 && sessions.every((s) => s !== null);
  const anyIn = sessions.some((s) => s !== null);
  const busy = action.pending || prompt !== null;
  const at = action.error?.at ?? null;

  const setNode = (i: number, patch: Partial<ClusterNodeForm>) =>
    setForm((f) => ({
      ...f,
      nodes: f.nodes.map((n, j) => (j === i ? { ...n, ...patch } : n)),
    }));

  /** Logs in to every server not logged in yet, in order; stops at a key to confirm or an error. */
  const logInAll = (trust?: { index: number; fingerprint: string }) => {
    const targets = checkClusterServers(form);
    if (!targets.ok) {
      action.fail(`field-${targets.field}`, targets.error);
      return;
    }
    if (trust) trusted.current.set(trust.index, trust.fingerprint);
    setPrompt(null);
    setRejected(null);
    void action.run('login', async () => {
      for (const [i, target] of targets.value.entries()) {
        if (current.current[i]) continue;
        const built = buildLogin(target, loginFormFor(form, i), {
          saved: undefined,
          canRemember: false,
          trustHostKey: trusted.current.get(i),
        });
        if (!built.ok)
          throw new Error(`${form.sameLogin ? '' : `Server ${i + 1}: `}${built.error}`);
        let result;
        try {
          result = await api.invoke('setup:connect', built.value);
        } catch (err) {
          // say which server refused; the code stays for the hint
          if (err instanceof Error) err.message = `${serverLabel(target)}: ${err.message}`;
          throw err;
        }
        if (result.state === 'unknown-host') {
          setPrompt({ index: i, host: result });
          return;
        }
        const session: SetupSession = {
          sessionId: result.sessionId,
          target,
          hostKey: result.hostKey,
          facts: result.facts,
          factsDir: SETUP_DEFAULTS.installDir,
          remembered: false,
        };
        current.current = current.current.map((s, j) => (j === i ? session : s));
        setSession(i, session);
      }
      // every server logged in: the page keeps no password or key any longer
      setForm((f) => ({
        ...f,
        login: withoutSecrets(f.login),
        nodes: f.nodes.map((n) => ({ ...n, login: withoutSecrets(n.login) })),
      }));
    });
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (allIn) onNext();
    else if (!busy) logInAll();
  };

  return (
    <form className="setup-screen" onSubmit={onSubmit} noValidate data-testid="cluster-login">
      <p className="help">
        The Ubuntu (or Debian) servers of the cluster, one per node: each gets Kafka in KRaft mode
        as a broker and a controller. Kafka Video Studio logs in to each over SSH and uses{' '}
        <code>sudo</code>; you will see every command before anything runs.
      </p>
      <fieldset className="group" disabled={busy || anyIn}>
        <legend>Servers</legend>
        {form.nodes.map((n, i) => (
          <div className="setup-server-row" key={i}>
            <div className="grow">
              <TextField
                label={`Server ${i + 1} address`}
                data-testid={`cluster-host-${i}`}
                className="mono"
                placeholder={`192.168.1.${20 + i}`}
                value={n.host}
                invalid={at === `field-host-${i}`}
                onChange={(v) => setNode(i, { host: v })}
              />
            </div>
            {!form.sameLogin && (
              <>
                <div className="narrow">
                  <NumberField
                    label="SSH port"
                    data-testid={`cluster-port-${i}`}
                    min={1}
                    max={65535}
                    value={n.port}
                    invalid={at === `field-port-${i}`}
                    onChange={(v) => setNode(i, { port: v })}
                  />
                </div>
                <div className="grow">
                  <TextField
                    label="User"
                    data-testid={`cluster-user-${i}`}
                    className="mono"
                    value={n.user}
                    invalid={at === `field-user-${i}`}
                    onChange={(v) => setNode(i, { user: v })}
                  />
                </div>
              </>
            )}
          </div>
        ))}
        <RadioGroup<boolean>
          label="Login"
          value={form.sameLogin}
          onChange={(sameLogin) => setForm((f) => ({ ...f, sameLogin }))}
          options={[
            { value: true, label: 'The same login for every server', testId: 'cluster-same-login' },
            { value: false, label: 'A login for each server', testId: 'cluster-own-login' },
          ]}
        />
        {form.sameLogin && (
          <div className="setup-server-row">
            <div className="narrow">
              <NumberField
                label="SSH port"
                data-testid="cluster-port"
                min={1}
                max={65535}
                value={form.port}
                invalid={at === 'field-port'}
                onChange={(v) => setForm((f) => ({ ...f, port: v }))}
              />
            </div>
            <div className="grow">
              <TextField
                label="User"
                data-testid="cluster-user"
                className="mono"
                autoComplete="username"
                placeholder="ubuntu"
                value={form.user}
                invalid={at === 'field-user'}
                onChange={(v) => setForm((f) => ({ ...f, user: v }))}
              />
            </div>
          </div>
        )}
        <ErrorBox
          error={action.error}
          at={(action.error?.at ?? '').startsWith('field-') ? (action.error?.at ?? '') : []}
        />
      </fieldset>

      {form.sameLogin ? (
        <ClusterCredentials
          form={form.login}
          onChange={(login) => setForm((f) => ({ ...f, login }))}
          testId="cluster"
          invalid={null}
          disabled={busy || allIn}
        />
      ) : (
        form.nodes.map((n, i) =>
          sessions[i] ? null : (
            <div key={i}>
              <h3>Server {i + 1}</h3>
              <ClusterCredentials
                form={n.login}
                onChange={(login) => setNode(i, { login })}
                testId={`cluster-${i}`}
                invalid={null}
                disabled={busy}
              />
            </div>
          ),
        )
      )}

      <ol className="check-rows" data-testid="cluster-logins">
        {form.nodes.map((n, i) => {
          const s = sessions[i] ?? null;
          return (
            <li
              key={i}
              data-testid="cluster-node-login"
              data-node={i}
              data-state={s ? 'logged-in' : 'not-yet'}
            >
              <strong>Server {i + 1}</strong>{' '}
              <span className="mono">{s ? serverLabel(s.target) : n.host || '…'}</span>
              {': '}
              {s ? (
                <span data-testid="cluster-node-facts">
                  logged in (key {s.hostKey.fingerprint.slice(0, 20)}…) — {factsLine(s.facts)}
                </span>
              ) : prompt?.index === i ? (
                'confirm its key below'
              ) : (
                'not logged in yet'
              )}
            </li>
          );
        })}
      </ol>

      {rejected !== null && (
        <p className="muted" role="status">
          Server {rejected + 1} not logged in: you did not trust its key. Nothing else was sent to
          it.
        </p>
      )}
      {prompt !== null && (
        <HostKeyPrompt
          prompt={prompt.host}
          pending={action.pending}
          onAccept={() => logInAll({ index: prompt.index, fingerprint: prompt.host.fingerprint })}
          onReject={() => {
            setRejected(prompt.index);
            setPrompt(null);
          }}
        />
      )}
      <ErrorBox
        error={action.error}
        at="login"
        hint={connectErrorHint(action.error?.code ?? null)}
      />
      <div className="row">
        {!allIn && (
          <button type="submit" data-testid="cluster-login-all" disabled={!servicesReady || busy}>
            {action.running === 'login'
              ? 'Logging in…'
              : anyIn
                ? 'Log in to the other servers'
                : 'Log in to every server'}
          </button>
        )}
        {anyIn && (
          <button
            type="button"
            className="secondary"
            data-testid="cluster-logout-all"
            disabled={action.pending}
            onClick={() => void action.run('login', logOutAll)}
          >
            Log out of every server
          </button>
        )}
      </div>
      {allIn && (
        <WizardNav next={{ label: 'Next: options', testId: 'cluster-next', onClick: onNext }} />
      )}
    </form>
  );
}
